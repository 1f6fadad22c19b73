"""Reminder mails before each check-in, with a calendar invitation and a one-tap link.

The sweep runs as a background task (in process, or once a minute on the PostgreSQL queue)
and as ``tandem checkins remind``. It queues one mail per member of the pair two days
before a check-in, at 09:00 in the cohort's timezone. Each mail's dedupe key holds the
check-in's SEQUENCE, so a sweep that runs twice queues nothing new, and a check-in that moved
is reminded again with an invitation that replaces the old event (same UID, higher SEQUENCE).

The mail and its invitation carry names, the day and time, and the link — never a note, a
step or a word of anyone's plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import parseaddr

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.core.db import session_scope
from app.core.i18n import format_date, format_list, format_time, use_locale
from app.models import BuddyGroup, Cohort, Participant, utcnow
from app.models.plans import CheckIn
from app.services.agenda import to_local
from app.services.links import issue_link
from app.services.mail import Attachment, queue_mail, reminders_enabled, wake_sender
from app.services.ops import background_task
from app.services.plans.checkins import (
    OPEN_STATES,
    checkin_invite,
    mark_missed,
    passed_unmarked,
    starts_at,
)
from app.services.plans.pair import members, partnership_state
from app.services.tablet import participant_language

REMIND_DAYS_BEFORE = 2
REMIND_AT = time(9, 0)
"""Reminders go out at this local time, so nobody's phone buzzes at night."""
LINK_GRACE = timedelta(days=3)
"""A reminder's link still opens the check-in this long after its start ("we met", late)."""
REMINDER_TASK = "checkins.remind"


@dataclass(frozen=True, slots=True)
class ReminderSweep:
    """What one sweep did: mails queued, members who turned reminders off, check-ins missed."""

    queued: int
    opted_out: int
    missed: int


def reminder_due(checkin: CheckIn, *, tz_name: str) -> datetime:
    """When the reminder of a check-in goes out: two days before, at 09:00 local time."""
    return to_local(checkin.day - timedelta(days=REMIND_DAYS_BEFORE), REMIND_AT, tz_name)


def checkin_path(checkin: CheckIn) -> str:
    """The check-in's one-tap page, where a reminder's link lands."""
    return f"/p/partnership/checkins/{checkin.id}"


def _due_checkins(session: Session, now: datetime) -> list[tuple[CheckIn, BuddyGroup, Cohort]]:
    horizon = now.date() + timedelta(days=REMIND_DAYS_BEFORE + 1)
    rows = session.exec(
        select(CheckIn, BuddyGroup, Cohort)
        .join(BuddyGroup, col(BuddyGroup.id) == col(CheckIn.group_id))
        .join(Cohort, col(Cohort.id) == col(BuddyGroup.cohort_id))
        .where(
            col(CheckIn.state).in_(OPEN_STATES),
            col(CheckIn.day) <= horizon,
            BuddyGroup.state == "published",
            or_(
                col(CheckIn.reminded_sequence).is_(None),
                col(CheckIn.reminded_sequence) != col(CheckIn.sequence),
            ),
        )
        .order_by(col(CheckIn.id))
    ).all()
    return [
        (c, g, k)
        for c, g, k in rows
        if reminder_due(c, tz_name=k.timezone) <= now < starts_at(c, tz_name=k.timezone)
        and partnership_state(session, group=g) == "active"
    ]


def send_checkin_reminders(
    session: Session, *, now: datetime, base_url: str, sender: str
) -> ReminderSweep:
    """Queue the reminders that are due (idempotent: a second run queues nothing new) and
    mark check-ins that passed without a word as missed."""
    missed = mark_missed(session, now=now)
    name, address = parseaddr(sender)
    organizer = (name or "Tandem", address)
    queued = opted_out = 0
    for checkin, group, cohort in _due_checkins(session, now):
        for member in members(session, group):
            if _remind(session, checkin, cohort, member, now, base_url, organizer):
                queued += 1
            else:
                opted_out += 1
        checkin.reminded_sequence = checkin.sequence
        session.add(checkin)
    session.flush()
    return ReminderSweep(queued, opted_out, missed)


def _remind(
    session: Session,
    checkin: CheckIn,
    cohort: Cohort,
    member: Participant,
    now: datetime,
    base_url: str,
    organizer: tuple[str, str],
) -> bool:
    assert member.id is not None
    # Checked before a link is made: a link nobody will receive is a secret for nothing.
    if not reminders_enabled(session, participant=member):
        return False
    start = starts_at(checkin, tz_name=cohort.timezone)
    link = issue_link(
        session,
        member.id,
        base_url=base_url,
        next_path=checkin_path(checkin),
        purpose=f"checkin-{checkin.id}",
        ttl=min(max(start + LINK_GRACE - now, timedelta(hours=1)), timedelta(days=30)),
    )
    language = participant_language(session, member)
    group = session.get(BuddyGroup, checkin.group_id)
    assert group is not None
    buddies = [p.name for p in members(session, group) if p.id != member.id]
    with use_locale(language):
        context: dict[str, object] = {
            "name": member.name,
            "buddy_names": format_list(buddies),
            "number": checkin.number,
            "day": format_date(checkin.day, "full"),
            "time": format_time(checkin.at),
            "timezone": cohort.timezone,
            "moved": checkin.sequence > 0,
            "checkin_url": link.url,
        }
    invite = checkin_invite(
        session,
        checkin=checkin,
        recipient=member,
        organizer=organizer,
        prodid_host=_host(base_url),
    )
    queued = queue_mail(
        session,
        to=member.email,
        kind="checkin_reminder",
        template="checkin_reminder",
        language=language,
        context=context,
        dedupe_key=f"checkin:{checkin.id}:seq{checkin.sequence}:to{member.id}",
        participant_id=member.id,
        attachments=[Attachment("check-in.ics", "text/calendar; method=REQUEST", invite)],
    )
    return queued is not None


def _host(base_url: str) -> str:
    return base_url.split("//")[-1].split("/")[0].split(":")[0]


def _anything_to_do(session: Session, now: datetime) -> bool:
    return bool(_due_checkins(session, now) or passed_unmarked(session, now=now))


@background_task(REMINDER_TASK)
def _remind_task(engine: Engine, settings: Settings) -> None:
    # The task runs every half minute: it looks first, so a quiet minute never takes SQLite's
    # write lock away from a tablet's save.
    with session_scope(engine, write=False) as session:
        if not _anything_to_do(session, utcnow()):
            return
    with session_scope(engine) as session:
        sweep = send_checkin_reminders(
            session, now=utcnow(), base_url=settings.base_url, sender=settings.smtp_from
        )
    if sweep.queued:
        wake_sender()
