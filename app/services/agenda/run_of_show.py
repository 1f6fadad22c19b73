"""Pure run-of-show state machine for one programme day: what runs now, and what moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.i18n import gettext as _

EventKind = Literal["begin", "end", "skip", "back", "extend"]
_KINDS: tuple[EventKind, ...] = ("begin", "end", "skip", "back", "extend")
MAX_EXTENSION_MIN = 240


@dataclass(frozen=True, slots=True)
class ShowItem:
    """One entry of the day's running order: an exercise, or a break, lunch or fixed block.

    Only a ``fixed`` block (a keynote, a guest) keeps its clock time when the day runs late;
    breaks and lunch move with the day and keep their length.
    """

    id: str
    title: str
    start: time
    end: time
    kind: str = "exercise"

    @property
    def is_block(self) -> bool:
        """Whether this is a break, lunch or fixed block rather than an exercise."""
        return self.kind != "exercise"


@dataclass(frozen=True, slots=True)
class Event:
    """One line of the log: what happened to which item, when, with overrun or extension."""

    kind: EventKind
    index: int
    item_id: str
    at: datetime
    minutes: int = 0
    overrun_s: int = 0


@dataclass(frozen=True, slots=True)
class RunState:
    """Where the day stands; ``current_index`` is None before the start and after the end."""

    day: int
    planned: tuple[tuple[str, int], ...]
    current_index: int | None = None
    started_at: datetime | None = None
    extensions_min: int = 0
    skipped: tuple[int, ...] = ()
    finished: bool = False
    log: tuple[Event, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class NowView:
    """What the projector shows: the current item, time left, and the re-timed rest of the day."""

    current: ShowItem | None
    time_left_s: int | None
    next: ShowItem | None
    overrun_s: int
    retimed_rest: list[tuple[str, time, time]]
    warnings: list[str]


def new_run(day: int, *, items: Sequence[ShowItem]) -> RunState:
    """Return the state of a day that has not started, remembering each item's planned length."""
    return RunState(day=day, planned=tuple((i.id, _length_min(i)) for i in items))


def start_run(state: RunState, *, now: datetime) -> RunState:
    """Begin the day with its first item."""
    if state.current_index is not None or state.finished:
        raise Conflict(_("day %(day)s has already started", day=state.day))
    if not state.planned:
        raise InvalidInput(
            _("nothing to run"),
            [Problem(_("day %(day)s", day=state.day), _("the day has no items"))],
        )
    first = _next_index(state, -1)
    if first is None:
        raise Conflict(_("every item of day %(day)s is skipped", day=state.day))
    return _enter(state, first, now)


def advance_run(state: RunState, *, now: datetime) -> RunState:
    """End the current item (logging any overrun) and begin the next one that is not skipped."""
    index = _current(state)
    state = _leave(state, index, now)
    following = _next_index(state, index)
    if following is None:
        return replace(state, current_index=None, started_at=None, finished=True)
    return _enter(state, following, now)


def back_run(state: RunState, *, now: datetime) -> RunState:
    """Return to the previous item (or the last after the end), restarting its clock now."""
    index = len(state.planned) if state.finished else _current(state)
    previous = index - 1
    if previous < 0:
        raise Conflict(_("already at the first item"))
    event = Event("back", previous, state.planned[previous][0], now)
    skipped = tuple(i for i in state.skipped if i != previous)
    state = replace(state, finished=False, skipped=skipped, log=(*state.log, event))
    return _enter(state, previous, now)


def skip_item(state: RunState, *, now: datetime, index: int | None = None) -> RunState:
    """Skip the current item (moving on) or, given ``index``, mark a later item to be left out."""
    current = _current(state)
    target = current if index is None else index
    if not current <= target < len(state.planned):
        raise InvalidInput(
            _("cannot skip"),
            [
                Problem(
                    _("day %(day)s", day=state.day),
                    _("item %(item)s is not ahead", item=target),
                    "index",
                )
            ],
        )
    event = Event("skip", target, state.planned[target][0], now)
    state = replace(state, skipped=tuple(sorted({*state.skipped, target})), log=(*state.log, event))
    if target != current:
        return state
    following = _next_index(state, current)
    if following is None:
        return replace(state, current_index=None, started_at=None, finished=True)
    return _enter(state, following, now)


def extend_item(state: RunState, *, minutes: int, now: datetime) -> RunState:
    """Lengthen (or, with negative minutes, shorten) the current item."""
    index = _current(state)
    total = state.extensions_min + minutes
    if minutes == 0 or abs(total) > MAX_EXTENSION_MIN or state.planned[index][1] + total < 0:
        message = _(
            "cannot extend by %(minutes)s min (already %(already)s min)",
            minutes=minutes,
            already=format(state.extensions_min, "+d"),
        )
        where = _("day %(day)s", day=state.day)
        raise InvalidInput(_("invalid extension"), [Problem(where, message, "minutes")])
    event = Event("extend", index, state.planned[index][0], now, minutes=minutes)
    return replace(state, extensions_min=total, log=(*state.log, event))


def view_run(
    state: RunState, items: Sequence[ShowItem], *, now: datetime, day_end: time | None = None
) -> NowView:
    """Return the current item, time left, overrun and the rest of the day re-timed from now.

    Before the day starts the rest is the plan itself. Once it runs, every item keeps its
    length and its place in the order and starts no earlier than planned and no earlier than
    the previous item ends: a late morning pushes the coffee break and lunch back, whole. A
    fixed block cannot move, so one reached late is named in the warnings, and so is every
    item now ending after ``day_end`` (default: the last planned end).
    """
    if [i.id for i in items] != [p[0] for p in state.planned]:
        raise Conflict(_("the day's items changed since the run started; restart the run"))
    current = state.current_index
    if state.finished:
        return NowView(None, None, None, 0, [], [])
    ahead = [i for i in range(len(items)) if i not in state.skipped]
    if current is None or state.started_at is None:
        plan = [(items[i].id, items[i].start, items[i].end) for i in ahead]
        return NowView(None, None, items[ahead[0]] if ahead else None, 0, plan, [])
    base, tz = state.started_at.date(), now.tzinfo
    ends = state.started_at + timedelta(minutes=state.planned[current][1] + state.extensions_min)
    time_left = int((ends - now).total_seconds())
    cursor = max(ends, now)
    rest, warnings = [], []
    limit = _at(base, day_end or max(i.end for i in items), tz)
    for index in (i for i in ahead if i > current):
        item = items[index]
        start, end = _at(base, item.start, tz), _at(base, item.end, tz)
        new_start = max(start, cursor)
        new_end = new_start + (end - start)
        if item.kind == "fixed" and new_start > start:
            warnings.append(
                _(
                    "'%(title)s' is fixed at %(start)s but the day only reaches it at %(reached)s",
                    title=item.title,
                    start=start.strftime("%H:%M"),
                    reached=new_start.strftime("%H:%M"),
                )
            )
        if new_end > limit:
            warnings.append(
                _(
                    "'%(title)s' now ends at %(end)s, after the day ends (%(limit)s)",
                    title=item.title,
                    end=new_end.strftime("%H:%M"),
                    limit=limit.strftime("%H:%M"),
                )
            )
        rest.append((item.id, new_start.time(), new_end.time()))
        cursor = new_end
    nxt = next((items[i] for i in ahead if i > current), None)
    return NowView(items[current], time_left, nxt, max(0, -time_left), rest, warnings)


def run_to_dict(state: RunState) -> dict[str, Any]:
    """Return a JSON-ready dict of the state."""
    return {
        "day": state.day,
        "planned": [[item_id, minutes] for item_id, minutes in state.planned],
        "current_index": state.current_index,
        "started_at": state.started_at.isoformat() if state.started_at else None,
        "extensions_min": state.extensions_min,
        "skipped": list(state.skipped),
        "finished": state.finished,
        "log": [
            {
                "kind": e.kind,
                "index": e.index,
                "item_id": e.item_id,
                "at": e.at.isoformat(),
                "minutes": e.minutes,
                "overrun_s": e.overrun_s,
            }
            for e in state.log
        ],
    }


def run_from_dict(data: dict[str, Any]) -> RunState:
    """Rebuild a state from ``run_to_dict`` output, or raise InvalidInput naming the bad field."""
    try:
        started = data["started_at"]
        log = tuple(
            Event(
                kind=_kind(e["kind"]),
                index=int(e["index"]),
                item_id=str(e["item_id"]),
                at=datetime.fromisoformat(e["at"]),
                minutes=int(e["minutes"]),
                overrun_s=int(e["overrun_s"]),
            )
            for e in data["log"]
        )
        return RunState(
            day=int(data["day"]),
            planned=tuple((str(i), int(m)) for i, m in data["planned"]),
            current_index=None if data["current_index"] is None else int(data["current_index"]),
            started_at=datetime.fromisoformat(started) if started else None,
            extensions_min=int(data["extensions_min"]),
            skipped=tuple(int(i) for i in data["skipped"]),
            finished=bool(data["finished"]),
            log=log,
        )
    except (KeyError, TypeError, ValueError) as error:
        message = _("stored state is damaged: %(error)s", error=repr(error))
        problem = Problem(_("run of show"), message, "state")
        raise InvalidInput(_("the stored run of show cannot be read"), [problem]) from error


def _kind(value: object) -> EventKind:
    for kind in _KINDS:
        if value == kind:
            return kind
    raise ValueError(f"unknown event kind {value!r}")


def _current(state: RunState) -> int:
    if state.current_index is None:
        raise Conflict(_("the day is over") if state.finished else _("the day has not started"))
    return state.current_index


def _next_index(state: RunState, after: int) -> int | None:
    return next((i for i in range(after + 1, len(state.planned)) if i not in state.skipped), None)


def _enter(state: RunState, index: int, now: datetime) -> RunState:
    event = Event("begin", index, state.planned[index][0], now)
    return replace(
        state, current_index=index, started_at=now, extensions_min=0, log=(*state.log, event)
    )


def _leave(state: RunState, index: int, now: datetime) -> RunState:
    allowed = (state.planned[index][1] + state.extensions_min) * 60
    ran = int((now - state.started_at).total_seconds()) if state.started_at else 0
    overrun = max(0, ran - allowed)
    event = Event("end", index, state.planned[index][0], now, overrun_s=overrun)
    return replace(state, log=(*state.log, event))


def _length_min(item: ShowItem) -> int:
    return (item.end.hour * 60 + item.end.minute) - (item.start.hour * 60 + item.start.minute)


def _at(day: date, clock_time: time, tz: Any) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=tz)
