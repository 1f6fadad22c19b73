"""The partnership after the program: rhythm, calendar, notes, steps, pause and end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session

from app.core.errors import Conflict, NotFound
from app.services.plans import dates, partnership, steps
from tests.services.tablet.factories import World, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_checkin_dates_count_from_the_last_day_and_fall_on_working_days() -> None:
    # 3 April 2027 is a Saturday and 28 February 2027 a Sunday: both move to the Monday.
    assert dates.checkin_dates("30-60-90", start=date(2027, 3, 4)) == [
        date(2027, 4, 5),
        date(2027, 5, 3),
        date(2027, 6, 2),
    ]
    assert dates.checkin_dates("monthly-6", start=date(2027, 1, 31))[:2] == [
        date(2027, 3, 1),
        date(2027, 3, 31),
    ]


def test_no_rhythm_ever_suggests_a_saturday_or_a_sunday() -> None:
    last_days = [date(2027, 1, 1) + timedelta(days=n) for n in range(366)]
    weekend = [
        (rhythm, last, d)
        for rhythm in partnership.RHYTHMS
        for last in last_days
        for d in dates.checkin_dates(rhythm, start=last)
        if d.weekday() >= 5
    ]
    assert weekend == []


def test_agreed_rhythm_downloads_as_calendar_events_for_both(
    session: Session, world: World
) -> None:
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
    with pytest.raises(NotFound):
        partnership.checkin_calendar(session, participant=world.ben, prodid_host="t.example")
    partnership.agree_rhythm(session, participant=world.ben)
    for who in (world.ana, world.ben):
        ics = partnership.checkin_calendar(session, participant=who, prodid_host="t.example")
        events = Calendar.from_ical(ics).walk("VEVENT")
        assert [e.decoded("dtstart") for e in events] == [
            datetime(2027, m, d, 10, 0, tzinfo=ZoneInfo("UTC")) for m, d in ((4, 5), (5, 3), (6, 2))
        ]
        assert [str(e["summary"]) for e in events] == [
            f"Buddy check-in {n}: Ana and Ben" for n in (1, 2, 3)
        ]
        assert [int(e["sequence"]) for e in events] == [0, 0, 0]


def test_notes_stay_private_and_steps_are_shared(session: Session, world: World) -> None:
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
    partnership.save_checkin_note(
        session, participant=world.ana, checkin_date=date(2027, 4, 3), text="ANA-PRIVATE"
    )
    steps.add_agreed_step(session, participant=world.ben, text="Ana shadows Ben's 1:1")
    ana = partnership.partnership_view(session, participant=world.ana)
    ben = partnership.partnership_view(session, participant=world.ben)
    assert ana.notes == {date(2027, 4, 3): "ANA-PRIVATE"}
    assert ben.notes == {}
    assert [s.text for s in ana.steps] == [s.text for s in ben.steps] == ["Ana shadows Ben's 1:1"]


def test_pause_and_end_show_the_other_only_the_state(session: Session, world: World) -> None:
    partnership.change_partnership(
        session, participant=world.ana, state="paused", reason="new_role"
    )
    ben = partnership.partnership_view(session, participant=world.ben)
    assert (ben.state, ben.my_reason) == ("paused", "")
    assert partnership.partnership_view(session, participant=world.ana).my_reason == "new_role"
    with pytest.raises(Conflict):
        steps.add_agreed_step(session, participant=world.ben, text="while paused")
    partnership.change_partnership(
        session, participant=world.ana, state="ended", reason="prefer_not_to_say"
    )
    ben = partnership.partnership_view(session, participant=world.ben)
    assert (ben.state, ben.my_reason) == ("ended", "")
    with pytest.raises(Conflict):
        partnership.change_partnership(session, participant=world.ben, state="active")
    assert partnership.partnership_counts(session, cohort=world.cohort) == {"ended": 1, "active": 1}
