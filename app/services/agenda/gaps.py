"""What a facilitator reads beside the agenda: the free time of each day, and why an
exercise is not on the day the library planned it for."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.i18n import gettext as _
from app.services.agenda.types import (
    AgendaExercise,
    DayPlan,
    Placed,
    exercise_minutes,
    format_span,
    format_time,
    free_segments,
    minutes_of,
)

SHOWN_FREE_MIN = 5


def free_stretches(day: DayPlan, items: Sequence[Placed]) -> list[tuple[int, int]]:
    """Return the day's time that no block and no exercise uses, as (start, end) minutes."""
    free = []
    taken = sorted((minutes_of(p.start), minutes_of(p.end)) for p in items if p.day == day.day)
    for a, b in free_segments(day):
        cursor = a
        for start, end in taken:
            if end <= cursor or start >= b:
                continue
            if start > cursor:
                free.append((cursor, start))
            cursor = max(cursor, end)
        if b > cursor:
            free.append((cursor, b))
    return [(a, b) for a, b in free if b - a >= SHOWN_FREE_MIN]


def explain_day_misses(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    items: Sequence[Placed],
    *,
    has_trio: bool,
) -> dict[str, str]:
    """Say, per exercise placed away from its planned day, why that day cannot hold it."""
    by_id, by_day = {e.id: e for e in exercises}, {d.day: d for d in days}
    where = {p.exercise_id: p for p in items}
    notes = {}
    for p in items:
        e = by_id.get(p.exercise_id)
        if e is None or e.preferred_day is None or e.preferred_day == p.day or p.pinned:
            continue
        day = by_day.get(e.preferred_day)
        if day is None:
            continue
        head = f"'{e.title}' is planned for day {day.day} but is on day {p.day}"
        notes[e.id] = f"{head}: {_reason(day, e, by_id, where, has_trio)}."
    return notes


def _reason(
    day: DayPlan,
    e: AgendaExercise,
    by_id: dict[str, AgendaExercise],
    where: dict[str, Placed],
    has_trio: bool,
) -> str:
    def length(x: AgendaExercise) -> int:
        return exercise_minutes(x, has_trio=has_trio)

    later = [by_id[b] for b in e.after if b in where and where[b].day > day.day]
    if later:
        first = later[0]
        return _(
            "it comes after '%(before)s', which is on day %(before_day)s; move that one to day "
            "%(day)s first",
            before=first.title,
            before_day=where[first.id].day,
            day=day.day,
        )
    stretches = free_segments(day)
    free = sum(b - a for a, b in stretches)
    used = sum(length(by_id[i]) for i, q in where.items() if q.day == day.day and i in by_id)
    # Translators: %(fix)s is "lengthen day 2, shorten a break, or take another ... off day 2".
    fix = _(
        "lengthen day %(day)s, shorten a break, or take another exercise off day %(day)s",
        day=day.day,
    )
    if used + length(e) > free:
        return _(
            "day %(day)s's exercises already take %(used)s of its %(free)s between breaks, and "
            "this one needs %(minutes)s min more; %(fix)s",
            day=day.day,
            used=format_span(used),
            free=format_span(free),
            minutes=length(e),
            fix=fix,
        )
    before = [where[b] for b in e.after if b in where and where[b].day == day.day]
    if before:
        last = max(before, key=lambda q: q.end)
        room = minutes_of(day.end) - minutes_of(last.end)
        if room < length(e):
            return _(
                "it comes after '%(before)s', which ends at %(end)s, and the %(room)s min left "
                "before the day ends are less than the %(minutes)s min it needs; %(fix)s",
                before=by_id[last.exercise_id].title,
                end=format_time(minutes_of(last.end)),
                room=room,
                minutes=length(e),
                fix=fix,
            )
    sizes = ", ".join(str(b - a) for a, b in stretches)
    return _(
        "the stretches between day %(day)s's breaks (%(sizes)s min), even with coffee breaks "
        "moved by up to half an hour, cannot hold its exercises in the order their "
        "prerequisites ask; %(fix)s",
        day=day.day,
        sizes=sizes,
        fix=fix,
    )
