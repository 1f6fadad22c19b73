"""The agenda solver places every exercise, honours every constraint and explains failures."""

from __future__ import annotations

from datetime import date, time

import pytest

from app.core.errors import InvalidInput, Problem
from app.services.agenda.solver import (
    AgendaExercise,
    Block,
    DayPlan,
    Pin,
    Placed,
    solve_agenda,
    validate_placement,
)

COFFEE = Block(time(10, 0), time(10, 30), "Coffee")
LUNCH = Block(time(12, 0), time(13, 0), "Lunch", "lunch")


def day(n: int, start: time = time(9), end: time = time(12), *blocks: Block) -> DayPlan:
    return DayPlan(n, date(2026, 10, 22 + n), start, end, list(blocks))


def ex(ex_id: str, minutes: int, **kwargs: object) -> AgendaExercise:
    return AgendaExercise(ex_id, ex_id.upper(), minutes, **kwargs)  # type: ignore[arg-type]


def slots(items: list[Placed]) -> list[tuple[str, int, str, str]]:
    return [(p.exercise_id, p.day, f"{p.start:%H:%M}", f"{p.end:%H:%M}") for p in items]


def problems_of(*args: object, **kwargs: object) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        solve_agenda(*args, **kwargs)  # type: ignore[arg-type]
    assert caught.value.message == "the agenda cannot be built"
    return [p.message for p in caught.value.problems]


def test_solve_agenda_fills_the_day_around_a_break_in_phase_order() -> None:
    days = [day(1, time(9), time(12), COFFEE)]
    exercises = [ex("c", 30, phase_rank=2), ex("b", 60, phase_rank=1), ex("a", 60, phase_rank=0)]

    solution = solve_agenda(days, exercises)

    assert solution.status == "optimal"
    assert slots(solution.items) == [
        ("a", 1, "09:00", "10:00"),
        ("b", 1, "10:30", "11:30"),
        ("c", 1, "11:30", "12:00"),
    ]
    assert solution.warnings == []
    assert 0 <= solution.first_solution_s <= solution.best_solution_s <= solution.solve_s


def test_solve_agenda_prerequisite_beats_phase_order() -> None:
    days = [day(1, time(9), time(11))]
    exercises = [ex("a", 60, phase_rank=0, after=("b",)), ex("b", 60, phase_rank=1)]

    solution = solve_agenda(days, exercises)

    assert slots(solution.items) == [("b", 1, "09:00", "10:00"), ("a", 1, "10:00", "11:00")]
    assert solution.warnings == ["'A' (phase 0) comes after a phase 1 item"]


def test_solve_agenda_prerequisite_holds_across_days() -> None:
    days = [day(1, time(9), time(10)), day(2, time(9), time(10))]
    exercises = [ex("a", 60, phase_rank=0, after=("b",)), ex("b", 60, phase_rank=4)]

    solution = solve_agenda(days, exercises)

    assert slots(solution.items) == [("b", 1, "09:00", "10:00"), ("a", 2, "09:00", "10:00")]


def test_solve_agenda_keeps_fixed_blocks_free() -> None:
    keynote = Block(time(9), time(10), "Keynote", "fixed")
    solution = solve_agenda([day(1, time(9), time(12), keynote)], [ex("a", 90)])

    assert slots(solution.items) == [("a", 1, "10:00", "11:30")]


def test_solve_agenda_uses_trio_minutes_only_with_a_trio() -> None:
    exercises = [ex("a", 30, trio_minutes=45)]

    pairs = solve_agenda([day(1)], exercises)
    trio = solve_agenda([day(1)], exercises, has_trio=True)

    assert slots(pairs.items) == [("a", 1, "09:00", "09:30")]
    assert slots(trio.items) == [("a", 1, "09:00", "09:45")]


def test_solve_agenda_honours_pins_and_marks_them() -> None:
    exercises = [ex("a", 60), ex("b", 30)]
    pins = [Pin("a", 2, time(10, 30))]

    solution = solve_agenda([day(1), day(2)], exercises, pins=pins)

    assert solution.items == [
        Placed("b", 1, time(9), time(9, 30), pinned=False),
        Placed("a", 2, time(10, 30), time(11, 30), pinned=True),
    ]


def test_solve_agenda_honours_preferred_day() -> None:
    exercises = [ex("a", 30, preferred_day=2), ex("b", 30, preferred_day=1)]

    solution = solve_agenda([day(1), day(2)], exercises)

    assert slots(solution.items) == [("b", 1, "09:00", "09:30"), ("a", 2, "09:00", "09:30")]


def test_solve_agenda_balances_the_days() -> None:
    exercises = [ex(name, 60) for name in "abcd"]

    solution = solve_agenda([day(1, time(9), time(13)), day(2, time(9), time(13))], exercises)

    assert [sum(1 for p in solution.items if p.day == n) for n in (1, 2)] == [2, 2]


def test_solve_agenda_leaves_the_gap_between_items_but_not_at_day_end() -> None:
    exercises = [ex("a", 60, phase_rank=0), ex("b", 45, phase_rank=1)]

    solution = solve_agenda([day(1, time(9), time(11))], exercises, gap_minutes=15)

    assert slots(solution.items) == [("a", 1, "09:00", "10:00"), ("b", 1, "10:15", "11:00")]


def test_solve_agenda_explains_too_many_minutes() -> None:
    days = [day(n, time(9), time(15), LUNCH) for n in (1, 2, 3, 4)]
    exercises = [ex(f"e{i}", 90) for i in range(14)]

    assert problems_of(days, exercises) == [
        "the selected exercises need 21 h; the 4 days give 20 h"
    ]


def test_solve_agenda_explains_an_exercise_longer_than_any_stretch() -> None:
    days = [day(1, time(9), time(12), COFFEE)]

    assert problems_of(days, [ex("x", 120)]) == [
        "'X' needs 120 min but the longest free stretch on any day is 90 min"
    ]


def test_solve_agenda_explains_a_pin_on_lunch() -> None:
    days = [day(1, time(9), time(17)), day(2, time(9), time(17), LUNCH)]

    assert problems_of(days, [ex("x", 30)], pins=[Pin("x", 2, time(12, 15))]) == [
        "pin for 'X' on day 2 at 12:15 overlaps Lunch (12:00-13:00)"
    ]


def test_solve_agenda_explains_pins_outside_the_day() -> None:
    pins = [Pin("x", 1, time(8)), Pin("y", 1, time(11, 30)), Pin("z", 3, time(9))]
    exercises = [ex("x", 30), ex("y", 60), ex("z", 30)]

    assert problems_of([day(1), day(2)], exercises, pins=pins) == [
        "pin for 'X' on day 1 at 08:00 is outside the day's hours (09:00-12:00)",
        "pin for 'Y' on day 1 at 11:30 ends at 12:30, after the day ends (12:00)",
        "pin for 'Z' is on day 3 but the agenda has days 1-2",
    ]


def test_solve_agenda_explains_a_prerequisite_pinned_to_the_last_slot() -> None:
    days = [day(n, time(9), time(17)) for n in (1, 2, 3, 4)]
    exercises = [ex("x", 30, after=("y",)), ex("y", 30)]

    assert problems_of(days, exercises, pins=[Pin("y", 4, time(16, 30))]) == [
        "'X' must come after 'Y' but 'Y' is pinned to the last slot (day 4, 16:30)"
    ]


def test_solve_agenda_explains_cycles_and_unknown_prerequisites() -> None:
    exercises = [ex("a", 30, after=("b",)), ex("b", 30, after=("a", "ghost"))]

    assert problems_of([day(1)], exercises) == [
        "'B' must come after 'ghost', which is not selected",
        "'after' cycle: 'A' after 'B' after 'A'",
    ]


def test_solve_agenda_names_the_pin_the_solver_cannot_keep() -> None:
    # Each prerequisite fits after the pin on its own; only together do they overflow.
    exercises = [ex("p", 15), ex("a", 30, after=("p",)), ex("b", 30, after=("p",))]
    pins = [Pin("p", 2, time(11))]

    with pytest.raises(InvalidInput) as problem:
        solve_agenda([day(1), day(2)], exercises, pins=pins)

    assert problem.value.problems == [
        Problem(
            "pin p",
            "the pin for 'P' (day 2, 11:00) leaves no room for the other exercises and "
            "prerequisites; move or remove it",
            "start",
        )
    ]


def test_validate_placement_accepts_a_solved_agenda() -> None:
    days = [day(1, time(9), time(12), COFFEE)]
    exercises = [ex("a", 60), ex("b", 60, after=("a",)), ex("c", 30)]

    solution = solve_agenda(days, exercises)

    assert validate_placement(days, exercises, solution.items) == []


def test_validate_placement_names_every_fault() -> None:
    days = [day(1, time(9), time(12), COFFEE)]
    exercises = [ex("a", 60), ex("b", 60, after=("a",)), ex("c", 30)]
    placed = [
        Placed("b", 1, time(9), time(10)),
        Placed("a", 1, time(9, 45), time(10, 45)),
        Placed("c", 1, time(11, 45), time(12, 30)),
    ]

    assert [str(p) for p in validate_placement(days, exercises, placed)] == [
        "day 1, 09:45: 'A' (day 1, 09:45-10:45) overlaps Coffee (10:00-10:30)",
        "day 1, 11:45: 'C' (day 1, 11:45-12:30) lasts 45 min but the exercise needs 30 min",
        "day 1, 11:45: 'C' (day 1, 11:45-12:30) runs outside the day's hours (09:00-12:00)",
        "day 1, 09:45: 'B' (09:00-10:00) and 'A' (09:45-10:45) overlap on day 1",
        "day 1, 09:00: 'B' must come after 'A' but starts at day 1, 09:00, "
        "before 'A' ends (day 1, 10:45)",
    ]
