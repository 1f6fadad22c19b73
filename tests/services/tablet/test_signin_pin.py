"""Personal PINs: chosen once, asked every time, throttled, locked, reset by a facilitator;
every sign-in recorded and shown to its owner."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.core.errors import InvalidInput
from app.models import AuditEvent, LoginAttempt, ParticipantPin, WebSession
from app.models.tablet import Answer
from app.services.accounts import service as accounts
from app.services.accounts.service import Throttled
from app.services.tablet import pin as signin_pin
from app.services.tablet import responses, signin
from app.services.tablet import views as tablet_views
from tests.services.tablet.factories import World, make_world

SECRET = "p" * 48


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _attempt(device: str = "tablet-1") -> signin.Attempt:
    return signin.Attempt(device=device, address="10.0.0.1", window_seconds=300, per_device=50)


def _verify(session: Session, world: World, pin: str, device: str = "tablet-1") -> int:
    return signin_pin.verify_pin(
        session, participant=world.ana, pin=pin, secret=SECRET, attempt=_attempt(device)
    )


def _set(session: Session, world: World, pin: str = "2580", again: str | None = None) -> None:
    signin_pin.set_pin(
        session,
        participant=world.ana,
        pin=pin,
        again=pin if again is None else again,
        secret=SECRET,
    )


def test_a_pin_is_chosen_once_and_stored_only_as_a_keyed_hash(
    session: Session, world: World
) -> None:
    assert signin_pin.needs_new_pin(session, participant=world.ana) is True
    _set(session, world, "40961")
    row = session.get(ParticipantPin, world.ana.id)
    assert row is not None
    assert row.pin_hash is not None
    assert row.pin_hash == signin_pin.pin_digest(
        "40961", salt=row.salt, participant_id=world.ana.id or 0, secret=SECRET
    )
    assert "40961" not in repr(row)
    assert signin_pin.needs_new_pin(session, participant=world.ana) is False
    with pytest.raises(signin_pin.PinRejected):  # a card holder cannot overwrite it
        _set(session, world, "77310")
    assert _verify(session, world, "40961") == 0


@pytest.mark.parametrize(
    ("pin", "again", "message"),
    [
        ("12", "12", "The PIN must be 4 to 8 digits."),
        ("12a4", "12a4", "The PIN must be 4 to 8 digits."),
        ("123456789", "123456789", "The PIN must be 4 to 8 digits."),
        ("1234", "1234", "The PIN is too easy to guess: avoid 1234 or 1111."),
        ("9876", "9876", "The PIN is too easy to guess: avoid 1234 or 1111."),
        ("0000", "0000", "The PIN is too easy to guess: avoid 1234 or 1111."),
        ("2580", "2581", "The PIN does not match the first one."),
    ],
)
def test_a_weak_or_mistyped_pin_is_refused_and_nothing_is_stored(
    session: Session, world: World, pin: str, again: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _set(session, world, pin, again)
    assert [p.message for p in refused.value.problems] == [message]
    assert signin_pin.needs_new_pin(session, participant=world.ana) is True


def test_wrong_pins_are_counted_per_card_and_audited_without_the_pin(
    session: Session, world: World
) -> None:
    _set(session, world)
    for _ in range(2):
        with pytest.raises(signin_pin.PinRejected):
            _verify(session, world, "1357")
    assert _verify(session, world, "2580") == 2  # the sign-in will say so
    assert session.get(ParticipantPin, world.ana.id).failures == 0  # type: ignore[union-attr]
    failed = session.exec(
        select(AuditEvent).where(AuditEvent.action == "participant.signin_failed")
    ).all()
    assert [(e.object_id, e.detail) for e in failed] == [
        (str(world.ana.id), {"step": "pin", "in_a_row": 1}),
        (str(world.ana.id), {"step": "pin", "in_a_row": 2}),
    ]
    assert "1357" not in " ".join(repr(e) for e in session.exec(select(AuditEvent)))


def test_a_card_gets_five_pins_per_window_from_any_tablets(session: Session, world: World) -> None:
    _set(session, world)
    for n in range(signin_pin.PIN_ATTEMPTS_PER_WINDOW):
        with pytest.raises(signin_pin.PinRejected):
            _verify(session, world, "1357", device=f"tablet-{n}")
    with pytest.raises(Throttled):
        _verify(session, world, "2580", device="tablet-new")


def _next_window(session: Session) -> None:
    """The throttle window passes: its counted attempts are pruned."""
    for row in session.exec(select(LoginAttempt)):
        session.delete(row)
    session.flush()


def test_ten_wrong_pins_in_a_row_lock_the_pin_until_a_reset(session: Session, world: World) -> None:
    _set(session, world)
    for n in range(signin_pin.PIN_LOCK_AFTER - 1):
        if n % signin_pin.PIN_ATTEMPTS_PER_WINDOW == 0:
            _next_window(session)
        with pytest.raises(signin_pin.PinRejected):
            _verify(session, world, "1357")
    with pytest.raises(signin_pin.PinLocked):
        _verify(session, world, "1357")
    _next_window(session)
    with pytest.raises(signin_pin.PinLocked):  # even the right PIN, now
        _verify(session, world, "2580")


def test_a_reset_keeps_every_word_ends_the_sessions_and_is_remembered(
    session: Session, world: World
) -> None:
    _set(session, world)
    exercise = tablet_views.exercise_for(
        session, participant=world.ana, exercise_id="meet-your-buddy"
    )
    responses.save_answer(
        session,
        participant=world.ana,
        exercise=exercise,
        prompt_id="their-week",
        value="ANA-WORDS",
        base_version=0,
        idempotency_key="k-reset-0001",
    )
    accounts.start_session(session, hours=1, participant_id=world.ana.id)
    accounts.start_session(session, hours=1, participant_id=world.ben.id)

    signin_pin.reset_pin(session, participant=world.ana, actor="facilitator:7")

    assert signin_pin.needs_new_pin(session, participant=world.ana) is True
    assert signin_pin.pin_reset_at(session, participant=world.ana) is not None
    assert [w.participant_id for w in session.exec(select(WebSession))] == [world.ben.id]
    [answer] = session.exec(select(Answer).where(Answer.participant_id == world.ana.id)).all()
    assert (answer.value, answer.version) == ("ANA-WORDS", 1)
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "participant.pin_reset")
    ).all()
    assert (event.actor, event.object_id, event.detail) == ("facilitator:7", str(world.ana.id), {})
    _set(session, world, "97531")
    assert _verify(session, world, "97531") == 0


def test_the_participant_sees_their_latest_sign_ins_and_which_were_on_this_tablet(
    session: Session, world: World
) -> None:
    for device, summary, wrong in (
        ("a" * 64, "Safari on an iPad", 0),
        ("b" * 64, "Chrome on Windows", 3),
    ):
        signin_pin.record_signin(
            session,
            participant=world.ana,
            device=device,
            device_summary=summary,
            via="pin",
            wrong_pins_before=wrong,
        )
    activity = signin_pin.account_activity(session, participant=world.ana, device="a" * 64)
    assert [(r.device, r.this_tablet, r.wrong_pins_before) for r in activity.signins] == [
        ("Chrome on Windows", False, 3),
        ("Safari on an iPad", True, 0),
    ]
    assert activity.pin_reset_at is None
    assert signin_pin.account_activity(session, participant=world.ben, device="").signins == []


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            " Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari on an iPad",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/125.0.0.0 Safari/537.36",
            "Chrome on an Android tablet",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
            "Firefox on Linux",
        ),
        ("curl/8.5.0", "a browser"),
    ],
)
def test_devices_are_summarised_coarsely(agent: str, summary: str) -> None:
    assert signin_pin.describe_device(agent) == summary
