"""Running a day of the demo cohort: the plan before the start, breaks that keep their length
when the day runs late, and a start on a date that is not the day's asks first."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.models import Cohort
from app.models.agenda import RunOfShow
from app.services.agenda import service as agenda
from app.services.library.loader import load_library
from tests.services.agenda.test_agenda_days import demo_trio_cohort

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = demo_trio_cohort(session)
    agenda.build_agenda(session, cohort=c, library=load_library([SHIPPED_LIBRARY]))
    session.commit()
    return c


def lines(view: agenda.RunView) -> list[tuple[str, str, str]]:
    return [(r.title, f"{r.start:%H:%M}", f"{r.end:%H:%M}") for r in view.rest]


DAY_ONE_PLAN = [
    ("Opening circle", "09:00", "09:40"),
    ("Meet your learning buddy", "09:40", "10:35"),
    ("Coffee break", "10:35", "10:50"),
    ("Our buddy agreement", "10:50", "11:50"),
    ("Arriving from where you are", "11:50", "12:05"),
    ("My career lifeline", "12:05", "12:25"),
    ("Lunch", "12:30", "13:30"),
    ("The stories behind our careers", "13:30", "14:55"),
    ("Coffee break", "15:15", "15:30"),
    ("The leaders who shaped us", "15:30", "16:00"),
    ("Day one: buddy check-out", "16:00", "16:20"),
]


@pytest.mark.parametrize("seen_at", [local(2, 28, 20), local(3, 1, 7, 30), local(3, 1, 9, 20)])
def test_before_the_day_starts_the_run_of_show_is_the_plan(
    session: Session, cohort: Cohort, seen_at: datetime
) -> None:
    view = agenda.view_run_of_show(session, cohort=cohort, now=seen_at, day=1)

    assert view.started is False
    assert lines(view) == DAY_ONE_PLAN
    assert view.warnings == []


def test_a_late_start_moves_breaks_back_whole_and_the_tablet_shows_them(
    session: Session, cohort: Cohort
) -> None:
    agenda.act_on_run(session, cohort=cohort, action="start", now=local(3, 1, 10), day=1)
    for hour, minute in ((10, 40), (11, 35), (11, 50), (12, 50), (13, 5)):
        agenda.act_on_run(session, cohort=cohort, action="next", now=local(3, 1, hour, minute))

    view = agenda.view_run_of_show(session, cohort=cohort, now=local(3, 1, 13, 10))
    tablet = agenda.participant_now(session, cohort=cohort, now=local(3, 1, 13, 10))

    assert view.current is not None
    assert view.current.title == "My career lifeline"
    assert lines(view) == [
        ("Lunch", "13:25", "14:25"),
        ("The stories behind our careers", "14:25", "15:50"),
        ("Coffee break", "15:50", "16:05"),
        ("The leaders who shaped us", "16:05", "16:35"),
        ("Day one: buddy check-out", "16:35", "16:55"),
    ]
    assert view.warnings == []
    assert tablet is not None
    assert tablet.next == agenda.NowItem(None, "Lunch", time(13, 25), time(14, 25), 1)


def test_starting_a_day_on_another_date_asks_first_and_changes_nothing(
    session: Session, cohort: Cohort
) -> None:
    before = session.get(RunOfShow, cohort.id)
    version = before.version if before else 0

    with pytest.raises(agenda.OtherDate) as asked:
        agenda.act_on_run(
            session, cohort=cohort, action="start", now=local(12, 3, 9, year=2026), day=1
        )

    assert asked.value.message == (
        "Day 1 is planned for Monday 01 March 2027, and today is Thursday 03 December 2026. "
        "Starting it now marks the cohort as live, and every tablet follows this run."
    )
    assert cohort.status == "scheduled"
    assert agenda.follow_version(session, cohort_id=cohort.id or 0) == version
    view = agenda.act_on_run(
        session,
        cohort=cohort,
        action="start",
        now=local(12, 3, 9, year=2026),
        day=1,
        other_date=True,
    )
    assert view.current is not None
    assert view.current.title == "Opening circle"
    assert cohort.status == "live"
