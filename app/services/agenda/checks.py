"""Explain in words why an agenda cannot be built, and check hand-edited agendas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from itertools import pairwise

from app.core.errors import Problem
from app.core.i18n import gettext as _
from app.core.i18n import ngettext
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
        return [Problem(_("agenda"), _("the agenda has no days"), "days")]
    problems = []
    numbers = [d.day for d in days]
    if sorted(numbers) != list(range(1, len(days) + 1)):
        listed = ", ".join(str(n) for n in numbers)
        message = _(
            "days must be numbered 1 to %(last)s once each; got %(listed)s",
            last=len(days),
            listed=listed,
        )
        problems.append(Problem(_("agenda"), message, "days"))
    for d in days:
        where, hours = _("day %(day)s", day=d.day), _hours(d)
        if d.end <= d.start:
            message = _("the day ends before it starts (%(hours)s)", hours=hours)
            problems.append(Problem(where, message, "end"))
            continue
        blocks = sorted(d.breaks, key=lambda b: b.start)
        for b in blocks:
            span = f"{b.title} ({_hm(b.start)}-{_hm(b.end)})"
            if b.end <= b.start:
                message = _("%(block)s ends before it starts", block=span)
                problems.append(Problem(where, message, "breaks"))
            elif b.start < d.start or b.end > d.end:
                message = _(
                    "%(block)s lies outside the day's hours (%(hours)s)", block=span, hours=hours
                )
                problems.append(Problem(where, message, "breaks"))
        for first, second in pairwise(blocks):
            if second.start < first.end:
                message = _(
                    "%(first)s overlaps %(second)s",
                    first=_block(first.title, first.start, first.end),
                    second=_block(second.title, second.start, second.end),
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
        where = _("exercise %(id)s", id=e.id)
        if e.id in seen:
            problems.append(Problem(where, _("'%(title)s' is selected twice", title=e.title), "id"))
        seen.add(e.id)
        if e.minutes <= 0 or (e.trio_minutes is not None and e.trio_minutes <= 0):
            message = _("'%(title)s' must last at least 1 min", title=e.title)
            problems.append(Problem(where, message, "minutes"))
        if not 0 <= e.phase_rank <= 4:
            message = _(
                "'%(title)s' has phase %(phase)s; phases run from 0 to 4",
                title=e.title,
                phase=e.phase_rank,
            )
            problems.append(Problem(where, message, "phase_rank"))
        for before in e.after:
            if before not in ids:
                message = _(
                    "'%(title)s' must come after '%(before)s', which is not selected",
                    title=e.title,
                    before=before,
                )
                problems.append(Problem(where, message, "after"))
        if e.preferred_day is not None and e.preferred_day not in day_numbers:
            warnings.append(
                _(
                    "'%(title)s' prefers day %(day)s, which the agenda does not have",
                    title=e.title,
                    day=e.preferred_day,
                )
            )
    cycle = _find_cycle(exercises)
    if cycle:
        titles = {e.id: e.title for e in exercises}
        chain = f"'{titles[cycle[-1]]}'"
        for i in reversed(cycle[:-1]):
            title = f"'{titles[i]}'"
            # Translators: one link of a chain of prerequisites: "'A' after 'B' after 'A'".
            chain = _("%(title)s after %(before)s", title=title, before=chain)
        message = _("'after' cycle: %(chain)s", chain=chain)
        problems.append(Problem(_("agenda"), message, "after"))
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
        where = _("pin %(id)s", id=pin.exercise_id)
        if pin.exercise_id not in titles:
            message = _("pin for '%(id)s' names no selected exercise", id=pin.exercise_id)
            problems.append(Problem(where, message, "exercise_id"))
            continue
        title = titles[pin.exercise_id]
        if pin.exercise_id in seen:
            message = _("'%(title)s' is pinned twice", title=title)
            problems.append(Problem(where, message, "exercise_id"))
            continue
        seen.add(pin.exercise_id)
        day = by_day.get(pin.day)
        if day is None:
            message = _(
                "pin for '%(title)s' is on day %(day)s but the agenda has days 1-%(last)s",
                title=title,
                day=pin.day,
                last=len(days),
            )
            problems.append(Problem(where, message, "day"))
            continue
        start = minutes_of(pin.start)
        end = start + length[pin.exercise_id]
        at = {"title": title, "day": pin.day, "time": format_time(start)}
        if not minutes_of(day.start) <= start < minutes_of(day.end):
            message = _(
                "pin for '%(title)s' on day %(day)s at %(time)s is outside the day's hours "
                "(%(hours)s)",
                hours=_hours(day),
                **at,
            )
            problems.append(Problem(where, message))
            continue
        if end > minutes_of(day.end):
            message = _(
                "pin for '%(title)s' on day %(day)s at %(time)s ends at %(end)s, after the day "
                "ends (%(day_end)s)",
                end=format_time(end),
                day_end=_hm(day.end),
                **at,
            )
            problems.append(Problem(where, message, "start"))
            continue
        for blk in day.breaks:
            if start < minutes_of(blk.end) and minutes_of(blk.start) < end:
                message = _(
                    "pin for '%(title)s' on day %(day)s at %(time)s overlaps %(block)s",
                    block=_block(blk.title, blk.start, blk.end),
                    **at,
                )
                problems.append(Problem(where, message, "start"))
        placed.append((pin, start, end))
    for i, (a, a_start, a_end) in enumerate(placed):
        for b, b_start, b_end in placed[i + 1 :]:
            if a.day == b.day and a_start < b_end and b_start < a_end:
                message = _(
                    "pins for '%(a)s' and '%(b)s' overlap on day %(day)s (%(a_hours)s and "
                    "%(b_hours)s)",
                    a=titles[a.exercise_id],
                    b=titles[b.exercise_id],
                    day=a.day,
                    a_hours=format_time(a_start) + "-" + format_time(a_end),
                    b_hours=format_time(b_start) + "-" + format_time(b_end),
                )
                problems.append(Problem(_("pin %(id)s", id=b.exercise_id), message, "start"))
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
        message = ngettext(
            "the selected exercises need %(needed)s; the day gives %(available)s",
            "the selected exercises need %(needed)s; the %(num)s days give %(available)s",
            len(days),
            needed=format_span(needed),
            available=format_span(available),
        )
        problems.append(Problem(_("agenda"), message, "exercises"))
    longest = max((b - a for a, b in segments), default=0)
    pinned = {p.exercise_id for p in pins}
    for e in exercises:
        if length[e.id] > longest and e.id not in pinned:
            message = _(
                "'%(title)s' needs %(minutes)s min but the longest free stretch on any day is "
                "%(longest)s min",
                title=e.title,
                minutes=length[e.id],
                longest=longest,
            )
            problems.append(Problem(_("exercise %(id)s", id=e.id), message, "minutes"))
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
            names = {"title": e.title, "before": titles[before]}
            where = _("exercise %(id)s", id=e.id)
            if e.id in pin_at and before in pin_at:
                before_end = pin_at[before] + length[before]
                if pin_at[e.id] < before_end:
                    message = _(
                        "'%(title)s' must come after '%(before)s' but is pinned to %(slot)s, "
                        "before '%(before)s' ends (%(end)s)",
                        slot=_slot(pin_at[e.id]),
                        end=_slot(before_end),
                        **names,
                    )
                    problems.append(Problem(where, message, "after"))
            elif before in pin_at:
                earliest = pin_at[before] + length[before]
                if not any(b - max(a, earliest) >= length[e.id] for a, b in stretches):
                    message = _(
                        "'%(title)s' must come after '%(before)s' but '%(before)s' is pinned to "
                        "the last slot (%(slot)s)",
                        slot=_slot(pin_at[before]),
                        **names,
                    )
                    problems.append(Problem(where, message, "after"))
            elif e.id in pin_at:
                latest = pin_at[e.id]
                if not any(min(b, latest) - a >= length[before] for a, b in stretches):
                    message = _(
                        "'%(title)s' must come after '%(before)s' but '%(title)s' is pinned to "
                        "the first slot (%(slot)s)",
                        slot=_slot(latest),
                        **names,
                    )
                    problems.append(Problem(where, message, "after"))
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
            message = _("'%(id)s' is not a selected exercise", id=p.exercise_id)
            problems.append(Problem(where, message, "exercise_id"))
            continue
        label = f"'{e.title}' ({format_slot(p.day, start)}-{format_time(end)})"
        if e.id in spans:
            message = _("'%(title)s' is on the agenda twice", title=e.title)
            problems.append(Problem(where, message, "exercise_id"))
            continue
        if day is None:
            problems.append(
                Problem(
                    where,
                    _(
                        "'%(title)s' is on day %(day)s, which the agenda does not have",
                        title=e.title,
                        day=p.day,
                    ),
                    "day",
                )
            )
            continue
        need = exercise_minutes(e, has_trio=has_trio)
        if end - start != need:
            message = _(
                "%(item)s lasts %(minutes)s min but the exercise needs %(need)s min",
                item=label,
                minutes=end - start,
                need=need,
            )
            problems.append(Problem(where, message, "end"))
        if start < minutes_of(day.start) or end > minutes_of(day.end):
            message = _(
                "%(item)s runs outside the day's hours (%(hours)s)", item=label, hours=_hours(day)
            )
            problems.append(Problem(where, message, "start"))
        for blk in day.breaks:
            if start < minutes_of(blk.end) and minutes_of(blk.start) < end:
                message = _(
                    "%(first)s overlaps %(second)s",
                    first=label,
                    second=_block(blk.title, blk.start, blk.end),
                )
                problems.append(Problem(where, message, "start"))
        spans[e.id] = (p.day * _DAY + start, p.day * _DAY + end)
        ok.append(p)
    ok.sort(key=lambda p: (p.day, p.start))
    for i, a in enumerate(ok):
        for b in ok[i + 1 :]:
            if b.day == a.day and b.start < a.end:
                message = _(
                    "%(first)s and %(second)s overlap on day %(day)s",
                    first=_block(f"'{by_id[a.exercise_id].title}'", a.start, a.end),
                    second=_block(f"'{by_id[b.exercise_id].title}'", b.start, b.end),
                    day=a.day,
                )
                problems.append(Problem(format_slot(b.day, minutes_of(b.start)), message, "start"))
    for e_id, (start, _end) in spans.items():
        for before in by_id[e_id].after:
            if before in spans and start < spans[before][1]:
                message = _(
                    "'%(title)s' must come after '%(before)s' but starts at %(slot)s, before "
                    "'%(before)s' ends (%(end)s)",
                    title=by_id[e_id].title,
                    before=by_id[before].title,
                    slot=_slot(start),
                    end=_slot(spans[before][1]),
                )
                problems.append(Problem(_slot(start), message, "start"))
    return problems


def _hm(value: time) -> str:
    return format_time(minutes_of(value))


def _block(title: str, start: time, end: time) -> str:
    """A block or item with its hours: ``Lunch (12:00-13:00)`` (a title is data)."""
    return f"{title} ({_hm(start)}-{_hm(end)})"


def _hours(day: DayPlan) -> str:
    return f"{_hm(day.start)}-{_hm(day.end)}"


def _slot(global_minutes: int) -> str:
    day, minutes = divmod(global_minutes, _DAY)
    return format_slot(day, minutes)
