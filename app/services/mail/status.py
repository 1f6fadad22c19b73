"""What the facilitator sees of a cohort's mail: states and addresses, never a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.i18n import N_
from app.models import Cohort, MailBounce, MailOptOut, OutboxMessage, Participant

STATE_LABELS = {
    "queued": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("not sent"),
    "bounced": N_("address refused"),
}
"""Each outbox state as the facilitator reads it (translate when shown)."""
KIND_LABELS = {
    "invitation": N_("invitation"),
    "signin_link": N_("sign-in link"),
    "intake_reminder": N_("intake reminder"),
    "checkin_reminder": N_("check-in reminder"),
    "smtp_check": N_("test mail"),
}
"""The kinds of mail Tandem sends; a kind not listed here is shown as it is stored."""


@dataclass(frozen=True, slots=True)
class ParticipantMail:
    participant_id: int
    name: str
    email: str
    last_kind: str | None
    last_state: str | None
    last_at: datetime | None
    bounced: bool
    reminders_off: bool


@dataclass(frozen=True, slots=True)
class CohortMail:
    rows: list[ParticipantMail]
    counts: dict[str, int]
    """Messages per state (every state present, 0 when none)."""

    @property
    def bounced_addresses(self) -> list[str]:
        return sorted({r.email for r in self.rows if r.bounced})


def cohort_mail_status(session: Session, *, cohort: Cohort) -> CohortMail:
    """Per participant the last mail's kind and state, bounced addresses and opt-outs."""
    people = session.exec(
        select(Participant)
        .where(Participant.cohort_id == cohort.id)
        .order_by(col(Participant.name))
    ).all()
    ids = [p.id for p in people if p.id is not None]
    last: dict[int, OutboxMessage] = {}
    for row in session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.participant_id).in_(ids))
        .order_by(col(OutboxMessage.id))
    ).all():
        assert row.participant_id is not None
        last[row.participant_id] = row
    bounced = set(
        session.exec(
            select(MailBounce.address).where(
                col(MailBounce.address).in_([p.email.lower() for p in people])
            )
        ).all()
    )
    opted_out = set(
        session.exec(
            select(MailOptOut.participant_id).where(col(MailOptOut.participant_id).in_(ids))
        ).all()
    )
    counts = dict.fromkeys(STATE_LABELS, 0)
    for state, n in session.exec(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.cohort_id == cohort.id)
        .group_by(col(OutboxMessage.state))
    ).all():
        counts[state] = int(n)
    rows = []
    for p in people:
        assert p.id is not None
        mail = last.get(p.id)
        rows.append(
            ParticipantMail(
                participant_id=p.id,
                name=p.name,
                email=p.email,
                last_kind=mail.kind if mail else None,
                last_state=mail.state if mail else None,
                last_at=(mail.sent_at or mail.created_at) if mail else None,
                bounced=p.email.lower() in bounced,
                reminders_off=p.id in opted_out,
            )
        )
    return CohortMail(rows=rows, counts=counts)
