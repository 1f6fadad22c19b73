"""Build a cohort's agenda with the solver and show it per day with its conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import InvalidInput, Problem
from app.core.i18n import current_language
from app.core.i18n import gettext as _
from app.models import Cohort
from app.services.agenda.checks import validate_placement
from app.services.agenda.gaps import explain_day_misses, free_stretches
from app.services.agenda.pack import day_miss_warnings
from app.services.agenda.store import (
    agenda_exercises,
    bump_version,
    cohort_has_trio,
    edited_days,
    load_days,
    load_items,
    save_items,
    save_moved_breaks,
)
from app.services.agenda.types import Pin, Placed, time_of
from app.services.library import (
    BoundExercise,
    ExerciseSpec,
    Library,
    bind_program,
    current_library,
    program_of,
)
from app.services.ops import record_event

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
    free: list[Entry] = field(default_factory=list)

    @property
    def rows(self) -> list[Entry]:
        """The day's entries with its free time between them, in time order."""
        return sorted([*self.entries, *self.free], key=lambda e: (e.start, e.end))


@dataclass(frozen=True, slots=True)
class AgendaView:
    """The whole agenda with its conflicts and the exercises not on it."""

    days: list[DayView]
    conflicts: list[Problem]
    unscheduled: list[ExerciseSpec]
    addable: list[ExerciseSpec]
    has_trio: bool
    built: bool
    notes: dict[str, str] = field(default_factory=dict)
    library_problems: list[Problem] = field(default_factory=list)
    """Why the configured library cannot offer more exercises; the bound program still runs."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A solved agenda: its view, the solver's warnings and how long it took."""

    agenda: AgendaView
    warnings: list[str] = field(default_factory=list)
    status: str = "optimal"
    solve_s: float = 0.0


def default_library() -> Library:
    """Return the configured exercise library (shipped plus the organisation's folders)."""
    return current_library(get_settings().all_library_dirs)


def get_agenda(session: Session, *, cohort: Cohort, library: Library | None = None) -> AgendaView:
    """Return the agenda per day with blocks merged in, its conflicts, and what could be added."""
    days = load_days(session, cohort=cohort)
    items = load_items(session, cohort=cohort)
    program = program_of(session, cohort=cohort, include_unselected=True)
    selected = [b for b in program if b.row.selected]
    has_trio = cohort_has_trio(session, cohort=cohort)
    edited = edited_days(session, cohort=cohort)
    language = current_language()
    views = []
    for d in days:
        entries = [Entry(b.kind, b.title, b.start, b.end) for b in d.breaks]
        entries += [
            Entry(
                "exercise",
                i.bound.shown_in(language).title,
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
        free = (
            [
                Entry("free", "Free time", time_of(a), time_of(b))
                for a, b in free_stretches(d, [i.placed for i in items])
            ]
            if items
            else []
        )
        views.append(DayView(d.day, d.date, d.start, d.end, entries, d.day in edited, free))
    exercises = agenda_exercises(selected)
    notes = explain_day_misses(days, exercises, [i.placed for i in items], has_trio=has_trio)
    conflicts = validate_placement(days, exercises, [i.placed for i in items], has_trio=has_trio)
    placed_ids = {i.placed.exercise_id for i in items}
    unscheduled = [b.spec for b in selected if b.spec.id not in placed_ids]
    if selected:
        conflicts += [
            Problem(
                _("exercise %(id)s", id=s.id),
                _("'%(title)s' is not on the agenda yet", title=s.title),
                "exercise_id",
            )
            for s in unscheduled
        ]
    bound_ids = {b.spec.id for b in selected}
    unselected = [b.spec for b in program if not b.row.selected]
    library_problems: list[Problem] = []
    try:
        offered = (library or default_library()).ordered()
    except InvalidInput as exc:
        # One broken file must not stop a cohort whose program is already its own snapshot.
        offered, library_problems = [], exc.problems
    lib_extra = [s for s in offered if s.id not in bound_ids]
    addable = unselected + [s for s in lib_extra if s.id not in {u.id for u in unselected}]
    return AgendaView(
        views, conflicts, unscheduled, addable, has_trio, bool(items), notes, library_problems
    )


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
        program = bind_program(session, cohort=cohort, library=library or default_library())
    pins = [
        Pin(i.placed.exercise_id, i.placed.day, i.placed.start)
        for i in load_items(session, cohort=cohort)
        if i.placed.pinned
    ]
    return solve_and_save(
        session,
        cohort=cohort,
        program=program,
        pins=pins,
        actor=actor,
        time_limit_s=time_limit_s,
        library=library,
    )


def solve_and_save(
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
    """Solve around ``pins``, save the placements and mark the cohort as scheduled."""
    days = load_days(session, cohort=cohort)
    has_trio = cohort_has_trio(session, cohort=cohort)
    # CP-SAT (OR-Tools, which brings pandas) loads only when an agenda is actually solved.
    from app.services.agenda.solver import solve_agenda

    solution = solve_agenda(
        days, agenda_exercises(program), pins=pins, has_trio=has_trio, time_limit_s=time_limit_s
    )
    really_pinned = keep_pinned if keep_pinned is not None else {p.exercise_id for p in pins}
    placed = [
        Placed(p.exercise_id, p.day, p.start, p.end, p.exercise_id in really_pinned)
        for p in solution.items
    ]
    save_items(session, cohort=cohort, placed=placed, program=program)
    moved = save_moved_breaks(session, cohort=cohort, before=days, after=solution.days)
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
    view = get_agenda(session, cohort=cohort, library=library)
    # A missed day is explained beside the agenda itself, with its reason; not twice.
    missed = set(day_miss_warnings(solution.items, agenda_exercises(program)))
    return BuildResult(
        view,
        moved + list(view.notes.values()) + [w for w in solution.warnings if w not in missed],
        solution.status,
        solution.solve_s,
    )


def agenda_to_json(view: AgendaView) -> dict[str, Any]:
    """Return the agenda as JSON-ready data (API and ``tandem agenda build --json``)."""
    return {
        "built": view.built,
        "has_trio": view.has_trio,
        "days": [
            {
                "day": d.day,
                "date": d.date.isoformat(),
                "start": d.start.isoformat(timespec="minutes"),
                "end": d.end.isoformat(timespec="minutes"),
                "edited": d.edited,
                "entries": [
                    {
                        "kind": e.kind,
                        "title": e.title,
                        "start": e.start.isoformat(timespec="minutes"),
                        "end": e.end.isoformat(timespec="minutes"),
                        "exercise_id": e.exercise_id,
                        "pinned": e.pinned,
                    }
                    for e in d.entries
                ],
                "free": [
                    {
                        "start": e.start.isoformat(timespec="minutes"),
                        "end": e.end.isoformat(timespec="minutes"),
                    }
                    for e in d.free
                ],
            }
            for d in view.days
        ],
        "conflicts": [
            {"where": p.where, "field": p.field, "message": p.message} for p in view.conflicts
        ],
        "unscheduled": [s.id for s in view.unscheduled],
        "off_their_day": view.notes,
    }
