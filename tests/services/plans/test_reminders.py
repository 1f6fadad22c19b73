"""Reminder mails before each check-in: due two days before at 09:00 local time, queued once
per date (a moved check-in is reminded again with the same UID and a higher SEQUENCE), none
for a member who opted out or a partnership that paused or ended, and never a word anyone
wrote in the subject, body, headers or the calendar invitation."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.policy import default
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.models import OutboxMessage, SignInLink, utcnow
from app.models.plans import CheckIn
from app.services import mail
from app.services.ops import run_background_task
from app.services.plans import checkins, partnership, reminders, steps
from app.services.plans import service as plan_service
from tests.services.tablet.factories import World, make_world

BASE = "http://testserver"
SENDER = "Tandem <tandem@example.com>"
CANARY = "CANARY-9c1e"
# Europe/Berlin is on summer time (UTC+2) in April 2027: 09:00 local is 07:00 UTC.
DUE = datetime(2027, 4, 3, 7, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    world = make_world(session)
    world.cohort.timezone = "Europe/Berlin"
    session.add(world.cohort)
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
    partnership.agree_rhythm(session, participant=world.ben)
    return world


def _first(session: Session, world: World) -> CheckIn:
    return checkins.group_checkins(session, group=world.group)[0]


def _sweep(session: Session, now: datetime) -> reminders.ReminderSweep:
    return reminders.send_checkin_reminders(session, now=now, base_url=BASE, sender=SENDER)


def _outbox(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def _parsed(row: OutboxMessage) -> EmailMessage:
    assert row.payload is not None
    message = email.message_from_bytes(row.payload, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def _invite(message: EmailMessage) -> tuple[str, Calendar]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return part["Content-Type"], Calendar.from_ical(data)


def _everything(message: EmailMessage) -> str:
    """Subject, headers, every text part and every attachment, decoded."""
    texts = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def test_a_reminder_goes_out_two_days_before_at_nine_local_time_once(
    session: Session, world: World
) -> None:
    early = datetime(2027, 4, 3, 6, 59, tzinfo=UTC)
    assert _sweep(session, early) == reminders.ReminderSweep(0, 0, 0)
    assert _sweep(session, DUE) == reminders.ReminderSweep(2, 0, 0)
    assert _sweep(session, DUE) == reminders.ReminderSweep(0, 0, 0)
    assert _sweep(session, datetime(2027, 4, 4, 12, 0, tzinfo=UTC)).queued == 0
    first = _first(session, world)
    assert [(m.to_address, m.dedupe_key) for m in _outbox(session)] == [
        (world.ana.email, f"checkin:{first.id}:seq0:to{world.ana.id}"),
        (world.ben.email, f"checkin:{first.id}:seq0:to{world.ben.id}"),
    ]


def test_the_mail_holds_names_the_date_and_a_link_never_what_anyone_wrote(
    session: Session, world: World
) -> None:
    first = _first(session, world)
    partnership.save_checkin_note(
        session, participant=world.ana, checkin_date=first.day, text=f"{CANARY} note"
    )
    steps.add_agreed_step(session, participant=world.ben, text=f"{CANARY} step")
    plan_service.save_plan(
        session,
        participant=world.ana,
        content={"aspiration": f"{CANARY} aspiration", "goals": [{"what": f"{CANARY} goal"}]},
        base_version=0,
        idempotency_key="canary-plan",
    )
    _sweep(session, DUE)
    ana = next(m for m in _outbox(session) if m.to_address == world.ana.email)
    message = _parsed(ana)
    everything = _everything(message)
    assert CANARY not in everything
    assert message["Subject"] == "Your check-in with Ben on Monday, April 5, 2027"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "your check-in 1 with Ben is on Monday, April 5, 2027 at 10:00" in text
    assert f"{BASE}/link/" in text
    content_type, calendar = _invite(message)
    assert content_type.startswith("text/calendar")
    assert "method=REQUEST" in content_type.replace('"', "")
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["method"]), int(event["sequence"])) == ("REQUEST", 0)
    assert event.decoded("dtstart").isoformat() == "2027-04-05T10:00:00+02:00"
    assert str(event["summary"]) == "Buddy check-in 1: Ana and Ben"
    link = session.exec(select(SignInLink).where(SignInLink.participant_id == world.ana.id)).one()
    assert (link.purpose, link.next_path) == (
        f"checkin-{first.id}",
        f"/p/partnership/checkins/{first.id}",
    )


def test_a_moved_check_in_is_reminded_again_and_updates_the_same_event(
    session: Session, world: World
) -> None:
    _sweep(session, DUE)
    first = _first(session, world)
    checkins.move_checkin(
        session,
        participant=world.ben,
        checkin_id=first.id or 0,
        day=date(2027, 4, 7),
        at=time(14, 0),
        now=DUE,
    )
    assert _sweep(session, DUE).queued == 0  # the new reminder falls due on 5 April
    assert _sweep(session, datetime(2027, 4, 5, 7, 0, tzinfo=UTC)).queued == 2
    ana = [_parsed(m) for m in _outbox(session) if m.to_address == world.ana.email]
    [before], [after] = (_invite(m)[1].walk("VEVENT") for m in ana)
    assert str(after["uid"]) == str(before["uid"])
    assert (int(before["sequence"]), int(after["sequence"])) == (0, 1)
    assert after.decoded("dtstart").isoformat() == "2027-04-07T14:00:00+02:00"
    assert ana[1]["Subject"] == "Moved: your check-in with Ben on Wednesday, April 7, 2027"


def test_a_member_who_opted_out_gets_no_reminder_and_no_link(
    session: Session, world: World
) -> None:
    mail.set_reminders(session, participant=world.ben, enabled=False)
    assert _sweep(session, DUE) == reminders.ReminderSweep(1, 1, 0)
    assert [m.to_address for m in _outbox(session)] == [world.ana.email]
    ben_links = session.exec(select(SignInLink).where(SignInLink.participant_id == world.ben.id))
    assert ben_links.all() == []


@pytest.mark.parametrize("state", ["paused", "ended"])
def test_a_paused_or_ended_partnership_is_not_reminded(
    session: Session, world: World, state: str
) -> None:
    partnership.change_partnership(session, participant=world.ana, state=state, reason="no_time")
    assert _sweep(session, DUE).queued == 0
    assert _outbox(session) == []


def test_a_held_check_in_is_not_reminded_and_a_silent_one_is_missed(
    session: Session, world: World
) -> None:
    first, second, _ = checkins.group_checkins(session, group=world.group)
    checkins.mark_held(session, participant=world.ana, checkin_id=first.id or 0)
    assert _sweep(session, DUE).queued == 0
    later = datetime(2027, 5, 6, 12, 0, tzinfo=UTC)
    assert _sweep(session, later) == reminders.ReminderSweep(0, 0, 1)
    assert (first.state, second.state) == ("held", "missed")


def test_the_background_task_sends_what_is_due_now(
    session: Session, world: World, engine: Engine, settings: Settings
) -> None:
    first = _first(session, world)
    tomorrow = utcnow() + timedelta(days=1)
    checkins.move_checkin(
        session,
        participant=world.ana,
        checkin_id=first.id or 0,
        day=tomorrow.astimezone(ZoneInfo("Europe/Berlin")).date(),
        at=time(23, 0),
        now=utcnow(),
    )
    session.commit()
    run_background_task(engine, settings, reminders.REMINDER_TASK)
    run_background_task(engine, settings, reminders.REMINDER_TASK)
    session.expire_all()
    assert [m.to_address for m in _outbox(session)] == [world.ana.email, world.ben.email]
