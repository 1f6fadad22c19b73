"""Plain data of the agenda: days, blocks, exercises, pins, placements and time helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal

from app.core.i18n import gettext as _

BlockKind = Literal["break", "lunch", "fixed"]
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True, slots=True)
class Block:
    """A break, lunch or fixed plenary block the exercises must go around."""

    start: time
    end: time
    title: str
    kind: BlockKind = "break"


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One programme day (1-based) with its hours and blocks."""

    day: int
    date: date
    start: time
    end: time
    breaks: list[Block] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AgendaExercise:
    """An exercise to place; ``after`` lists ids that must end before it starts."""

    id: str
    title: str
    minutes: int
    trio_minutes: int | None = None
    after: tuple[str, ...] = ()
    preferred_day: int | None = None
    phase_rank: int = 2
    kind: str = "exercise"


@dataclass(frozen=True, slots=True)
class Pin:
    """The facilitator's fixed choice of day and start for one exercise."""

    exercise_id: str
    day: int
    start: time


@dataclass(frozen=True, slots=True)
class Placed:
    """One exercise placed on the agenda."""

    exercise_id: str
    day: int
    start: time
    end: time
    pinned: bool = False


@dataclass(slots=True)
class AgendaSolution:
    """The solver's agenda, sorted by day and start, with timing figures for benchmarks."""

    items: list[Placed]
    status: Literal["optimal", "feasible"]
    objective: int
    warnings: list[str]
    first_solution_s: float
    best_solution_s: float
    solve_s: float
    days: list[DayPlan] = field(default_factory=list)


def minutes_of(value: time) -> int:
    """Return minutes since midnight."""
    return value.hour * 60 + value.minute


def time_of(minutes: int) -> time:
    """Return the time of day ``minutes`` after midnight."""
    return time(minutes // 60, minutes % 60)


def format_time(minutes: int) -> str:
    """Return ``HH:MM`` for minutes since midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_span(minutes: int) -> str:
    """Return a duration such as ``27 h 40 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min", minutes=rest)
    if not rest:
        return _("%(hours)s h", hours=hours)
    return _("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)


def exercise_minutes(exercise: AgendaExercise, *, has_trio: bool) -> int:
    """Return the exercise's length, using the trio length when the cohort has a trio."""
    if has_trio and exercise.trio_minutes is not None:
        return exercise.trio_minutes
    return exercise.minutes


def free_segments(day: DayPlan) -> list[tuple[int, int]]:
    """Return the day's free stretches as (start, end) minutes between its blocks."""
    cursor, end = minutes_of(day.start), minutes_of(day.end)
    segments: list[tuple[int, int]] = []
    for block in sorted(day.breaks, key=lambda b: minutes_of(b.start)):
        b_start, b_end = max(minutes_of(block.start), cursor), min(minutes_of(block.end), end)
        if b_start > cursor:
            segments.append((cursor, b_start))
        cursor = max(cursor, b_end)
    if end > cursor:
        segments.append((cursor, end))
    return segments


def number_word(n: int) -> str:
    """Return the English word for small counts, digits beyond ten."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def format_slot(day: int, minutes: int) -> str:
    """Return ``day 2, 10:00``."""
    return _("day %(day)s, %(time)s", day=day, time=format_time(minutes))
