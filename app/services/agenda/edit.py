"""Hand edits of an agenda: move, pin, add and remove exercises, with conflicts at once."""

from __future__ import annotations

from datetime import time

from sqlmodel import Session

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import current_language
from app.core.i18n import gettext as _
from app.models import Cohort
from app.services.agenda.build import default_library, solve_and_save
from app.services.agenda.calendar import check_day_number
from app.services.agenda.checks import validate_placement
from app.services.agenda.store import (
    agenda_exercises,
    bump_version,
    cohort_has_trio,
    find_item,
    load_days,
    load_items,
    save_items,
)
from app.services.agenda.types import Pin, Placed, exercise_minutes, minutes_of, time_of
from app.services.library import BoundExercise, Library, bind_program, program_of
from app.services.ops import record_event


def _bound(session: Session, cohort: Cohort, exercise_id: str) -> BoundExercise:
    for b in program_of(session, cohort=cohort, include_unselected=True):
        if b.spec.id == exercise_id:
            return b
    raise NotFound(_("'%(id)s' is not in this cohort's program", id=exercise_id))


def _placed_item(session: Session, cohort: Cohort, exercise_id: str) -> BoundExercise:
    bound = _bound(session, cohort, exercise_id)
    if not bound.row.selected or find_item(session, cohort=cohort, bound=bound) is None:
        raise NotFound(
            _("'%(title)s' is not on the agenda", title=bound.shown_in(current_language()).title)
        )
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
        message = _(
            "'%(title)s' would end after midnight", title=bound.shown_in(current_language()).title
        )
        where = _("day %(day)s", day=day)
        raise InvalidInput(_("the move is not valid"), [Problem(where, message, "start")])
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
        raise InvalidInput(_("the move would create conflicts; nothing was changed"), new)
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
        raise NotFound(
            _("'%(title)s' is not on the agenda", title=bound.shown_in(current_language()).title)
        )
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
        problem = Problem(_("slot"), _("give both a day and a start time, or neither"), "start")
        raise InvalidInput(_("the slot is not complete"), [problem])
    selected_ids = [b.spec.id for b in program_of(session, cohort=cohort)]
    if exercise_id in selected_ids:
        raise InvalidInput(
            _("already on the agenda"),
            [
                Problem(
                    _("exercise %(id)s", id=exercise_id),
                    _("is already in the program"),
                    "exercise_id",
                )
            ],
        )
    lib = library or default_library()
    known = {b.spec.id for b in program_of(session, cohort=cohort, include_unselected=True)}
    if exercise_id not in known and exercise_id not in lib.exercises:
        raise NotFound(_("'%(id)s' is not in the exercise library", id=exercise_id))
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
        result = solve_and_save(
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
        result = solve_and_save(
            session,
            cohort=cohort,
            program=program,
            pins=pins,
            actor=actor,
            time_limit_s=time_limit_s,
            library=lib,
        )
    return result.agenda.conflicts
