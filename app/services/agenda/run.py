"""The live run of show, stored per day, and what each participant's tablet shows now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlmodel import Session

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import current_language, format_date
from app.core.i18n import gettext as _
from app.models import Cohort, Participant, utcnow
from app.services.agenda.ics import load_zone
from app.services.agenda.run_of_show import (
    RunState,
    ShowItem,
    advance_run,
    back_run,
    extend_item,
    new_run,
    run_from_dict,
    run_to_dict,
    skip_item,
    start_run,
    view_run,
)
from app.services.agenda.store import (
    day_date,
    follow_row,
    follow_state,
    follow_version,
    load_days,
    load_items,
    trio_names,
)
from app.services.library import bound_exercise
from app.services.ops import record_event

RunAction = Literal["start", "next", "back", "skip", "extend", "reset"]
RUN_ACTIONS: tuple[RunAction, ...] = ("start", "next", "back", "skip", "extend", "reset")
BLOCK_PREFIX = "block:"


class OtherDate(Conflict):
    """Starting a day on a date that is not its own needs the facilitator's word first."""

    def __init__(self, *, day: int, planned: date, today: date) -> None:
        super().__init__(
            _(
                "Day %(day)s is planned for %(planned)s, and today is %(today)s. Starting it now "
                "marks the cohort as live, and every tablet follows this run.",
                day=day,
                planned=format_date(planned, "EEEE dd MMMM y"),
                today=format_date(today, "EEEE dd MMMM y"),
            )
        )
        self.day, self.planned, self.today = day, planned, today


@dataclass(frozen=True, slots=True)
class NowItem:
    """One item as a tablet shows it; ``exercise_id`` is None for breaks and plenary blocks."""

    exercise_id: str | None
    title: str
    start: time
    end: time
    day: int


@dataclass(frozen=True, slots=True)
class NowInfo:
    """What is happening now and next; ``version`` grows whenever tablets should refresh."""

    current: NowItem | None
    next: NowItem | None
    version: int


@dataclass(frozen=True, slots=True)
class LogLine:
    """One recorded step of the run: what happened to which item, when (local time)."""

    kind: str
    title: str
    at: time
    minutes: int
    overrun_s: int


@dataclass(frozen=True, slots=True)
class RestLine:
    """One item still to come, re-timed from now."""

    id: str
    title: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class TrioNote:
    """What the groups of three do differently in a pair exercise: who they are, how they
    share the turns (in the facilitator's language), and the length each needs."""

    exercise_id: str
    title: str
    groups: list[list[str]]
    instructions: str
    pair_minutes: int
    trio_minutes: int


@dataclass(frozen=True, slots=True)
class RunView:
    """The facilitator's Now view of one day."""

    day: int
    started: bool
    finished: bool
    current: ShowItem | None
    ends_at: datetime | None
    time_left_s: int | None
    overrun_s: int
    next: ShowItem | None
    rest: list[RestLine]
    warnings: list[str]
    log: list[LogLine]
    version: int
    trio: TrioNote | None = None
    """For the item running now when it is a pair exercise, else for the next one when that
    is (so the facilitator can brief the groups of three before it starts); None when neither
    is, or the cohort has no group of three."""


def trio_note(session: Session, *, cohort: Cohort, item: ShowItem | None) -> TrioNote | None:
    """What the cohort's groups of three do differently in ``item``; None when it is not a
    pair exercise with trio instructions, or every group is a pair."""
    if item is None or item.is_block:
        return None
    groups = trio_names(session, cohort=cohort)
    if not groups:
        return None
    bound = bound_exercise(session, cohort=cohort, exercise_id=item.id)
    spec = bound.shown_in(current_language())
    if spec.kind != "pair" or not spec.trio_instructions:
        return None
    trio_minutes = spec.trio_minutes or spec.minutes
    return TrioNote(spec.id, spec.title, groups, spec.trio_instructions, spec.minutes, trio_minutes)


def show_items(session: Session, *, cohort: Cohort, day: int) -> list[ShowItem]:
    """Return a day's running order: its exercises and its blocks (which stay put)."""
    by_day = show_items_by_day(session, cohort=cohort)
    if day not in by_day:
        message = _(
            "day %(day)s is not part of the programme (days 1-%(last)s)", day=day, last=cohort.days
        )
        raise InvalidInput(_("no such day"), [Problem(_("day %(day)s", day=day), message, "day")])
    return by_day[day]


def show_items_by_day(session: Session, *, cohort: Cohort) -> dict[int, list[ShowItem]]:
    """Return every day's running order, keyed by day number."""
    placed = load_items(session, cohort=cohort)
    by_day: dict[int, list[ShowItem]] = {}
    for d in load_days(session, cohort=cohort):
        items = [
            ShowItem(f"{BLOCK_PREFIX}{b.start:%H%M}", b.title, b.start, b.end, kind=b.kind)
            for b in d.breaks
        ]
        items += [
            ShowItem(
                i.placed.exercise_id,
                i.bound.shown_in(current_language()).title,
                i.placed.start,
                i.placed.end,
            )
            for i in placed
            if i.placed.day == d.day
        ]
        items.sort(key=lambda i: (i.start, i.end))
        by_day[d.day] = items
    return by_day


def _day_end(session: Session, cohort: Cohort, day: int) -> time | None:
    return next((d.end for d in load_days(session, cohort=cohort) if d.day == day), None)


def programme_day(cohort: Cohort, *, now: datetime) -> int:
    """Return today's programme day in the cohort's timezone, clamped to the programme."""
    today = now.astimezone(load_zone(cohort.timezone)).date()
    return min(max((today - cohort.start_date).days + 1, 1), cohort.days)


def _runs(state: dict[str, Any]) -> dict[str, Any]:
    runs = state.get("days")
    return dict(runs) if isinstance(runs, dict) else {}


def _active(session: Session, cohort: Cohort) -> tuple[int | None, RunState | None]:
    assert cohort.id is not None
    stored = follow_state(session, cohort=cohort)
    active = stored.get("active")
    if not isinstance(active, int):
        return None, None
    data = _runs(stored).get(str(active))
    return active, run_from_dict(data) if isinstance(data, dict) else None


def act_on_run(
    session: Session,
    *,
    cohort: Cohort,
    action: str,
    now: datetime,
    day: int | None = None,
    minutes: int = 0,
    actor: str = "cli",
    other_date: bool = False,
) -> RunView:
    """Apply one run-of-show step (start, next, back, skip, extend, reset) and record it.

    Starting a day on a date that is not its own raises OtherDate unless ``other_date`` says
    the facilitator confirmed it (a rehearsal, a moved session).
    """
    if action not in RUN_ACTIONS:
        listed = ", ".join(RUN_ACTIONS)
        message = _("'%(action)s' is not one of: %(choices)s", action=action, choices=listed)
        problem = Problem(_("action"), message, "action")
        raise InvalidInput(_("unknown run-of-show action"), [problem])
    local = now.astimezone(load_zone(cohort.timezone))
    row = follow_row(session, cohort=cohort)
    runs = _runs(row.state)
    active, state = _active(session, cohort)
    if action == "start":
        active = day or programme_day(cohort, now=now)
        planned = day_date(cohort, active)
        if local.date() != planned and not other_date:
            raise OtherDate(day=active, planned=planned, today=local.date())
        stored = runs.get(str(active))
        items = show_items(session, cohort=cohort, day=active)
        base = run_from_dict(stored) if isinstance(stored, dict) else new_run(active, items=items)
        state = start_run(base, now=local)
        if cohort.status in ("draft", "paired", "scheduled"):
            cohort.status = "live"
            session.add(cohort)
    elif action == "reset":
        target = day or active
        if target is None:
            raise Conflict(_("no day is running"))
        runs.pop(str(target), None)
        active, state = (None, None) if target == active else (active, state)
    elif state is None or active is None:
        raise Conflict(_("the day has not started"))
    elif action == "next":
        state = advance_run(state, now=local)
    elif action == "back":
        state = back_run(state, now=local)
    elif action == "skip":
        state = skip_item(state, now=local)
    else:
        state = extend_item(state, minutes=minutes, now=local)
    if state is not None and active is not None:
        runs[str(active)] = run_to_dict(state)
    row.state = {"active": active, "days": runs}
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action=f"run.{action}",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={
            "day": active,
            "minutes": minutes,
            "index": state.current_index if state is not None else None,
        },
    )
    return view_run_of_show(session, cohort=cohort, now=now, day=active)


def view_run_of_show(
    session: Session, *, cohort: Cohort, now: datetime, day: int | None = None
) -> RunView:
    """Return the Now view: the running day (or ``day``, or today) re-timed from ``now``."""
    assert cohort.id is not None
    local = now.astimezone(load_zone(cohort.timezone))
    active, state = _active(session, cohort)
    version = follow_version(session, cohort_id=cohort.id)
    shown = day or active or programme_day(cohort, now=now)
    items = show_items(session, cohort=cohort, day=shown)
    if shown != active or state is None:
        stored = _runs(follow_state(session, cohort=cohort)).get(str(shown))
        state = run_from_dict(stored) if isinstance(stored, dict) else new_run(shown, items=items)
    titles = {i.id: i.title for i in items}
    log = [
        LogLine(
            e.kind,
            titles.get(e.item_id, e.item_id),
            e.at.astimezone(local.tzinfo).time().replace(microsecond=0),
            e.minutes,
            e.overrun_s,
        )
        for e in state.log
    ]
    try:
        view = view_run(state, items, now=local, day_end=_day_end(session, cohort, shown))
    except Conflict as error:
        return RunView(
            shown,
            True,
            state.finished,
            None,
            None,
            None,
            0,
            None,
            [],
            [_("%(error)s; reset the day to run it again", error=error.message)],
            log,
            version,
        )
    ends_at = None
    if state.started_at is not None and state.current_index is not None:
        minutes = state.planned[state.current_index][1] + state.extensions_min
        ends_at = state.started_at + timedelta(minutes=minutes)
    return RunView(
        shown,
        state.current_index is not None or state.finished,
        state.finished,
        view.current,
        ends_at,
        view.time_left_s,
        view.overrun_s,
        view.next,
        [RestLine(i, titles.get(i, i), s, e) for i, s, e in view.retimed_rest],
        view.warnings,
        log,
        version,
        trio_note(session, cohort=cohort, item=view.current)
        or trio_note(session, cohort=cohort, item=view.next),
    )


def participant_now(session: Session, *, cohort: Cohort, now: datetime) -> NowInfo | None:
    """Return the current and next items for a tablet, following the run of show when live.

    Without a live run the plan decides, read in the cohort's timezone; None means there is no
    agenda, or the programme is over.
    """
    assert cohort.id is not None
    version = follow_version(session, cohort_id=cohort.id)
    zone = load_zone(cohort.timezone)
    local = now.astimezone(zone)
    active, state = _active(session, cohort)
    if active is not None and state is not None and state.current_index is not None:
        items = show_items(session, cohort=cohort, day=active)
        try:
            view = view_run(state, items, now=local, day_end=_day_end(session, cohort, active))
        except Conflict:
            view = None
        if view is not None and view.current is not None and state.started_at is not None:
            minutes = state.planned[state.current_index][1] + state.extensions_min
            begun = state.started_at.astimezone(zone)
            ends = begun + timedelta(minutes=minutes)
            current = _now_item(view.current, active, begun.time(), ends.time())
            upcoming = None
            if view.next is not None:
                start, end = next(
                    ((s, e) for i, s, e in view.retimed_rest if i == view.next.id),
                    (view.next.start, view.next.end),
                )
                upcoming = _now_item(view.next, active, start, end)
            return NowInfo(current, upcoming, version)
    return _planned_now(session, cohort=cohort, local=local, version=version)


def _planned_now(
    session: Session, *, cohort: Cohort, local: datetime, version: int
) -> NowInfo | None:
    at = local.replace(tzinfo=None)
    timeline = [
        (datetime.combine(day_date(cohort, d), item.start), d, item)
        for d, items in show_items_by_day(session, cohort=cohort).items()
        for item in items
    ]
    if not any(not item.is_block for _, _, item in timeline):
        return None
    current = next(
        (
            _now_item(i, d, i.start, i.end)
            for s, d, i in timeline
            if s <= at < datetime.combine(s.date(), i.end)
        ),
        None,
    )
    upcoming = next((_now_item(i, d, i.start, i.end) for s, d, i in timeline if s > at), None)
    if current is None and upcoming is None:
        return None
    return NowInfo(current, upcoming, version)


def _now_item(item: ShowItem, day: int, start: time, end: time) -> NowItem:
    exercise_id = None if item.id.startswith(BLOCK_PREFIX) else item.id
    return NowItem(
        exercise_id, item.title, start.replace(microsecond=0), end.replace(microsecond=0), day
    )


def follow_participant(session: Session, *, participant: Participant, now: datetime) -> NowInfo:
    """Return what the participant's tablet shows now, with the version even when idle."""
    cohort = session.get(Cohort, participant.cohort_id)
    if cohort is None or cohort.id is None:
        raise NotFound(_("no such cohort"))
    info = participant_now(session, cohort=cohort, now=now)
    return info or NowInfo(None, None, follow_version(session, cohort_id=cohort.id))


def participant_cohort(session: Session, *, participant: Participant) -> Cohort:
    """Return the cohort a participant belongs to."""
    cohort = session.get(Cohort, participant.cohort_id)
    if cohort is None:
        raise NotFound(_("no such cohort"))
    return cohort
