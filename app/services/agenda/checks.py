"""Explain in words why an agenda cannot be built, and check hand-edited agendas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from itertools import pairwise

from app.core.errors import Problem
from app.services.agenda.types import (
    AgendaExercise,
    DayPlan,
    Pin,
    Placed,
    exercise_minutes,
    format_slot,
    format_span,
    format_time,
    free_segments,
    minutes_of,
    number_word,
)

_DAY = 1440


def check_agenda_inputs(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    *,
    pins: Sequence[Pin] = (),
    has_trio: bool = False,
) -> tuple[list[Problem], list[str]]:
    """Return (problems that make the agenda impossible, warnings) found without solving."""
    problems = _check_days(days)
    warnings: list[str] = []
    problems += _check_exercises(days, exercises, warnings)
    if problems:
        return problems, warnings
    length = {e.id: exercise_minutes(e, has_trio=has_trio) for e in exercises}
    pin_problems = _check_pins(days, exercises, pins, length)
    problems += pin_problems
    problems += _check_capacity(days, exercises, pins, length)
    if not pin_problems:
        problems += _check_pinned_order(days, exercises, pins, length)
    return problems, warnings


def _check_days(days: Sequence[DayPlan]) -> list[Problem]:
    if not days:
        return [Problem("agenda", "the agenda has no days", "days")]
    problems = []
    numbers = [d.day for d in days]
    if sorted(numbers) != list(range(1, len(days) + 1)):
        listed = ", ".join(str(n) for n in numbers)
        message = f"days must be numbered 1 to {len(days)} once each; got {listed}"
        problems.append(Problem("agenda", message, "days"))
    for d in days:
        where, hours = f"day {d.day}", _hours(d)
        if d.end <= d.start:
            problems.append(Problem(where, f"the day ends before it starts ({hours})", "end"))
            continue
        blocks = sorted(d.breaks, key=lambda b: b.start)
        for b in blocks:
            span = f"{b.title} ({_hm(b.start)}-{_hm(b.end)})"
            if b.end <= b.start:
                problems.append(Problem(where, f"{span} ends before it starts", "breaks"))
            elif b.start < d.start or b.end > d.end:
                message = f"{span} lies outside the day's hours ({hours})"
                problems.append(Problem(where, message, "breaks"))
        for first, second in pairwise(blocks):
            if second.start < first.end:
                message = (
                    f"{first.title} ({_hm(first.start)}-{_hm(first.end)}) overlaps "
                    f"{second.title} ({_hm(second.start)}-{_hm(second.end)})"
                )
                problems.append(Problem(where, message, "breaks"))
    return problems


def _check_exercises(
    days: Sequence[DayPlan], exercises: Sequence[AgendaExercise], warnings: list[str]
) -> list[Problem]:
    problems, ids = [], {e.id for e in exercises}
    seen: set[str] = set()
    day_numbers = {d.day for d in days}
    for e in exercises:
        where = f"exercise {e.id}"
        if e.id in seen:
            problems.append(Problem(where, f"'{e.title}' is selected twice", "id"))
        seen.add(e.id)
        if e.minutes <= 0 or (e.trio_minutes is not None and e.trio_minutes <= 0):
            problems.append(Problem(where, f"'{e.title}' must last at least 1 min", "minutes"))
        if not 0 <= e.phase_rank <= 4:
            message = f"'{e.title}' has phase {e.phase_rank}; phases run from 0 to 4"
            problems.append(Problem(where, message, "phase_rank"))
        for before in e.after:
            if before not in ids:
                message = f"'{e.title}' must come after '{before}', which is not selected"
                problems.append(Problem(where, message, "after"))
        if e.preferred_day is not None and e.preferred_day not in day_numbers:
            warnings.append(
                f"'{e.title}' prefers day {e.preferred_day}, which the agenda does not have"
            )
    cycle = _find_cycle(exercises)
    if cycle:
        titles = {e.id: e.title for e in exercises}
        chain = " after ".join(f"'{titles[i]}'" for i in cycle)
        problems.append(Problem("agenda", f"'after' cycle: {chain}", "after"))
    return problems


def _find_cycle(exercises: Sequence[AgendaExercise]) -> list[str]:
    after = {e.id: list(e.after) for e in exercises}
    state: dict[str, int] = {}
    for root in after:
        if state.get(root):
            continue
        path, stack = [root], [iter(after[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif nxt in after and state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt in after and not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(after[nxt]))
    return []


def _check_pins(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    pins: Sequence[Pin],
    length: dict[str, int],
) -> list[Problem]:
    problems, by_day = [], {d.day: d for d in days}
    titles = {e.id: e.title for e in exercises}
    placed: list[tuple[Pin, int, int]] = []
    seen: set[str] = set()
    for pin in pins:
        where = f"pin {pin.exercise_id}"
        if pin.exercise_id not in titles:
            message = f"pin for '{pin.exercise_id}' names no selected exercise"
            problems.append(Problem(where, message, "exercise_id"))
            continue
        title = titles[pin.exercise_id]
        if pin.exercise_id in seen:
            problems.append(Problem(where, f"'{title}' is pinned twice", "exercise_id"))
            continue
        seen.add(pin.exercise_id)
        day = by_day.get(pin.day)
        if day is None:
            message = f"pin for '{title}' is on day {pin.day} but the agenda has days 1-{len(days)}"
            problems.append(Problem(where, message, "day"))
            continue
        start = minutes_of(pin.start)
        end = start + length[pin.exercise_id]
        head = f"pin for '{title}' on day {pin.day} at {format_time(start)}"
        if not minutes_of(day.start) <= start < minutes_of(day.end):
            problems.append(Problem(where, f"{head} is outside the day's hours ({_hours(day)})"))
            continue
        if end > minutes_of(day.end):
            message = f"{head} ends at {format_time(end)}, after the day ends ({_hm(day.end)})"
            problems.append(Problem(where, message, "start"))
            continue
        for blk in day.breaks:
            if start < minutes_of(blk.end) and minutes_of(blk.start) < end:
                message = f"{head} overlaps {blk.title} ({_hm(blk.start)}-{_hm(blk.end)})"
                problems.append(Problem(where, message, "start"))
        placed.append((pin, start, end))
    for i, (a, a_start, a_end) in enumerate(placed):
        for b, b_start, b_end in placed[i + 1 :]:
            if a.day == b.day and a_start < b_end and b_start < a_end:
                message = (
                    f"pins for '{titles[a.exercise_id]}' and '{titles[b.exercise_id]}' overlap "
                    f"on day {a.day} ({format_time(a_start)}-{format_time(a_end)} and "
                    f"{format_time(b_start)}-{format_time(b_end)})"
                )
                problems.append(Problem(f"pin {b.exercise_id}", message, "start"))
    return problems


def _check_capacity(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    pins: Sequence[Pin],
    length: dict[str, int],
) -> list[Problem]:
    segments = [seg for d in days for seg in free_segments(d)]
    available = sum(b - a for a, b in segments)
    needed = sum(length.values())
    problems = []
    if needed > available:
        days_text = "the day gives" if len(days) == 1 else f"the {number_word(len(days))} days give"
        message = (
            f"the selected exercises need {format_span(needed)}; "
            f"{days_text} {format_span(available)}"
        )
        problems.append(Problem("agenda", message, "exercises"))
    longest = max((b - a for a, b in segments), default=0)
    pinned = {p.exercise_id for p in pins}
    for e in exercises:
        if length[e.id] > longest and e.id not in pinned:
            message = (
                f"'{e.title}' needs {length[e.id]} min but the longest free stretch "
                f"on any day is {longest} min"
            )
            problems.append(Problem(f"exercise {e.id}", message, "minutes"))
    return problems


def _check_pinned_order(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    pins: Sequence[Pin],
    length: dict[str, int],
) -> list[Problem]:
    """Catch prerequisites a pin makes impossible, before the solver has to prove it."""
    stretches = [(d.day * _DAY + a, d.day * _DAY + b) for d in days for a, b in free_segments(d)]
    pin_at = {p.exercise_id: p.day * _DAY + minutes_of(p.start) for p in pins}
    titles = {e.id: e.title for e in exercises}
    problems = []
    for e in exercises:
        for before in e.after:
            head = f"'{e.title}' must come after '{titles[before]}'"
            where = f"exercise {e.id}"
            if e.id in pin_at and before in pin_at:
                before_end = pin_at[before] + length[before]
                if pin_at[e.id] < before_end:
                    message = (
                        f"{head} but is pinned to {_slot(pin_at[e.id])}, "
                        f"before '{titles[before]}' ends ({_slot(before_end)})"
                    )
                    problems.append(Problem(where, message, "after"))
            elif before in pin_at:
                earliest = pin_at[before] + length[before]
                if not any(b - max(a, earliest) >= length[e.id] for a, b in stretches):
                    message = f"{head} but '{titles[before]}' is pinned to the last slot"
                    problems.append(Problem(where, f"{message} ({_slot(pin_at[before])})", "after"))
            elif e.id in pin_at:
                latest = pin_at[e.id]
                if not any(min(b, latest) - a >= length[before] for a, b in stretches):
                    message = f"{head} but '{e.title}' is pinned to the first slot"
                    problems.append(Problem(where, f"{message} ({_slot(latest)})", "after"))
    return problems


def validate_placement(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    placed_items: Sequence[Placed],
    *,
    has_trio: bool = False,
) -> list[Problem]:
    """Return every fault of a hand-edited agenda, each naming the items involved."""
    by_day, by_id = {d.day: d for d in days}, {e.id: e for e in exercises}
    problems: list[Problem] = []
    spans: dict[str, tuple[int, int]] = {}
    ok: list[Placed] = []
    for p in placed_items:
        start, end = minutes_of(p.start), minutes_of(p.end)
        where = format_slot(p.day, start)
        e, day = by_id.get(p.exercise_id), by_day.get(p.day)
        if e is None:
            message = f"'{p.exercise_id}' is not a selected exercise"
            problems.append(Problem(where, message, "exercise_id"))
            continue
        label = f"'{e.title}' ({format_slot(p.day, start)}-{format_time(end)})"
        if e.id in spans:
            problems.append(Problem(where, f"'{e.title}' is on the agenda twice", "exercise_id"))
            continue
        if day is None:
            problems.append(
                Problem(
                    where, f"'{e.title}' is on day {p.day}, which the agenda does not have", "day"
                )
            )
            continue
        need = exercise_minutes(e, has_trio=has_trio)
        if end - start != need:
            message = f"{label} lasts {end - start} min but the exercise needs {need} min"
            problems.append(Problem(where, message, "end"))
        if start < minutes_of(day.start) or end > minutes_of(day.end):
            message = f"{label} runs outside the day's hours ({_hours(day)})"
            problems.append(Problem(where, message, "start"))
        for blk in day.breaks:
            if start < minutes_of(blk.end) and minutes_of(blk.start) < end:
                message = f"{label} overlaps {blk.title} ({_hm(blk.start)}-{_hm(blk.end)})"
                problems.append(Problem(where, message, "start"))
        spans[e.id] = (p.day * _DAY + start, p.day * _DAY + end)
        ok.append(p)
    ok.sort(key=lambda p: (p.day, p.start))
    for i, a in enumerate(ok):
        for b in ok[i + 1 :]:
            if b.day == a.day and b.start < a.end:
                message = (
                    f"'{by_id[a.exercise_id].title}' ({_hm(a.start)}-{_hm(a.end)}) and "
                    f"'{by_id[b.exercise_id].title}' ({_hm(b.start)}-{_hm(b.end)}) "
                    f"overlap on day {a.day}"
                )
                problems.append(Problem(format_slot(b.day, minutes_of(b.start)), message, "start"))
    for e_id, (start, _end) in spans.items():
        for before in by_id[e_id].after:
            if before in spans and start < spans[before][1]:
                message = (
                    f"'{by_id[e_id].title}' must come after '{by_id[before].title}' but starts "
                    f"at {_slot(start)}, before '{by_id[before].title}' ends "
                    f"({_slot(spans[before][1])})"
                )
                problems.append(Problem(_slot(start), message, "start"))
    return problems


def _hm(value: time) -> str:
    return format_time(minutes_of(value))


def _hours(day: DayPlan) -> str:
    return f"{_hm(day.start)}-{_hm(day.end)}"


def _slot(global_minutes: int) -> str:
    day, minutes = divmod(global_minutes, _DAY)
    return format_slot(day, minutes)
