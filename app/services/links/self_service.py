"""A new link by mail, asked for on the sign-in page: the answer never says whether the
address is known, and asking is throttled per address and per device like the cards."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from app.models import Cohort, Participant, utcnow
from app.services.accounts import hash_token
from app.services.links.invitations import invitation_landing
from app.services.links.tokens import issue_link
from app.services.mail import queue_mail
from app.services.tablet import Attempt, card_expiry, check_throttle, count_failure, language_of

REQUESTED = "requested"
"""The purpose of links asked for by mail: a new one replaces the last one asked for, but
never an invitation's, so that someone asking in another person's name stops nothing."""
REQUESTED_TTL = timedelta(hours=1)
"""A link asked for is used at once: it lasts an hour, not the two weeks of an invitation."""
REQUESTS_PER_ADDRESS = 3
"""Links one address may ask for per throttle window."""
SIGNIN_LINK = "signin_link"
"""The mail's kind and template (``app/templates/mail/signin_link.txt`` and ``.html``)."""


def request_link(
    session: Session, *, email: str, base_url: str, attempt: Attempt, followup_days: int
) -> int:
    """Mail a new sign-in link to each participant with this address whose program still
    lets them in; returns how many (the page must not say). Every request counts against
    the device, the network address and the e-mail address (Throttled past the limits)."""
    address = email.strip().lower()[:254]
    # Keyed by the address's hash: the throttle table holds no address in clear.
    per_address = [(f"link-request|{hash_token(address)}", REQUESTS_PER_ADDRESS)]
    check_throttle(session, attempt=attempt, extra=per_address)
    count_failure(session, attempt=attempt, extra=per_address)
    if "@" not in address:
        return 0
    people = session.exec(select(Participant).where(func.lower(Participant.email) == address)).all()
    sent = 0
    for person in people:
        cohort = session.get(Cohort, person.cohort_id)
        assert person.id is not None
        if cohort is None or card_expiry(cohort, followup_days=followup_days) <= utcnow():
            continue
        issued = issue_link(
            session,
            person.id,
            base_url=base_url,
            next_path=invitation_landing(session, cohort=cohort),
            purpose=REQUESTED,
            ttl=REQUESTED_TTL,
        )
        queue_mail(
            session,
            to=person.email.strip(),
            kind=SIGNIN_LINK,
            template=SIGNIN_LINK,
            language=language_of(person, cohort),
            context={
                "name": person.name,
                "cohort": cohort.name,
                "expires_at": issued.expires_at.astimezone(ZoneInfo(cohort.timezone)),
                "link_url": issued.url,
            },
            dedupe_key=f"signin_link:{issued.link_id}",
            participant_id=person.id,
        )
        sent += 1
    return sent
