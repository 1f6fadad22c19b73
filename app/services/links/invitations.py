"""Invitations: a mail to each chosen participant carrying a fresh personal link.

The mail says who is invited to what and when, and holds the link; never anything anyone
wrote (the mail service refuses any other kind of value in its context).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.models import Cohort, Participant, SignInLink, utcnow
from app.services.cohorts import cohort_end_date
from app.services.links.tokens import issue_link
from app.services.mail import queue_mail
from app.services.ops import record_event
from app.services.roster import list_participants
from app.services.tablet import language_of

INVITATION = "invitation"
"""The mail's kind and template (``app/templates/mail/invitation.txt`` and ``.html``)."""


@dataclass(frozen=True, slots=True)
class InvitationReport:
    """What sending invitations did: how many are on their way, and who got none and why."""

    queued: int
    without_address: list[str] = field(default_factory=list)
    """Names of participants with no usable e-mail address."""
    refused: list[str] = field(default_factory=list)
    """Names of participants whose address bounced before: no mail was sent to them."""


def invitation_landing(session: Session, *, cohort: Cohort) -> str:
    """Where the link of an invitation (or of the link sheet) lands after sign-in.

    The hook for the intake: once a cohort can have an intake before day one, this returns
    ``"/intake"`` for a cohort that has one, so that the invitation opens it.
    """
    return "/"


def _has_address(participant: Participant) -> bool:
    address = parseaddr(participant.email)[1]
    return "@" in address and address == participant.email.strip()


def send_invitations(
    session: Session,
    *,
    cohort: Cohort,
    base_url: str,
    actor: str,
    participants: Sequence[Participant] | None = None,
    ttl: timedelta | None = None,
) -> InvitationReport:
    """Queue an invitation with a fresh personal link to each participant (everyone by
    default) who has an e-mail address; their older sign-in links stop working."""
    people = list_participants(session, cohort=cohort) if participants is None else participants
    landing = invitation_landing(session, cohort=cohort)
    zone = ZoneInfo(cohort.timezone)
    queued, without, refused = 0, [], []
    for person in people:
        assert person.id is not None
        assert person.cohort_id == cohort.id
        if not _has_address(person):
            without.append(person.name)
            continue
        issued = issue_link(session, person.id, base_url=base_url, next_path=landing, ttl=ttl)
        message = queue_mail(
            session,
            to=person.email.strip(),
            kind=INVITATION,
            template=INVITATION,
            language=language_of(person, cohort),
            context={
                "name": person.name,
                "cohort": cohort.name,
                "starts_on": cohort.start_date,
                "ends_on": cohort_end_date(cohort),
                "expires_on": issued.expires_at.astimezone(zone).date(),
                "link_url": issued.url,
            },
            dedupe_key=f"invitation:{issued.link_id}",
            participant_id=person.id,
        )
        if message is not None and message.state == "bounced":
            refused.append(person.name)
            continue
        link = session.get(SignInLink, issued.link_id)
        assert link is not None
        link.sent_at = utcnow()
        session.add(link)
        queued += 1
    session.flush()
    record_event(
        session,
        actor=actor,
        action="links.invite",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"queued": queued, "without_address": len(without), "refused": len(refused)},
    )
    return InvitationReport(queued, without, refused)
