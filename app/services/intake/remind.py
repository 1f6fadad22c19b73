"""Reminders to those who have not answered the intake: a mail with a fresh personal link.

The mail says only who it is for, which program, when it starts and where to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.core.errors import Conflict
from app.core.i18n import gettext as _
from app.models import Cohort, OutboxMessage, Participant, utcnow
from app.services.intake.service import intake_status
from app.services.links import issue_link
from app.services.mail import queue_mail, reminders_enabled
from app.services.ops import record_event
from app.services.roster import list_participants
from app.services.tablet import language_of

REMINDER_KIND = "intake_reminder"
LANDING = "/intake"


@dataclass(frozen=True, slots=True)
class Reminded:
    """What a round of reminders did: mails queued now, people already reminded that day,
    and people who turned reminders off."""

    queued: int
    already: int
    opted_out: int


def reminder_key(cohort: Cohort, participant: Participant, on: date) -> str:
    """One intake reminder per participant and day, however often the button is pressed."""
    return f"intake-reminder:{cohort.id}:{participant.id}:{on.isoformat()}"


def _queued(session: Session, key: str) -> bool:
    return (
        session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first()
        is not None
    )


def remind_participant(
    session: Session, *, cohort: Cohort, participant: Participant, base_url: str, on: date
) -> bool | None:
    """Queue one participant's reminder: True when queued now, False when one already went
    out that day, None when they turned reminders off."""
    assert participant.id is not None
    key = reminder_key(cohort, participant, on)
    # Both checked before a link is issued: a new link stops the one the participant holds.
    if _queued(session, key):
        return False
    if not reminders_enabled(session, participant=participant):
        return None
    link = issue_link(session, participant.id, base_url=base_url, next_path=LANDING)
    message = queue_mail(
        session,
        to=participant.email,
        kind=REMINDER_KIND,
        template=REMINDER_KIND,
        language=language_of(participant, cohort),
        context={
            "name": participant.name,
            "cohort": cohort.name,
            "start_date": cohort.start_date,
            "link_url": link.url,
        },
        dedupe_key=key,
        participant_id=participant.id,
    )
    return None if message is None else True


def send_intake_reminders(
    session: Session, *, cohort: Cohort, base_url: str, actor: str, on: date | None = None
) -> Reminded:
    """Remind everyone in the cohort who has not answered the intake (Conflict once the
    pairs are published: the intake is closed)."""
    status = intake_status(session, cohort=cohort)
    if not status.open:
        raise Conflict(_("the pairs are published: the intake is closed"))
    day = on or utcnow().date()
    waiting = {row.participant_id for row in status.waiting}
    outcomes = [
        remind_participant(session, cohort=cohort, participant=p, base_url=base_url, on=day)
        for p in list_participants(session, cohort=cohort)
        if p.id in waiting
    ]
    result = Reminded(outcomes.count(True), outcomes.count(False), outcomes.count(None))
    record_event(
        session,
        actor=actor,
        action="intake.remind",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"queued": result.queued, "already": result.already},
    )
    return result
