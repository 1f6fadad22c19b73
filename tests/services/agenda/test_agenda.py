"""A cohort's agenda: built, edited by hand, run live, and followed by the tablets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.core.config import SHIPPED_LIBRARY
from app.core.errors import Conflict, InvalidInput, NotFound
from app.models import BuddyGroup, BuddyMember, Cohort, Participant, Person
from app.models.agenda import AgendaItem, RunOfShow
from app.services.agenda import service as agenda
from app.services.agenda.store import load_days
from app.services.cohorts import service as cohorts
from app.services.library.loader import Library, load_library

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([SHIPPED_LIBRARY])


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(
        session, name="Spring", start_date=date(2027, 3, 1), timezone="Europe/Berlin"
    )
    session.commit()
    return c


@pytest.fixture
def built(session: Session, cohort: Cohort, library: Library) -> agenda.AgendaView:
    result = agenda.build_agenda(session, cohort=cohort, library=library)
    session.commit()
    return result.agenda


def slots(view: agenda.AgendaView) -> dict[str, tuple[int, str, str]]:
    return {
        e.exercise_id: (d.day, f"{e.start:%H:%M}", f"{e.end:%H:%M}")
        for d in view.days
        for e in d.entries
        if e.exercise_id
    }


def people(session: Session, cohort: Cohort, names: list[str]) -> list[Participant]:
    made = []
    for name in names:
        email = f"{name.lower()}@example.com"
        person = Person(email=email, name=name)
        session.add(person)
        session.flush()
        assert person.id is not None
        assert cohort.id is not None
        p = Participant(cohort_id=cohort.id, person_id=person.id, name=name, email=email)
        session.add(p)
        made.append(p)
    session.flush()
    return made


def group(session: Session, cohort: Cohort, members: list[Participant], state: str) -> None:
    assert cohort.id is not None
    g = BuddyGroup(cohort_id=cohort.id, state=state)
    session.add(g)
    session.flush()
    assert g.id is not None
    for m in members:
        assert m.id is not None
        session.add(BuddyMember(group_id=g.id, participant_id=m.id))
    session.flush()


def test_default_calendar_has_breaks_and_lunch_on_every_day(
    session: Session, cohort: Cohort
) -> None:
    days = load_days(session, cohort=cohort)
    assert [(d.day, d.date, d.start, d.end) for d in days] == [
        (n, date(2027, 3, n), time(9), time(17, 30)) for n in range(1, 5)
    ]
    assert [(b.start, b.end, b.kind) for b in days[0].breaks] == [
        (time(10, 30), time(10, 45), "break"),
        (time(12, 30), time(13, 30), "lunch"),
        (time(15, 15), time(15, 30), "break"),
    ]


def test_build_binds_the_program_places_every_exercise_and_schedules(
    session: Session, cohort: Cohort, built: agenda.AgendaView, library: Library
) -> None:
    assert sorted(slots(built)) == sorted(s.id for s in library.ordered())
    assert built.conflicts == []
    assert slots(built)["opening-circle"] == (1, "09:00", "09:40")
    assert slots(built)["closing-circle"][0] == 4
    assert cohort.status == "scheduled"
    stored = session.exec(select(AgendaItem).where(AgendaItem.cohort_id == cohort.id)).all()
    assert len(stored) == len(library.ordered())


def test_trio_in_a_live_group_lengthens_pair_exercises(
    session: Session, cohort: Cohort, library: Library
) -> None:
    ana, ben, cy, dee, eve = people(session, cohort, ["Ana", "Ben", "Cy", "Dee", "Eve"])
    group(session, cohort, [ana, ben, cy], "ended")
    group(session, cohort, [ana, dee], "published")
    pairs_only = slots(agenda.build_agenda(session, cohort=cohort, library=library).agenda)
    assert agenda.get_agenda(session, cohort=cohort, library=library).has_trio is False
    group(session, cohort, [ben, cy, eve], "proposed")
    view = agenda.build_agenda(session, cohort=cohort, library=library).agenda
    assert view.has_trio is True
    start, end = slots(view)["career-stories"][1:]
    minutes = lambda t: int(t[:2]) * 60 + int(t[3:])  # noqa: E731
    assert minutes(end) - minutes(start) == 85
    start, end = pairs_only["career-stories"][1:]
    assert minutes(end) - minutes(start) == 60


def test_move_refuses_new_conflicts_then_forced_move_is_saved_and_pinned(
    session: Session, cohort: Cohort, built: agenda.AgendaView
) -> None:
    with pytest.raises(InvalidInput) as refused:
        agenda.move_item(
            session, cohort=cohort, exercise_id="closing-circle", day=1, start=time(10, 15)
        )
    assert next(p.message for p in refused.value.problems) == (
        "'Closing circle' (day 1, 10:15-10:55) overlaps Coffee break (10:30-10:45)"
    )
    assert slots(agenda.get_agenda(session, cohort=cohort))["closing-circle"][0] == 4
    conflicts = agenda.move_item(
        session,
        cohort=cohort,
        exercise_id="closing-circle",
        day=1,
        start=time(10, 15),
        force=True,
    )
    assert "'Closing circle' (day 1, 10:15-10:55) overlaps Coffee break (10:30-10:45)" in [
        p.message for p in conflicts
    ]
    view = agenda.get_agenda(session, cohort=cohort)
    moved = next(e for d in view.days for e in d.entries if e.exercise_id == "closing-circle")
    assert (moved.start, moved.pinned) == (time(10, 15), True)
    assert view.conflicts == conflicts


def test_resolve_keeps_pins_and_moves_the_rest_around_them(
    session: Session, cohort: Cohort, built: agenda.AgendaView, library: Library
) -> None:
    agenda.move_item(
        session,
        cohort=cohort,
        exercise_id="letter-to-myself",
        day=4,
        start=time(16, 0),
        force=True,
    )
    agenda.set_pinned(session, cohort=cohort, exercise_id="opening-circle", pinned=False)
    view = agenda.build_agenda(session, cohort=cohort, library=library).agenda
    assert slots(view)["letter-to-myself"] == (4, "16:00", "16:15")
    assert view.conflicts == []
    pinned = {e.exercise_id for d in view.days for e in d.entries if e.pinned}
    assert pinned == {"letter-to-myself"}


def test_remove_and_add_exercise_keep_the_others_in_place(
    session: Session, cohort: Cohort, built: agenda.AgendaView, library: Library
) -> None:
    agenda.remove_exercise(session, cohort=cohort, exercise_id="day-two-reflection")
    after_remove = agenda.get_agenda(session, cohort=cohort, library=library)
    assert "day-two-reflection" not in slots(after_remove)
    assert [s.id for s in after_remove.addable] == ["day-two-reflection"]
    before = slots(after_remove)
    conflicts = agenda.add_exercise(
        session, cohort=cohort, exercise_id="day-two-reflection", library=library
    )
    view = agenda.get_agenda(session, cohort=cohort, library=library)
    assert conflicts == []
    assert {k: v for k, v in slots(view).items() if k != "day-two-reflection"} == before
    with pytest.raises(NotFound):
        agenda.add_exercise(session, cohort=cohort, exercise_id="no-such", library=library)


def test_calendar_edits_are_checked_and_show_conflicts(
    session: Session, cohort: Cohort, built: agenda.AgendaView
) -> None:
    with pytest.raises(InvalidInput) as bad:
        agenda.add_block(
            session, cohort=cohort, day=2, start=time(12), end=time(12, 45), title="Walk"
        )
    assert [str(p) for p in bad.value.problems] == [
        "day 2: Walk (12:00-12:45) overlaps Lunch (12:30-13:30)"
    ]
    agenda.remove_block(session, cohort=cohort, day=2, start=time(12, 30))
    agenda.add_block(
        session, cohort=cohort, day=2, start=time(12), end=time(13), title="Lunch", kind="lunch"
    )
    agenda.set_day_hours(session, cohort=cohort, day=3, start=time(9), end=time(16))
    days = load_days(session, cohort=cohort)
    assert [(b.start, b.title) for b in days[1].breaks] == [
        (time(10, 30), "Coffee break"),
        (time(12), "Lunch"),
        (time(15, 15), "Coffee break"),
    ]
    assert days[2].end == time(16)
    with pytest.raises(InvalidInput):
        agenda.set_day_hours(session, cohort=cohort, day=3, start=time(11), end=time(16))
    assert load_days(session, cohort=cohort)[2].start == time(9)


def test_infeasible_build_names_the_pin_and_changes_nothing(
    session: Session, cohort: Cohort, built: agenda.AgendaView, library: Library
) -> None:
    agenda.move_item(
        session,
        cohort=cohort,
        exercise_id="opening-circle",
        day=4,
        start=time(16, 45),
        force=True,
    )
    before = slots(agenda.get_agenda(session, cohort=cohort, library=library))
    with pytest.raises(InvalidInput) as failed:
        agenda.build_agenda(session, cohort=cohort, library=library, time_limit_s=2)
    assert failed.value.problems[0].where == "exercise arrival-check-in"
    assert slots(agenda.get_agenda(session, cohort=cohort, library=library)) == before


def run(session: Session, cohort: Cohort, action: str, at: datetime, **kw: int) -> agenda.RunView:
    return agenda.act_on_run(session, cohort=cohort, action=action, now=at, **kw)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=BERLIN)


def test_run_of_show_records_order_starts_and_overruns(
    session: Session, cohort: Cohort, built: agenda.AgendaView
) -> None:
    view = run(session, cohort, "start", berlin(1, 9, 2), day=1)
    assert (view.current and view.current.id, cohort.status) == ("opening-circle", "live")
    view = run(session, cohort, "next", berlin(1, 9, 50))
    assert view.log[-2] == agenda.LogLine("end", "Opening circle", time(9, 50), 0, 480)
    assert view.current is not None
    assert view.current.id == "meet-your-buddy"
    view = run(session, cohort, "extend", berlin(1, 9, 55), minutes=5)
    view = run(session, cohort, "skip", berlin(1, 10))
    view = run(session, cohort, "back", berlin(1, 10, 1))
    assert view.current is not None
    assert view.current.id == "meet-your-buddy"
    assert [line.kind for line in view.log] == [
        "begin",
        "end",
        "begin",
        "extend",
        "skip",
        "begin",
        "back",
        "begin",
    ]
    stored = session.get(RunOfShow, cohort.id)
    assert stored is not None
    assert stored.state["active"] == 1
    assert stored.version == 5 + 1
    with pytest.raises(Conflict):
        run(session, cohort, "start", berlin(1, 10, 2), day=1)


def test_overrun_retimes_the_rest_for_tablets(
    session: Session, cohort: Cohort, built: agenda.AgendaView
) -> None:
    run(session, cohort, "start", berlin(1, 9, 0), day=1)
    late = agenda.participant_now(session, cohort=cohort, now=berlin(1, 9, 55))
    assert late is not None
    assert late.current is not None
    assert late.next is not None
    assert (late.current.exercise_id, late.current.start, late.current.end) == (
        "opening-circle",
        time(9),
        time(9, 40),
    )
    assert (late.next.exercise_id, late.next.start) == ("meet-your-buddy", time(9, 55))
    moved = run(session, cohort, "next", berlin(1, 9, 55))
    now = agenda.participant_now(session, cohort=cohort, now=berlin(1, 9, 56))
    assert now is not None
    assert now.current is not None
    assert (now.current.exercise_id, now.current.start, now.current.end) == (
        "meet-your-buddy",
        time(9, 55),
        time(10, 35),
    )
    assert now.version == moved.version > late.version


def test_participant_now_follows_the_plan_in_the_cohort_timezone(
    session: Session, cohort: Cohort, built: agenda.AgendaView
) -> None:
    before = agenda.participant_now(session, cohort=cohort, now=datetime(2027, 2, 1, tzinfo=UTC))
    assert before is not None
    assert before.current is None
    assert before.next is not None
    assert (before.next.exercise_id, before.next.day) == ("opening-circle", 1)
    # 08:15 UTC is 09:15 in Berlin in winter.
    now = agenda.participant_now(
        session, cohort=cohort, now=datetime(2027, 3, 1, 8, 15, tzinfo=UTC)
    )
    assert now is not None
    assert now.current is not None
    assert (now.current.exercise_id, now.current.start) == ("opening-circle", time(9))
    lunch = agenda.participant_now(session, cohort=cohort, now=berlin(2, 12, 45))
    assert lunch is not None
    assert lunch.current is not None
    assert (lunch.current.exercise_id, lunch.current.title) == (None, "Lunch")
    after = agenda.participant_now(session, cohort=cohort, now=berlin(5, 9))
    assert after is None


def test_dst_inside_the_programme_keeps_wall_clock_times(
    session: Session, library: Library
) -> None:
    # Clocks in Berlin go forward on Sunday 28 March 2027, day 3 of this cohort.
    c = cohorts.create_cohort(
        session, name="Easter", start_date=date(2027, 3, 26), timezone="Europe/Berlin"
    )
    agenda.build_agenda(session, cohort=c, library=library)
    on_day_2 = agenda.participant_now(
        session, cohort=c, now=datetime(2027, 3, 27, 8, 15, tzinfo=UTC)
    )
    on_day_4 = agenda.participant_now(
        session, cohort=c, now=datetime(2027, 3, 29, 7, 15, tzinfo=UTC)
    )
    assert on_day_2 is not None
    assert on_day_2.current is not None
    assert on_day_4 is not None
    assert on_day_4.current is not None
    assert (on_day_2.current.day, on_day_2.current.start <= time(9, 15) < on_day_2.current.end) == (
        2,
        True,
    )
    assert (on_day_4.current.day, on_day_4.current.start <= time(9, 15) < on_day_4.current.end) == (
        4,
        True,
    )
    ics = agenda.build_cohort_ics(session, cohort=c).decode()
    assert "DTSTART;TZID=Europe/Berlin:20270329T090000" in ics
    assert "TZOFFSETTO:+0200" in ics


def test_participant_calendar_names_the_published_buddy(
    session: Session, cohort: Cohort, built: agenda.AgendaView
) -> None:
    ana, ben = people(session, cohort, ["Ana", "Ben"])
    group(session, cohort, [ana, ben], "published")
    ics = agenda.build_participant_ics(session, cohort=cohort, participant=ana).decode()
    unfolded = ics.replace("\r\n ", "")
    assert "With Ben." in unfolded
    assert "X-WR-CALNAME:Spring - Ana" in unfolded


def test_reading_the_run_of_show_creates_no_rows(session: Session) -> None:
    cohort = cohorts.create_cohort(session, name="Reads only", start_date=date(2027, 3, 1))
    session.commit()
    agenda.view_run_of_show(session, cohort=cohort, now=datetime(2027, 3, 1, 9, tzinfo=UTC))
    agenda.participant_now(session, cohort=cohort, now=datetime(2027, 3, 1, 9, tzinfo=UTC))
    assert session.exec(select(RunOfShow)).all() == []
