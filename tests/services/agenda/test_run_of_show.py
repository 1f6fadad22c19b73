"""The run of show moves through a day, logs what happened and re-times the rest."""

from __future__ import annotations

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.core.errors import Conflict, InvalidInput
from app.services.agenda.run_of_show import (
    Event,
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

TZ = ZoneInfo("Europe/Berlin")
ITEMS = [
    ShowItem("welcome", "Welcome", time(9), time(9, 30)),
    ShowItem("walk", "Buddy walk", time(9, 30), time(10, 30)),
    ShowItem("coffee", "Coffee", time(10, 30), time(10, 45), kind="break"),
    ShowItem("reflect", "Reflection", time(10, 45), time(11, 45)),
    ShowItem("lunch", "Lunch", time(12), time(13), kind="lunch"),
    ShowItem("close", "Closing circle", time(13), time(13, 30)),
]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, 26, hour, minute, tzinfo=TZ)


def rest(view_items: list[tuple[str, time, time]]) -> list[tuple[str, str, str]]:
    return [(i, f"{s:%H:%M}", f"{e:%H:%M}") for i, s, e in view_items]


def started() -> RunState:
    return start_run(new_run(2, items=ITEMS), now=at(9))


def test_view_run_before_start_shows_the_plan() -> None:
    view = view_run(new_run(2, items=ITEMS), ITEMS, now=at(8, 50))

    assert (view.current, view.next, view.time_left_s, view.overrun_s) == (None, ITEMS[0], None, 0)
    assert rest(view.retimed_rest)[:2] == [
        ("welcome", "09:00", "09:30"),
        ("walk", "09:30", "10:30"),
    ]


def test_start_run_makes_the_first_item_current() -> None:
    view = view_run(started(), ITEMS, now=at(9, 10))

    assert (view.current, view.next, view.time_left_s, view.overrun_s) == (
        ITEMS[0], ITEMS[1], 1200, 0
    )  # fmt: skip
    assert view.warnings == []


def test_view_run_retimes_the_rest_when_an_item_overruns() -> None:
    view = view_run(started(), ITEMS, now=at(9, 40))

    assert (view.time_left_s, view.overrun_s) == (-600, 600)
    assert rest(view.retimed_rest) == [
        ("walk", "09:40", "10:40"),
        ("coffee", "10:40", "10:55"),
        ("reflect", "10:55", "11:55"),
        ("lunch", "12:00", "13:00"),
        ("close", "13:00", "13:30"),
    ]
    assert view.warnings == []


def test_view_run_before_the_start_warns_of_nothing_at_any_hour() -> None:
    for hour in (7, 14, 23):
        view = view_run(new_run(2, items=ITEMS), ITEMS, now=at(hour))

        assert rest(view.retimed_rest) == [
            (i.id, f"{i.start:%H:%M}", f"{i.end:%H:%M}") for i in ITEMS
        ]
        assert view.warnings == []


def test_a_late_day_pushes_breaks_back_whole_and_in_order() -> None:
    state = started()
    for minute_mark in (at(9, 30), at(10, 30), at(10, 45)):
        state = advance_run(state, now=minute_mark)

    view = view_run(state, ITEMS, now=at(13, 10))

    assert view.current == ITEMS[3]
    assert view.next == ITEMS[4]
    assert rest(view.retimed_rest) == [("lunch", "13:10", "14:10"), ("close", "14:10", "14:40")]
    assert view.warnings == [
        "'Lunch' now ends at 14:10, after the day ends (13:30)",
        "'Closing circle' now ends at 14:40, after the day ends (13:30)",
    ]


def test_a_late_start_keeps_every_break_as_long_as_planned() -> None:
    state = start_run(new_run(2, items=ITEMS), now=at(10, 0))

    view = view_run(state, ITEMS, now=at(10, 5), day_end=time(17, 30))

    retimed = rest(view.retimed_rest)
    assert retimed == [
        ("walk", "10:30", "11:30"),
        ("coffee", "11:30", "11:45"),
        ("reflect", "11:45", "12:45"),
        ("lunch", "12:45", "13:45"),
        ("close", "13:45", "14:15"),
    ]
    assert [s for _i, s, _e in retimed] == sorted(s for _i, s, _e in retimed)
    assert view.warnings == []


def test_a_fixed_block_keeps_its_time_and_says_when_the_day_reaches_it_late() -> None:
    items = [
        ShowItem("talk", "Talk", time(9), time(10)),
        ShowItem("block:1000", "Guest speaker", time(10), time(10, 30), kind="fixed"),
    ]
    state = start_run(new_run(1, items=items), now=at(9, 20))

    view = view_run(state, items, now=at(9, 30), day_end=time(17))

    assert rest(view.retimed_rest) == [("block:1000", "10:20", "10:50")]
    assert view.warnings == [
        "'Guest speaker' is fixed at 10:00 but the day only reaches it at 10:20"
    ]


def test_advance_run_logs_actual_starts_and_overruns() -> None:
    state = advance_run(started(), now=at(9, 35))

    assert state.current_index == 1
    assert state.log == (
        Event("begin", 0, "welcome", at(9)),
        Event("end", 0, "welcome", at(9, 35), overrun_s=300),
        Event("begin", 1, "walk", at(9, 35)),
    )


def test_extend_item_adds_time_to_the_current_item_only() -> None:
    state = extend_item(started(), minutes=15, now=at(9, 20))

    view = view_run(state, ITEMS, now=at(9, 40))
    moved_on = advance_run(state, now=at(9, 45))

    assert (view.time_left_s, view.overrun_s) == (300, 0)
    assert rest(view.retimed_rest)[0] == ("walk", "09:45", "10:45")
    assert moved_on.log[-2] == Event("end", 0, "welcome", at(9, 45), overrun_s=0)
    assert moved_on.extensions_min == 0


def test_back_run_restarts_the_previous_item() -> None:
    state = back_run(advance_run(started(), now=at(9, 30)), now=at(9, 32))

    assert (state.current_index, state.started_at) == (0, at(9, 32))
    assert [e.kind for e in state.log] == ["begin", "end", "begin", "back", "begin"]


def test_skip_item_moves_past_the_current_item_without_an_overrun() -> None:
    state = skip_item(started(), now=at(9, 5))

    assert state.current_index == 1
    assert state.log[-2:] == (
        Event("skip", 0, "welcome", at(9, 5)),
        Event("begin", 1, "walk", at(9, 5)),
    )


def test_skip_item_ahead_drops_it_from_the_rest_and_from_next() -> None:
    state = skip_item(started(), now=at(9, 5), index=1)

    view = view_run(state, ITEMS, now=at(9, 10))
    after = advance_run(state, now=at(9, 30))

    assert view.next == ITEMS[2]
    assert [i for i, _s, _e in view.retimed_rest] == ["coffee", "reflect", "lunch", "close"]
    assert after.current_index == 2


def test_advance_run_past_the_last_item_finishes_the_day() -> None:
    state = started()
    for _ in ITEMS:
        state = advance_run(state, now=at(13, 30))

    view = view_run(state, ITEMS, now=at(13, 31))

    assert (state.finished, state.current_index) == (True, None)
    assert (view.current, view.next, view.retimed_rest) == (None, None, [])
    assert back_run(state, now=at(13, 32)).current_index == 5


def test_run_operations_refuse_impossible_moves() -> None:
    fresh = new_run(2, items=ITEMS)

    with pytest.raises(Conflict, match="day 2 has already started"):
        start_run(started(), now=at(9))
    with pytest.raises(Conflict, match="the day has not started"):
        advance_run(fresh, now=at(9))
    with pytest.raises(Conflict, match="already at the first item"):
        back_run(started(), now=at(9))
    with pytest.raises(InvalidInput, match="invalid extension"):
        extend_item(started(), minutes=-31, now=at(9))


def test_view_run_refuses_items_that_changed_under_the_run() -> None:
    with pytest.raises(Conflict, match="the day's items changed"):
        view_run(started(), ITEMS[:-1], now=at(9))


def test_run_to_dict_round_trips_through_json() -> None:
    state = extend_item(skip_item(advance_run(started(), now=at(9, 35)), now=at(9, 36), index=3),
                        minutes=5, now=at(9, 40))  # fmt: skip

    data = json.loads(json.dumps(run_to_dict(state)))

    assert run_from_dict(data) == state


def test_run_from_dict_reports_damaged_state() -> None:
    data = run_to_dict(started())
    data["log"][0]["kind"] = "teleport"

    with pytest.raises(InvalidInput) as caught:
        run_from_dict(data)

    assert [p.where for p in caught.value.problems] == ["run of show"]
    assert "unknown event kind 'teleport'" in caught.value.problems[0].message
