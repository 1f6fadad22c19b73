"""Check-ins as appointments: made on agreement, moved (same UID, rising SEQUENCE), held,
missed; renewing the rhythm; the shared next steps; the counts the organisation sees."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput, NotFound
from app.models import Cohort
from app.models.plans import CheckIn, CheckInNote
from app.services import plans
from app.services.plans import checkins, partnership, steps
from tests.services.tablet.factories import World, add_participant, make_group, make_world

ORGANIZER = ("Tandem", "tandem@example.com")


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _agree(session: Session, world: World, *, at: time = time(10, 0)) -> list[CheckIn]:
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90", at=at)
    partnership.agree_rhythm(session, participant=world.ben)
    return checkins.group_checkins(session, group=world.group)


def _invite(session: Session, world: World, checkin: CheckIn) -> Calendar:
    ics = checkins.checkin_invite(
        session,
        checkin=checkin,
        recipient=world.ana,
        organizer=ORGANIZER,
        prodid_host="t.example",
    )
    return Calendar.from_ical(ics)


def _set_timezone(session: Session, cohort: Cohort, tz_name: str) -> None:
    cohort.timezone = tz_name
    session.add(cohort)
    session.flush()


def test_agreeing_a_rhythm_makes_its_check_ins_and_only_then(
    session: Session, world: World
) -> None:
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90", at=time(8, 30))
    assert checkins.group_checkins(session, group=world.group) == []
    partnership.agree_rhythm(session, participant=world.ben)
    partnership.agree_rhythm(session, participant=world.ben)
    made = checkins.group_checkins(session, group=world.group)
    assert [(c.number, c.day, c.at, c.state, c.sequence) for c in made] == [
        (1, date(2027, 4, 5), time(8, 30), "upcoming", 0),
        (2, date(2027, 5, 3), time(8, 30), "upcoming", 0),
        (3, date(2027, 6, 2), time(8, 30), "upcoming", 0),
    ]


def test_moving_a_check_in_keeps_its_uid_and_raises_its_sequence(
    session: Session, world: World
) -> None:
    _set_timezone(session, world.cohort, "Europe/Berlin")
    first = _agree(session, world)[0]
    partnership.save_checkin_note(
        session, participant=world.ana, checkin_date=first.day, text="ANA-NOTE"
    )
    before = _invite(session, world, first).walk("VEVENT")[0]
    now = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    moved = checkins.move_checkin(
        session,
        participant=world.ben,
        checkin_id=first.id or 0,
        day=date(2027, 4, 8),
        at=time(16, 0),
        now=now,
    )
    calendar = _invite(session, world, moved)
    after = calendar.walk("VEVENT")[0]
    assert (moved.state, moved.sequence) == ("moved", 1)
    assert str(calendar["method"]) == "REQUEST"
    assert str(after["uid"]) == str(before["uid"])
    assert (int(before["sequence"]), int(after["sequence"])) == (0, 1)
    assert after.decoded("dtstart").isoformat() == "2027-04-08T16:00:00+02:00"
    assert after.decoded("dtend").isoformat() == "2027-04-08T16:45:00+02:00"
    assert [str(a) for a in after.get("attendee")] == [
        f"mailto:{world.ana.email}",
        f"mailto:{world.ben.email}",
    ]
    assert str(after["organizer"]) == "mailto:tandem@example.com"
    # Ana's private note follows the check-in to its new day.
    note = session.exec(select(CheckInNote).where(CheckInNote.participant_id == world.ana.id))
    assert [n.checkin_date for n in note] == [date(2027, 4, 8)]
    again = checkins.move_checkin(
        session,
        participant=world.ana,
        checkin_id=first.id or 0,
        day=date(2027, 4, 9),
        at=time(9, 0),
        now=now,
    )
    assert int(_invite(session, world, again).walk("VEVENT")[0]["sequence"]) == 2


def test_a_check_in_cannot_move_into_the_past_or_onto_another(
    session: Session, world: World
) -> None:
    first, second, _third = _agree(session, world)
    now = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    for day, at in ((date(2027, 4, 1), time(11, 0)), (second.day, time(15, 0))):
        with pytest.raises(InvalidInput):
            checkins.move_checkin(
                session, participant=world.ana, checkin_id=first.id or 0, day=day, at=at, now=now
            )
    assert (first.day, first.sequence, first.state) == (date(2027, 4, 5), 0, "upcoming")


def test_we_met_is_one_tap_for_the_pair_and_nobody_else(session: Session, world: World) -> None:
    first = _agree(session, world)[0]
    for stranger in (world.cai, world.eve):
        with pytest.raises(NotFound):
            checkins.mark_held(session, participant=stranger, checkin_id=first.id or 0)
    checkins.mark_held(session, participant=world.ben, checkin_id=first.id or 0)
    checkins.mark_held(session, participant=world.ana, checkin_id=first.id or 0)
    page = checkins.checkin_page(session, participant=world.ana, checkin_id=first.id or 0)
    assert (page.state, page.buddy_names, page.number) == ("held", ["Ben"], 1)
    partnership.change_partnership(session, participant=world.ana, state="paused", reason="no_time")
    with pytest.raises(Conflict):
        checkins.mark_held(session, participant=world.ben, checkin_id=first.id or 0)


def test_a_check_in_nobody_marked_is_missed_two_days_after(session: Session, world: World) -> None:
    first, second, _ = _agree(session, world)
    checkins.mark_held(session, participant=world.ana, checkin_id=second.id or 0)
    assert checkins.mark_missed(session, now=datetime(2027, 4, 7, 9, 59, tzinfo=UTC)) == 0
    assert checkins.mark_missed(session, now=datetime(2027, 6, 1, 10, 0, tzinfo=UTC)) == 1
    assert (first.state, second.state) == ("missed", "held")
    # A missed check-in can still be marked as held afterwards.
    checkins.mark_held(session, participant=world.ben, checkin_id=first.id or 0)
    assert first.state == "held"


def test_renewing_starts_a_new_series_after_the_last_check_in(
    session: Session, world: World
) -> None:
    made = _agree(session, world)
    during = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)
    assert (
        partnership.partnership_view(session, participant=world.ana, now=during).can_renew is False
    )
    with pytest.raises(Conflict):
        partnership.propose_rhythm(session, participant=world.ben, rhythm="quarterly-4", now=during)
    for c in made:
        checkins.mark_held(session, participant=world.ana, checkin_id=c.id or 0)
    after = datetime(2027, 6, 3, 9, 0, tzinfo=UTC)
    assert partnership.partnership_view(session, participant=world.ana, now=after).can_renew
    partnership.propose_rhythm(session, participant=world.ben, rhythm="quarterly-4", now=after)
    pending = partnership.partnership_view(session, participant=world.ana, now=after)
    assert (pending.can_renew, pending.proposal[0], len(pending.checkins)) == (
        False,
        date(2027, 9, 3),
        3,
    )
    partnership.agree_rhythm(session, participant=world.ana)
    renewed = checkins.group_checkins(session, group=world.group)
    assert [(c.series, c.number, c.day) for c in renewed[3:]] == [
        (2, 1, date(2027, 9, 3)),
        (2, 2, date(2027, 12, 3)),
        (2, 3, date(2028, 3, 3)),
        (2, 4, date(2028, 6, 5)),
    ]


def test_ending_kindly_keeps_the_reason_with_the_one_who_gave_it(
    session: Session, world: World
) -> None:
    _agree(session, world)
    partnership.change_partnership(
        session, participant=world.ben, state="ended", reason="roles_overlap"
    )
    ben = partnership.partnership_view(session, participant=world.ben)
    ana = partnership.partnership_view(session, participant=world.ana)
    assert (ben.state, ben.my_reason) == ("ended", "roles_overlap")
    assert (ana.state, ana.my_reason) == ("ended", "")
    assert "roles_overlap" not in repr(plans.plans_overview(session, cohort=world.cohort))
    with pytest.raises(NotFound):
        partnership.checkin_calendar(session, participant=world.ana, prodid_host="t.example")


def test_next_steps_are_added_ticked_and_removed_by_the_pair_only(
    session: Session, world: World
) -> None:
    step = steps.add_agreed_step(session, participant=world.ana, text="Shadow a 1:1")
    other = steps.add_agreed_step(session, participant=world.ben, text="Swap reading lists")
    steps.tick_step(session, participant=world.ben, step_id=step.id or 0)
    for stranger in (world.cai, world.eve):
        with pytest.raises(NotFound):
            steps.tick_step(session, participant=stranger, step_id=step.id or 0)
        with pytest.raises(NotFound):
            steps.remove_step(session, participant=stranger, step_id=other.id or 0)
    view = partnership.partnership_view(session, participant=world.ana)
    assert [(s.text, s.done) for s in view.steps] == [
        ("Shadow a 1:1", True),
        ("Swap reading lists", False),
    ]
    steps.tick_step(session, participant=world.ana, step_id=step.id or 0, done=False)
    steps.remove_step(session, participant=world.ana, step_id=other.id or 0)
    view = partnership.partnership_view(session, participant=world.ben)
    assert [(s.text, s.done) for s in view.steps] == [("Shadow a 1:1", False)]


def test_held_check_ins_are_never_counted_for_fewer_than_five(session: Session) -> None:
    world = make_world(session)
    first, second, third = _agree(session, world)
    for c in (first, second, third):
        checkins.mark_held(session, participant=world.ana, checkin_id=c.id or 0)
    # Two pairs: no count at all, however many check-ins they held.
    assert checkins.held_checkins(session, cohort=world.cohort) == checkins.SmallCount(
        None, pairs_too_few=True
    )
    for n in range(3):
        a, b = (add_participant(session, world.cohort, f"P{n}{x}") for x in "ab")
        make_group(session, world.cohort, [a, b])
    # Five pairs, but only three check-ins held: "fewer than 5".
    assert checkins.held_checkins(session, cohort=world.cohort) == checkins.SmallCount(None)
    partnership.propose_rhythm(session, participant=world.cai, rhythm="monthly-6")
    partnership.agree_rhythm(session, participant=world.dan)
    cai = checkins.group_checkins(session, group=world.other_group)
    checkins.mark_held(session, participant=world.cai, checkin_id=cai[0].id or 0)
    assert checkins.held_checkins(session, cohort=world.cohort) == checkins.SmallCount(None)
    checkins.mark_held(session, participant=world.dan, checkin_id=cai[1].id or 0)
    assert checkins.held_checkins(session, cohort=world.cohort) == checkins.SmallCount(5)
    assert plans.plans_overview(session, cohort=world.cohort).checkins_held.value == 5
