"""The tablet's home lists the exercises by agenda day and opens the day that matters now."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from app.services.agenda import service as agenda
from app.services.tablet.views import participant_home
from tests.services.tablet.factories import World, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_before_the_agenda_exists_the_program_is_one_list(session: Session, world: World) -> None:
    home = participant_home(session, participant=world.ana, now=_at(date(2027, 2, 1), 9))

    assert home.days == []
    assert home.focus is None
    assert [e.exercise_id for e in home.exercises][:1] == ["opening-circle"]


@pytest.mark.parametrize(
    ("now", "focus", "today"),
    [
        (_at(date(2027, 2, 20), 9), 1, None),  # before the program: day 1 first
        (_at(date(2027, 3, 2), 9), 2, 2),  # during it: today
        (_at(date(2027, 4, 1), 9), None, None),  # after it: every day open
    ],
)
def test_exercises_are_grouped_by_day_in_running_order(
    session: Session, world: World, now: datetime, focus: int | None, today: int | None
) -> None:
    agenda.build_agenda(session, cohort=world.cohort)
    placed = agenda.get_agenda(session, cohort=world.cohort)

    home = participant_home(session, participant=world.ana, now=now)

    expected = {
        d.day: [e.exercise_id for e in d.entries if e.kind == "exercise"] for d in placed.days
    }
    assert {d.day: [e.exercise_id for e in d.exercises] for d in home.days} == {
        day: ids for day, ids in expected.items() if ids
    }
    assert home.focus == focus
    assert [d.day for d in home.days if d.today] == ([today] if today else [])
    assert home.days[0].date == date(2027, 3, 1)
    assert home.unscheduled == [e for e in home.exercises if e.day is None]
    for day in home.days:
        starts = [e.start for e in day.exercises]
        assert starts == sorted(s for s in starts if s is not None)
