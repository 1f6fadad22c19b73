"""The agenda keeps each exercise on the day the library plans it for, shows free time as
free, and says why when a day cannot hold an exercise: the demo roster, 23 people, one trio."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlmodel import Session, col, select

from app.core.config import SHIPPED_LIBRARY
from app.demo import seed as demo
from app.models import Cohort, Participant
from app.services.agenda import service as agenda
from app.services.agenda.store import load_days
from app.services.cohorts import service as cohorts
from app.services.library.loader import Library, load_library
from app.services.matching import pairing
from app.services.roster import service as roster


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([SHIPPED_LIBRARY])


@pytest.fixture
def trio_cohort(session: Session) -> Cohort:
    return demo_trio_cohort(session)


def demo_trio_cohort(session: Session) -> Cohort:
    """The demo roster as a facilitator imports it, 23 of its people paired: one trio."""
    cohort = cohorts.create_cohort(
        session, name="Lakeside", start_date=date(2027, 3, 1), timezone="Europe/Amsterdam"
    )
    roster.import_roster(session, cohort=cohort, data=demo.read_demo_roster())
    people = session.exec(
        select(Participant).where(Participant.cohort_id == cohort.id).order_by(col(Participant.id))
    ).all()
    for p in people[23:]:
        pairing.set_excluded(session, cohort=cohort, participant=p, excluded=True)
    pairing.run_matching(session, cohort=cohort)
    pairing.publish(session, cohort=cohort)
    session.commit()
    return cohort


def placed_days(view: agenda.AgendaView) -> dict[str, int]:
    return {e.exercise_id: d.day for d in view.days for e in d.entries if e.exercise_id}


def clock(view: agenda.AgendaView, day: int, kind: str) -> list[tuple[str, str]]:
    return [
        (f"{e.start:%H:%M}", f"{e.end:%H:%M}") for e in view.days[day - 1].rows if e.kind == kind
    ]


def test_trio_agenda_keeps_every_exercise_on_its_planned_day(
    session: Session, trio_cohort: Cohort, library: Library
) -> None:
    result = agenda.build_agenda(session, cohort=trio_cohort, library=library)

    assert result.agenda.has_trio is True
    planned = {s.id: s.day for s in library.ordered()}
    assert placed_days(result.agenda) == planned
    assert placed_days(result.agenda)["day-one-check-out"] == 1
    assert placed_days(result.agenda)["day-three-reflection"] == 3
    assert result.agenda.notes == {}
    assert result.agenda.conflicts == []
    # The only way to fit day 1 and day 3 is to take two coffee breaks a little earlier or
    # later; the page says so, and the calendar keeps the new times.
    assert result.warnings == [
        "Day 1: Coffee break moved from 10:30 to 10:35 so that the day's exercises fit in "
        "their order",
        "Day 3: Coffee break moved from 10:30 to 10:15 so that the day's exercises fit in "
        "their order",
    ]
    days = load_days(session, cohort=trio_cohort)
    assert [(f"{b.start:%H:%M}", f"{b.end:%H:%M}") for b in days[0].breaks] == [
        ("10:35", "10:50"),
        ("12:30", "13:30"),
        ("15:15", "15:30"),
    ]


def test_breaks_stay_put_when_everything_fits_around_them(
    session: Session, library: Library
) -> None:
    cohort = cohorts.create_cohort(session, name="Pairs", start_date=date(2027, 3, 1))

    result = agenda.build_agenda(session, cohort=cohort, library=library)

    assert result.warnings == []
    assert clock(result.agenda, 3, "break") == [("10:30", "10:45"), ("15:15", "15:30")]


def test_free_time_between_items_shows_as_free(
    session: Session, trio_cohort: Cohort, library: Library
) -> None:
    view = agenda.build_agenda(session, cohort=trio_cohort, library=library).agenda

    assert clock(view, 3, "free") == [("09:20", "10:15"), ("16:25", "17:30")]
    assert clock(view, 4, "free") == [("10:20", "10:30"), ("12:20", "12:30"), ("15:30", "17:30")]
    day_three = [(e.kind, f"{e.start:%H:%M}") for e in view.days[2].rows]
    assert day_three[:3] == [("exercise", "09:00"), ("free", "09:20"), ("break", "10:15")]
    free = agenda.agenda_to_json(view)["days"][2]["free"]
    assert free == [{"start": "09:20", "end": "10:15"}, {"start": "16:25", "end": "17:30"}]


def test_a_day_too_short_for_its_exercises_says_why_each_one_moved(
    session: Session, trio_cohort: Cohort, library: Library
) -> None:
    agenda.set_day_hours(session, cohort=trio_cohort, day=1, start=time(9), end=time(15, 30))

    result = agenda.build_agenda(session, cohort=trio_cohort, library=library)

    assert placed_days(result.agenda)["leaders-who-shaped-us"] == 2
    assert placed_days(result.agenda)["day-one-check-out"] == 2
    assert result.agenda.notes == {
        "leaders-who-shaped-us": "'The leaders who shaped us' is planned for day 1 but is on "
        "day 2: day 1's exercises already take 4 h 35 min of its 5 h between breaks, and this "
        "one needs 30 min more; lengthen day 1, shorten a break, or take another exercise off "
        "day 1.",
        "day-one-check-out": "'Day one: buddy check-out' is planned for day 1 but is on day 2: "
        "it comes after 'The leaders who shaped us', which is on day 2; move that one to day 1 "
        "first.",
    }
    assert result.warnings == [
        "Day 1: Coffee break moved from 10:30 to 10:35 so that the day's exercises fit in "
        "their order",
        "Day 3: Coffee break moved from 10:30 to 10:15 so that the day's exercises fit in "
        "their order",
        *result.agenda.notes.values(),
    ]
