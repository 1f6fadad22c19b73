"""The pair's check-ins as living appointments: a day and a time in the cohort's timezone that
the pair can move, whether they met, and the calendar invitation for each one.

A check-in is upcoming until the pair says "we met" (held) or "we moved it" (moved, to a new
day and time); one that passed without either is marked missed by the reminder sweep, and can
still be marked held or moved afterwards. Every move raises ``sequence``: the invitation keeps
its UID, so a calendar replaces the event in place instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import N_, _, format_list, use_locale
from app.models import BuddyGroup, BuddyMember, Cohort, Participant, utcnow
from app.models.plans import CheckIn, CheckInNote, CheckInPlan
from app.services.agenda import IcsItem, build_checkin_ics, load_zone, to_local
from app.services.ops import record_event
from app.services.plans.pair import live_group, members, partnership_state
from app.services.tablet import participant_language

CHECKIN_MINUTES = 45
OPEN_STATES = ("upcoming", "moved")
MISSED_AFTER = timedelta(days=2)
"""A check-in nobody marked held this long after its start counts as missed."""
CHECKIN_STATE_LABELS: dict[str, str] = {
    "upcoming": N_("Coming up"),
    # Translators: the state of a check-in the buddies held.
    "held": N_("We met"),
    # Translators: the state of a check-in the buddies moved to another day.
    "moved": N_("Moved"),
    "missed": N_("Missed"),
}
MIN_GROUP = 5
"""Counts shown to the organisation cover at least this many (fewer reads "fewer than 5")."""


def checkin_state_labels() -> dict[str, str]:
    """The check-in states in the reader's language."""
    return {key: _(label) for key, label in CHECKIN_STATE_LABELS.items()}


def starts_at(checkin: CheckIn, *, tz_name: str) -> datetime:
    """The aware local start of a check-in in the cohort's timezone."""
    return to_local(checkin.day, checkin.at, tz_name)


def start_series(
    session: Session, *, group: BuddyGroup, plan: CheckInPlan, cohort: Cohort
) -> list[CheckIn]:
    """Make the check-ins of an agreed rhythm (once per series)."""
    existing = session.exec(
        select(CheckIn).where(CheckIn.group_id == group.id, CheckIn.series == plan.series)
    ).all()
    if existing:
        return list(existing)
    assert group.id is not None
    rows = [
        CheckIn(
            group_id=group.id,
            series=plan.series,
            number=n,
            day=date.fromisoformat(d),
            at=plan.at,
        )
        for n, d in enumerate(plan.dates, start=1)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def group_checkins(session: Session, *, group: BuddyGroup) -> list[CheckIn]:
    """Every check-in of the group, series by series, in date order within each."""
    return list(
        session.exec(
            select(CheckIn)
            .where(CheckIn.group_id == group.id)
            .order_by(col(CheckIn.series), col(CheckIn.day), col(CheckIn.number))
        ).all()
    )


def series_is_over(session: Session, *, group: BuddyGroup, today: date) -> bool:
    """Whether no check-in of the group is still ahead (the rhythm may then be renewed)."""
    return not any(
        c.state in OPEN_STATES and c.day >= today for c in group_checkins(session, group=group)
    )


def cohort_today(cohort: Cohort, *, now: datetime) -> date:
    """Today's date in the cohort's timezone."""
    return now.astimezone(load_zone(cohort.timezone)).date()


def checkin_of(session: Session, *, participant: Participant, checkin_id: int) -> CheckIn:
    """A check-in of one of the participant's buddy groups (NotFound for anyone else's)."""
    checkin = session.get(CheckIn, checkin_id)
    if checkin is None or session.get(BuddyMember, (checkin.group_id, participant.id)) is None:
        raise NotFound(_("no such check-in"))
    return checkin


@dataclass(frozen=True, slots=True)
class CheckInPage:
    """One check-in as a member of the pair sees it (names and dates only)."""

    id: int
    number: int
    day: date
    at: time
    state: str
    starts: datetime
    buddy_names: list[str]
    partnership: str


def checkin_page(session: Session, *, participant: Participant, checkin_id: int) -> CheckInPage:
    """What the one-tap check-in page shows this member."""
    checkin = checkin_of(session, participant=participant, checkin_id=checkin_id)
    group = session.get(BuddyGroup, checkin.group_id)
    assert group is not None
    assert checkin.id is not None
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    return CheckInPage(
        id=checkin.id,
        number=checkin.number,
        day=checkin.day,
        at=checkin.at,
        state=checkin.state,
        starts=starts_at(checkin, tz_name=cohort.timezone),
        buddy_names=[p.name for p in members(session, group) if p.id != participant.id],
        partnership=partnership_state(session, group=group),
    )


def _live_checkin(session: Session, participant: Participant, checkin_id: int) -> CheckIn:
    checkin = checkin_of(session, participant=participant, checkin_id=checkin_id)
    group = live_group(session, participant)
    if group.id != checkin.group_id:
        raise NotFound(_("no such check-in"))
    return checkin


def _record(session: Session, participant: Participant, checkin: CheckIn, action: str) -> None:
    group = session.get(BuddyGroup, checkin.group_id)
    assert group is not None
    record_event(
        session,
        actor=f"participant:{participant.id}",
        action=f"checkin.{action}",
        object_type="checkin",
        object_id=checkin.id or "",
        cohort_id=group.cohort_id,
    )


def mark_held(session: Session, *, participant: Participant, checkin_id: int) -> CheckIn:
    """Say the pair met: one tap, and a second tap changes nothing."""
    checkin = _live_checkin(session, participant, checkin_id)
    if checkin.state != "held":
        checkin.state, checkin.changed_by, checkin.changed_at = "held", participant.id, utcnow()
        session.add(checkin)
        session.flush()
        _record(session, participant, checkin, "held")
    return checkin


def move_checkin(
    session: Session,
    *,
    participant: Participant,
    checkin_id: int,
    day: date,
    at: time,
    now: datetime,
) -> CheckIn:
    """Move a check-in to a new day and time: the sequence rises, reminders start again and
    both members' private notes for it move along."""
    checkin = _live_checkin(session, participant, checkin_id)
    group = session.get(BuddyGroup, checkin.group_id)
    assert group is not None
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    _check_new_time(session, checkin, cohort, day=day, at=at, now=now)
    if (checkin.day, checkin.at) == (day, at) and checkin.state in OPEN_STATES:
        return checkin
    session.exec(
        update(CheckInNote)
        .where(col(CheckInNote.group_id) == checkin.group_id)
        .where(col(CheckInNote.checkin_date) == checkin.day)
        .values(checkin_date=day)
    )
    checkin.day, checkin.at, checkin.state = day, at.replace(second=0, microsecond=0), "moved"
    checkin.sequence += 1
    checkin.changed_by, checkin.changed_at = participant.id, utcnow()
    session.add(checkin)
    session.flush()
    _record(session, participant, checkin, "moved")
    return checkin


def _check_new_time(
    session: Session, checkin: CheckIn, cohort: Cohort, *, day: date, at: time, now: datetime
) -> None:
    if to_local(day, at, cohort.timezone) <= now:
        message = _("Choose a day and time still to come.")
    elif day > cohort_today(cohort, now=now) + timedelta(days=730):
        message = _("Choose a day within the next two years.")
    elif session.exec(
        select(CheckIn.id).where(
            CheckIn.group_id == checkin.group_id, CheckIn.day == day, CheckIn.id != checkin.id
        )
    ).first():
        message = _("Another of your check-ins is on that day already.")
    else:
        return
    raise InvalidInput(_("the check-in cannot be moved"), [Problem("day", message, "day")])


def passed_unmarked(session: Session, *, now: datetime) -> list[CheckIn]:
    """Open check-ins that passed without a word (MISSED_AFTER their start)."""
    rows = session.exec(
        select(CheckIn, Cohort.timezone)
        .join(BuddyGroup, col(BuddyGroup.id) == col(CheckIn.group_id))
        .join(Cohort, col(Cohort.id) == col(BuddyGroup.cohort_id))
        .where(col(CheckIn.state).in_(OPEN_STATES), col(CheckIn.day) <= now.date())
    ).all()
    return [c for c, tz_name in rows if starts_at(c, tz_name=tz_name) + MISSED_AFTER <= now]


def mark_missed(session: Session, *, now: datetime) -> int:
    """Mark every open check-in that passed without a word as missed; returns how many."""
    missed = passed_unmarked(session, now=now)
    for checkin in missed:
        checkin.state = "missed"
        session.add(checkin)
    session.flush()
    return len(missed)


def checkin_items(
    session: Session,
    *,
    group: BuddyGroup,
    checkins: list[CheckIn],
    cohort: Cohort,
    attendees: tuple[tuple[str, str], ...] = (),
    organizer: tuple[str, str] | None = None,
) -> list[IcsItem]:
    """Calendar events for check-ins, in the current language: names and times, nothing
    anyone wrote."""
    names = format_list([p.name for p in members(session, group)])
    return [
        IcsItem(
            uid_key=f"checkin-{c.id}",
            # Translators: a calendar event's title; names are the buddies' names.
            title=_("Buddy check-in %(number)s: %(names)s", number=c.number, names=names),
            description="",
            day_date=c.day,
            start=c.at,
            end=(datetime.combine(c.day, c.at) + timedelta(minutes=CHECKIN_MINUTES)).time(),
            sequence=c.sequence,
            attendees=attendees,
            organizer=organizer,
        )
        for c in checkins
    ]


def checkin_invite(
    session: Session,
    *,
    checkin: CheckIn,
    recipient: Participant,
    organizer: tuple[str, str],
    prodid_host: str,
    dtstamp: datetime | None = None,
) -> bytes:
    """One check-in as a calendar invitation (METHOD:REQUEST) in the recipient's language:
    the same UID every time, with the check-in's current SEQUENCE."""
    group = session.get(BuddyGroup, checkin.group_id)
    assert group is not None
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    language = participant_language(session, recipient)
    people = tuple((p.name, p.email) for p in members(session, group))
    with use_locale(language):
        items = checkin_items(
            session,
            group=group,
            checkins=[checkin],
            cohort=cohort,
            attendees=people,
            organizer=organizer,
        )
        title = items[0].title
    return build_checkin_ics(
        title,
        f"{cohort.slug}-pair-{group.id}",
        cohort.timezone,
        items,
        prodid_host=prodid_host,
        dtstamp=dtstamp,
        language=language,
        method="REQUEST",
    )


@dataclass(frozen=True, slots=True)
class SmallCount:
    """A count for the organisation: ``value`` is None when it would describe fewer than
    MIN_GROUP (check-ins, or pairs behind them), which could point at one pair."""

    value: int | None
    pairs_too_few: bool = False


def held_checkins(session: Session, *, cohort: Cohort) -> SmallCount:
    """How many check-ins the cohort's pairs held, never for fewer than five (of either)."""
    pairs = session.exec(
        select(func.count())
        .select_from(BuddyGroup)
        .where(BuddyGroup.cohort_id == cohort.id, col(BuddyGroup.state).in_(("published", "ended")))
    ).one()
    if pairs < MIN_GROUP:
        return SmallCount(None, pairs_too_few=True)
    held = session.exec(
        select(func.count())
        .select_from(CheckIn)
        .join(BuddyGroup, col(BuddyGroup.id) == col(CheckIn.group_id))
        .where(BuddyGroup.cohort_id == cohort.id, CheckIn.state == "held")
    ).one()
    return SmallCount(held if held >= MIN_GROUP else None)
