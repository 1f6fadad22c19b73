"""Agenda persistence: the cohort's calendar, its placed exercises and the follow version."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select

from app.core.i18n import current_language
from app.core.i18n import gettext as _
from app.models import BuddyGroup, BuddyMember, Cohort, Participant, utcnow
from app.models.agenda import AgendaBlock, AgendaDay, AgendaItem, RunOfShow
from app.services.agenda.types import AgendaExercise, Block, BlockKind, DayPlan, Placed
from app.services.library import PHASES, BoundExercise, program_of

DEFAULT_HOURS = (time(9, 0), time(17, 30))
DEFAULT_BLOCKS: tuple[tuple[time, time, str, BlockKind], ...] = (
    (time(10, 30), time(10, 45), "Coffee break", "break"),
    (time(12, 30), time(13, 30), "Lunch", "lunch"),
    (time(15, 15), time(15, 30), "Coffee break", "break"),
)
BLOCK_KINDS: tuple[BlockKind, ...] = ("break", "lunch", "fixed")


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A placed exercise with the snapshot it runs."""

    placed: Placed
    bound: BoundExercise


def day_date(cohort: Cohort, day: int) -> date:
    """Return the calendar date of programme day ``day`` (1-based)."""
    return cohort.start_date + timedelta(days=day - 1)


def block_kind(value: str) -> BlockKind:
    """Return ``value`` as a block kind, reading anything unknown as a break."""
    for kind in BLOCK_KINDS:
        if value == kind:
            return kind
    return "break"


def load_days(session: Session, *, cohort: Cohort) -> list[DayPlan]:
    """Return the cohort's days 1..cohort.days, the default calendar where none was edited."""
    rows = {
        r.day: r
        for r in session.exec(select(AgendaDay).where(AgendaDay.cohort_id == cohort.id)).all()
    }
    blocks = load_blocks(session, cohort=cohort)
    plans = []
    for n in range(1, cohort.days + 1):
        row = rows.get(n)
        if row is None:
            hours = DEFAULT_HOURS
            day_blocks = [Block(s, e, t, k) for s, e, t, k in DEFAULT_BLOCKS]
        else:
            hours = (row.start, row.end)
            day_blocks = [
                Block(b.start, b.end, b.title, block_kind(b.kind)) for b in blocks if b.day == n
            ]
        plans.append(DayPlan(n, day_date(cohort, n), hours[0], hours[1], day_blocks))
    return plans


def edited_days(session: Session, *, cohort: Cohort) -> set[int]:
    """Return the days whose calendar was edited (the others follow the default)."""
    return set(session.exec(select(AgendaDay.day).where(AgendaDay.cohort_id == cohort.id)).all())


def load_blocks(session: Session, *, cohort: Cohort) -> list[AgendaBlock]:
    """Return the stored blocks of every edited day, by day and start."""
    return list(
        session.exec(
            select(AgendaBlock)
            .where(AgendaBlock.cohort_id == cohort.id)
            .order_by(col(AgendaBlock.day), col(AgendaBlock.start), col(AgendaBlock.id))
        ).all()
    )


def materialise_day(session: Session, *, cohort: Cohort, day: int) -> AgendaDay:
    """Return the stored row of ``day``, first copying the default calendar into the database."""
    assert cohort.id is not None
    row = session.exec(
        select(AgendaDay).where(AgendaDay.cohort_id == cohort.id, AgendaDay.day == day)
    ).first()
    if row is not None:
        return row
    row = AgendaDay(cohort_id=cohort.id, day=day, start=DEFAULT_HOURS[0], end=DEFAULT_HOURS[1])
    session.add(row)
    for start, end, title, kind in DEFAULT_BLOCKS:
        session.add(
            AgendaBlock(cohort_id=cohort.id, day=day, start=start, end=end, title=title, kind=kind)
        )
    session.flush()
    return row


def save_moved_breaks(
    session: Session, *, cohort: Cohort, before: list[DayPlan], after: list[DayPlan]
) -> list[str]:
    """Store the coffee breaks the solver moved; return one plain sentence per move."""
    notes = []
    for old_day, new_day in zip(before, after, strict=True):
        moves = [(o, n) for o, n in zip(old_day.breaks, new_day.breaks, strict=True) if o != n]
        if not moves:
            continue
        materialise_day(session, cohort=cohort, day=old_day.day)
        rows = [b for b in load_blocks(session, cohort=cohort) if b.day == old_day.day]
        for old, new in moves:
            row = next(r for r in rows if r.start == old.start and r.title == old.title)
            row.start, row.end = new.start, new.end
            session.add(row)
            notes.append(
                _(
                    "Day %(day)s: %(block)s moved from %(start)s to %(new_start)s so that the "
                    "day's exercises fit in their order",
                    day=old_day.day,
                    block=old.title,
                    start=old.start.strftime("%H:%M"),
                    new_start=new.start.strftime("%H:%M"),
                )
            )
    session.flush()
    return notes


def load_items(session: Session, *, cohort: Cohort) -> list[StoredItem]:
    """Return the placed exercises of the cohort's program, by day and start."""
    bound = {b.row.id: b for b in program_of(session, cohort=cohort, include_unselected=True)}
    rows = session.exec(select(AgendaItem).where(AgendaItem.cohort_id == cohort.id)).all()
    items = [
        StoredItem(Placed(b.spec.id, r.day, r.start, r.end, r.pinned), b)
        for r in rows
        if (b := bound.get(r.cohort_exercise_id)) is not None and b.row.selected
    ]
    items.sort(key=lambda i: (i.placed.day, i.placed.start, i.placed.exercise_id))
    return items


def save_items(
    session: Session, *, cohort: Cohort, placed: list[Placed], program: list[BoundExercise]
) -> None:
    """Replace the cohort's agenda items with ``placed``."""
    assert cohort.id is not None
    row_ids = {b.spec.id: b.row.id for b in program}
    session.exec(delete(AgendaItem).where(col(AgendaItem.cohort_id) == cohort.id))
    for p in placed:
        row_id = row_ids[p.exercise_id]
        assert row_id is not None
        session.add(
            AgendaItem(
                cohort_id=cohort.id,
                day=p.day,
                start=p.start,
                end=p.end,
                cohort_exercise_id=row_id,
                pinned=p.pinned,
            )
        )
    session.flush()


def find_item(session: Session, *, cohort: Cohort, bound: BoundExercise) -> AgendaItem | None:
    """Return the agenda row of one bound exercise, if it is placed."""
    return session.exec(
        select(AgendaItem).where(
            AgendaItem.cohort_id == cohort.id, AgendaItem.cohort_exercise_id == bound.row.id
        )
    ).first()


def cohort_has_trio(session: Session, *, cohort: Cohort) -> bool:
    """Return whether any buddy group of the cohort that has not ended has three members."""
    members = session.exec(
        select(BuddyMember.group_id)
        .join(BuddyGroup, col(BuddyGroup.id) == col(BuddyMember.group_id))
        .where(BuddyGroup.cohort_id == cohort.id, BuddyGroup.state != "ended")
    ).all()
    return any(count >= 3 for count in Counter(members).values())


def trio_names(session: Session, *, cohort: Cohort) -> list[list[str]]:
    """The members' names of each group of three of the cohort that has not ended, each group
    sorted by name, groups in the order of their first name."""
    rows = session.exec(
        select(BuddyMember.group_id, Participant.name)
        .join(BuddyGroup, col(BuddyGroup.id) == col(BuddyMember.group_id))
        .join(Participant, col(Participant.id) == col(BuddyMember.participant_id))
        .where(BuddyGroup.cohort_id == cohort.id, BuddyGroup.state != "ended")
    ).all()
    groups: dict[int, list[str]] = {}
    for group_id, name in rows:
        groups.setdefault(group_id, []).append(name)
    return sorted(sorted(names) for names in groups.values() if len(names) >= 3)


def agenda_exercises(program: list[BoundExercise]) -> list[AgendaExercise]:
    """Return the solver's view of a program; prerequisites outside the program are void."""
    ids = {b.spec.id for b in program}
    return [
        AgendaExercise(
            id=b.spec.id,
            title=b.shown_in(current_language()).title,
            minutes=b.spec.minutes,
            trio_minutes=b.spec.trio_minutes,
            after=tuple(a for a in b.spec.after if a in ids),
            preferred_day=b.spec.day,
            phase_rank=PHASES.index(b.spec.phase),
            kind=b.spec.kind,
        )
        for b in program
    ]


def follow_row(session: Session, *, cohort: Cohort) -> RunOfShow:
    """Return the cohort's run-of-show row, creating an empty one."""
    assert cohort.id is not None
    row = session.get(RunOfShow, cohort.id)
    if row is None:
        row = RunOfShow(cohort_id=cohort.id, state={}, version=0)
        session.add(row)
        session.flush()
    return row


def follow_state(session: Session, *, cohort: Cohort) -> dict[str, Any]:
    """The stored run-of-show state, read only: a page view must never create rows."""
    row = session.get(RunOfShow, cohort.id)
    return dict(row.state) if row is not None else {}


def bump_version(session: Session, *, cohort: Cohort) -> int:
    """Count one more change that tablets following the cohort must pick up."""
    row = follow_row(session, cohort=cohort)
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row.version


def follow_version(session: Session, *, cohort_id: int) -> int:
    """Return the cohort's follow version (0 before anything was built or run)."""
    version = session.exec(
        select(RunOfShow.version).where(RunOfShow.cohort_id == cohort_id)
    ).first()
    return int(version or 0)
