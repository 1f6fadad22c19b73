"""After the solve: pack items earlier, settle moved coffee breaks, and the soft warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.core.i18n import gettext as _
from app.services.agenda.types import (
    AgendaExercise,
    Block,
    DayPlan,
    Placed,
    free_segments,
    minutes_of,
    time_of,
)


def pack_left(items: list[Placed], days: Sequence[DayPlan], gap: int) -> list[Placed]:
    """Slide unpinned items earlier in their running order; no constraint can break."""
    segments = {d.day: (free_segments(d), minutes_of(d.end)) for d in days}
    packed: list[Placed] = []
    cursor: dict[int, int] = {d.day: minutes_of(d.start) for d in days}
    for p in items:
        start, end = minutes_of(p.start), minutes_of(p.end)
        if not p.pinned:
            free, day_end = segments[p.day]
            for a, b in free:
                candidate = max(a, cursor[p.day])
                room = b if b == day_end else b - gap
                if candidate + end - start <= room and candidate <= start:
                    start, end = candidate, candidate + end - start
                    break
        packed.append(Placed(p.exercise_id, p.day, time_of(start), time_of(end), p.pinned))
        cursor[p.day] = end + gap
    return packed


def block_length(block: Block) -> int:
    return minutes_of(block.end) - minutes_of(block.start)


def fixed_only(day: DayPlan) -> DayPlan:
    return replace(day, breaks=[b for b in day.breaks if b.kind != "break"])


def moved_block(block: Block, start: int | None) -> Block:
    if start is None or start == minutes_of(block.start):
        return block
    return replace(block, start=time_of(start), end=time_of(start + block_length(block)))


def settle_breaks(
    original: Sequence[DayPlan], solved: Sequence[DayPlan], items: Sequence[Placed]
) -> list[DayPlan]:
    """Slide each moved coffee break back towards its planned time as far as the items allow."""
    settled = []
    for before, after in zip(original, solved, strict=True):
        taken = [(minutes_of(p.start), minutes_of(p.end)) for p in items if p.day == before.day]
        breaks = list(after.breaks)
        for i, (planned, now) in enumerate(zip(before.breaks, after.breaks, strict=True)):
            if planned == now:
                continue
            others = taken + [
                (minutes_of(b.start), minutes_of(b.end)) for j, b in enumerate(breaks) if j != i
            ]
            target, current, size = (
                minutes_of(planned.start),
                minutes_of(now.start),
                block_length(now),
            )
            step = 1 if target > current else -1
            for candidate in range(target, current, -step):
                if all(candidate + size <= a or b <= candidate for a, b in others):
                    breaks[i] = moved_block(now, candidate)
                    break
        settled.append(replace(after, breaks=breaks))
    return settled


def day_miss_warnings(items: Sequence[Placed], exercises: Sequence[AgendaExercise]) -> list[str]:
    """One line per unpinned exercise the solver put away from its preferred day."""
    by_id = {e.id: e for e in exercises}
    warnings = []
    for p in items:
        e = by_id[p.exercise_id]
        if e.preferred_day is not None and e.preferred_day != p.day and not p.pinned:
            warnings.append(
                _(
                    "'%(title)s' prefers day %(preferred)s but is on day %(day)s",
                    title=e.title,
                    preferred=e.preferred_day,
                    day=p.day,
                )
            )
    return warnings


def soft_warnings(items: Sequence[Placed], exercises: Sequence[AgendaExercise]) -> list[str]:
    by_id = {e.id: e for e in exercises}
    warnings = day_miss_warnings(items, exercises)
    highest = -1
    for p in items:
        e = by_id[p.exercise_id]
        if e.phase_rank < highest:
            warnings.append(
                _(
                    "'%(title)s' (phase %(phase)s) comes after a phase %(highest)s item",
                    title=e.title,
                    phase=e.phase_rank,
                    highest=highest,
                )
            )
        highest = max(highest, e.phase_rank)
    return warnings
