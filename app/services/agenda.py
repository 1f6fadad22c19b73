"""A cohort's agenda: build it with the solver, edit it by hand with conflicts shown at once.

This module is the front door: calendar editing, ICS export, the run of show and what a
participant's tablet shows now are re-exported from their own modules beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import InvalidInput, NotFound, Problem
from app.models import Cohort
from app.services.agenda_calendar import (
    add_block,
    check_day_number,
    parse_clock,
    remove_block,
    set_day_hours,
)
from app.services.agenda_export import build_cohort_ics, build_participant_ics
from app.services.agenda_run import (
    NowInfo,
    NowItem,
    RunAction,
    act_on_run,
    participant_now,
    view_run_of_show,
)
from app.services.agenda_solver import solve_agenda, validate_placement
from app.services.agenda_store import (
    agenda_exercises,
    bump_version,
    cohort_has_trio,
    edited_days,
    find_item,
    load_days,
    load_items,
    save_items,
)
from app.services.agenda_types import Pin, Placed, exercise_minutes, minutes_of, time_of
from app.services.audit import record_event
from app.services.library import ExerciseSpec, Library
from app.services.program import BoundExercise, bind_program, current_library, program_of

__all__ = [
    "AgendaView",
    "BuildResult",
    "DayView",
    "Entry",
    "NowInfo",
    "NowItem",
    "RunAction",
    "act_on_run",
    "add_block",
    "add_exercise",
    "build_agenda",
    "build_cohort_ics",
    "build_participant_ics",
    "get_agenda",
    "move_item",
    "parse_clock",
    "participant_now",
    "remove_block",
    "remove_exercise",
    "set_day_hours",
    "set_pinned",
    "view_run_of_show",
]

SCHEDULED_FROM = ("draft", "paired")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a printed day: an exercise or a block."""

    kind: str
    title: str
    start: time
    end: time
    exercise_id: str | None = None
    pinned: bool = False
    phase: str = ""
    exercise_kind: str = ""


@dataclass(frozen=True, slots=True)
class DayView:
    """One day of the agenda as pages, JSON and the CLI show it."""

    day: int
    date: date
    start: time
    end: time
    entries: list[Entry]
    edited: bool


@dataclass(frozen=True, slots=True)
class AgendaView:
    """The whole agenda with its conflicts and the exercises not on it."""

    days: list[DayView]
    conflicts: list[Problem]
    unscheduled: list[ExerciseSpec]
    addable: list[ExerciseSpec]
    has_trio: bool
    built: bool


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A solved agenda: its view, the solver's warnings and how long it took."""

    agenda: AgendaView
    warnings: list[str] = field(default_factory=list)
    status: str = "optimal"
    solve_s: float = 0.0


def _library() -> Library:
    return current_library(get_settings().all_library_dirs)


def get_agenda(session: Session, *, cohort: Cohort, library: Library | None = None) -> AgendaView:
    """Return the agenda per day with blocks merged in, its conflicts, and what could be added."""
    days = load_days(session, cohort=cohort)
    items = load_items(session, cohort=cohort)
    program = program_of(session, cohort=cohort, include_unselected=True)
    selected = [b for b in program if b.row.selected]
    has_trio = cohort_has_trio(session, cohort=cohort)
    edited = edited_days(session, cohort=cohort)
    views = []
    for d in days:
        entries = [Entry(b.kind, b.title, b.start, b.end) for b in d.breaks]
        entries += [
            Entry(
                "exercise",
                i.bound.spec.title,
                i.placed.start,
                i.placed.end,
                exercise_id=i.placed.exercise_id,
                pinned=i.placed.pinned,
                phase=i.bound.spec.phase,
                exercise_kind=i.bound.spec.kind,
            )
            for i in items
            if i.placed.day == d.day
        ]
        entries.sort(key=lambda e: (e.start, e.end))
        views.append(DayView(d.day, d.date, d.start, d.end, entries, d.day in edited))
    exercises = agenda_exercises(selected)
    conflicts = validate_placement(days, exercises, [i.placed for i in items], has_trio=has_trio)
    placed_ids = {i.placed.exercise_id for i in items}
    unscheduled = [b.spec for b in selected if b.spec.id not in placed_ids]
    if selected:
        conflicts += [
            Problem(f"exercise {s.id}", f"'{s.title}' is not on the agenda yet", "exercise_id")
            for s in unscheduled
        ]
    bound_ids = {b.spec.id for b in selected}
    unselected = [b.spec for b in program if not b.row.selected]
    lib_extra = [s for s in (library or _library()).ordered() if s.id not in bound_ids]
    addable = unselected + [s for s in lib_extra if s.id not in {u.id for u in unselected}]
    return AgendaView(views, conflicts, unscheduled, addable, has_trio, bool(items))


def build_agenda(
    session: Session,
    *,
    cohort: Cohort,
    actor: str = "cli",
    time_limit_s: float = 3.0,
    library: Library | None = None,
) -> BuildResult:
    """Solve the agenda around the pinned items (binding the program first if it has none)."""
    program = program_of(session, cohort=cohort)
    if not program:
        program = bind_program(session, cohort=cohort, library=library or _library())
    pins = [
        Pin(i.placed.exercise_id, i.placed.day, i.placed.start)
        for i in load_items(session, cohort=cohort)
        if i.placed.pinned
    ]
    return _solve_and_save(
        session,
        cohort=cohort,
        program=program,
        pins=pins,
        actor=actor,
        time_limit_s=time_limit_s,
        library=library,
    )


def _solve_and_save(
    session: Session,
    *,
    cohort: Cohort,
    program: list[BoundExercise],
    pins: Sequence[Pin],
    actor: str,
    time_limit_s: float,
    library: Library | None,
    keep_pinned: set[str] | None = None,
) -> BuildResult:
    days = load_days(session, cohort=cohort)
    has_trio = cohort_has_trio(session, cohort=cohort)
    solution = solve_agenda(
        days, agenda_exercises(program), pins=pins, has_trio=has_trio, time_limit_s=time_limit_s
    )
    really_pinned = keep_pinned if keep_pinned is not None else {p.exercise_id for p in pins}
    placed = [
        Placed(p.exercise_id, p.day, p.start, p.end, p.exercise_id in really_pinned)
        for p in solution.items
    ]
    save_items(session, cohort=cohort, placed=placed, program=program)
    if cohort.status in SCHEDULED_FROM:
        cohort.status = "scheduled"
        session.add(cohort)
    bump_version(session, cohort=cohort)
    record_event(
        session,
        actor=actor,
        action="agenda.build",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"items": len(placed), "pins": len(pins), "status": solution.status},
    )
    return BuildResult(
        get_agenda(session, cohort=cohort, library=library),
        solution.warnings,
        solution.status,
        solution.solve_s,
    )


def _bound(session: Session, cohort: Cohort, exercise_id: str) -> BoundExercise:
    for b in program_of(session, cohort=cohort, include_unselected=True):
        if b.spec.id == exercise_id:
            return b
    raise NotFound(f"'{exercise_id}' is not in this cohort's program")


def _placed_item(session: Session, cohort: Cohort, exercise_id: str) -> BoundExercise:
    bound = _bound(session, cohort, exercise_id)
    if not bound.row.selected or find_item(session, cohort=cohort, bound=bound) is None:
        raise NotFound(f"'{bound.spec.title}' is not on the agenda")
    return bound


def _place(
    session: Session, *, cohort: Cohort, bound: BoundExercise, day: int, start: time, force: bool
) -> list[Problem]:
    """Put one exercise at (day, start), pinned; refuse new conflicts unless ``force``."""
    check_day_number(cohort, day)
    has_trio = cohort_has_trio(session, cohort=cohort)
    length = exercise_minutes(agenda_exercises([bound])[0], has_trio=has_trio)
    end_minutes = minutes_of(start) + length
    if end_minutes >= 24 * 60:
        message = f"'{bound.spec.title}' would end after midnight"
        raise InvalidInput("the move is not valid", [Problem(f"day {day}", message, "start")])
    days = load_days(session, cohort=cohort)
    selected = [b for b in program_of(session, cohort=cohort) if b.row.selected]
    if bound.spec.id not in {b.spec.id for b in selected}:
        selected.append(bound)
    exercises = agenda_exercises(selected)
    items = [i.placed for i in load_items(session, cohort=cohort)]
    before = set(validate_placement(days, exercises, items, has_trio=has_trio))
    moved = Placed(bound.spec.id, day, start, time_of(end_minutes), True)
    after_items = [p for p in items if p.exercise_id != bound.spec.id] + [moved]
    after = validate_placement(days, exercises, after_items, has_trio=has_trio)
    new = [p for p in after if p not in before]
    if new and not force:
        raise InvalidInput("the move would create conflicts; nothing was changed", new)
    save_items(session, cohort=cohort, placed=after_items, program=selected)
    bump_version(session, cohort=cohort)
    return after


def move_item(
    session: Session,
    *,
    cohort: Cohort,
    exercise_id: str,
    day: int,
    start: time,
    force: bool = False,
    actor: str = "cli",
) -> list[Problem]:
    """Move an exercise and pin it there; return the agenda's conflicts after the move."""
    bound = _placed_item(session, cohort, exercise_id)
    conflicts = _place(session, cohort=cohort, bound=bound, day=day, start=start, force=force)
    record_event(
        session,
        actor=actor,
        action="agenda.move",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"exercise": exercise_id, "day": day, "forced": force},
    )
    return conflicts


def set_pinned(
    session: Session, *, cohort: Cohort, exercise_id: str, pinned: bool, actor: str = "cli"
) -> None:
    """Pin an exercise where it is (a re-solve keeps it) or release it."""
    bound = _placed_item(session, cohort, exercise_id)
    row = find_item(session, cohort=cohort, bound=bound)
    assert row is not None
    row.pinned = pinned
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="agenda.pin" if pinned else "agenda.unpin",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"exercise": exercise_id},
    )


def remove_exercise(
    session: Session, *, cohort: Cohort, exercise_id: str, actor: str = "cli"
) -> None:
    """Take an exercise out of the cohort's program and agenda (its snapshot stays bound)."""
    bound = _bound(session, cohort, exercise_id)
    if not bound.row.selected:
        raise NotFound(f"'{bound.spec.title}' is not on the agenda")
    row = find_item(session, cohort=cohort, bound=bound)
    if row is not None:
        session.delete(row)
    bound.row.selected = False
    session.add(bound.row)
    session.flush()
    bump_version(session, cohort=cohort)
    record_event(
        session,
        actor=actor,
        action="agenda.remove",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"exercise": exercise_id},
    )


def add_exercise(
    session: Session,
    *,
    cohort: Cohort,
    exercise_id: str,
    day: int | None = None,
    start: time | None = None,
    force: bool = False,
    actor: str = "cli",
    library: Library | None = None,
    time_limit_s: float = 3.0,
) -> list[Problem]:
    """Add an exercise at (day, start), or wherever it fits without moving the others.

    Without a slot the others stay put if at all possible; only when no such place exists is
    the agenda re-solved around the facilitator's pins. Returns the conflicts afterwards.
    """
    if (day is None) != (start is None):
        problem = Problem("slot", "give both a day and a start time, or neither", "start")
        raise InvalidInput("the slot is not complete", [problem])
    selected_ids = [b.spec.id for b in program_of(session, cohort=cohort)]
    if exercise_id in selected_ids:
        raise InvalidInput(
            "already on the agenda",
            [Problem(f"exercise {exercise_id}", "is already in the program", "exercise_id")],
        )
    lib = library or _library()
    known = {b.spec.id for b in program_of(session, cohort=cohort, include_unselected=True)}
    if exercise_id not in known and exercise_id not in lib.exercises:
        raise NotFound(f"'{exercise_id}' is not in the exercise library")
    program = bind_program(
        session, cohort=cohort, library=lib, exercise_ids=[*selected_ids, exercise_id]
    )
    bound = next(b for b in program if b.spec.id == exercise_id)
    record_event(
        session,
        actor=actor,
        action="agenda.add",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"exercise": exercise_id},
    )
    if day is not None and start is not None:
        return _place(session, cohort=cohort, bound=bound, day=day, start=start, force=force)
    items = load_items(session, cohort=cohort)
    real_pins = {i.placed.exercise_id for i in items if i.placed.pinned}
    hold = [Pin(i.placed.exercise_id, i.placed.day, i.placed.start) for i in items]
    try:
        result = _solve_and_save(
            session,
            cohort=cohort,
            program=program,
            pins=hold,
            actor=actor,
            time_limit_s=time_limit_s,
            library=lib,
            keep_pinned=real_pins,
        )
    except InvalidInput:
        pins = [p for p in hold if p.exercise_id in real_pins]
        result = _solve_and_save(
            session,
            cohort=cohort,
            program=program,
            pins=pins,
            actor=actor,
            time_limit_s=time_limit_s,
            library=lib,
        )
    return result.agenda.conflicts
