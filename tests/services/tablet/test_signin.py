"""Sign-in cards: issue, redeem by code or link, re-issue, revoke, expiry, throttling."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, WebSession
from app.models.tablet import SignInCard
from app.services.accounts import service as accounts
from app.services.accounts.service import Throttled
from app.services.tablet import signin
from tests.services.tablet.factories import World, make_world

SECRET = "s" * 48


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _issue(session: Session, world: World) -> list[signin.IssuedCard]:
    return signin.issue_cards(
        session,
        cohort=world.cohort,
        participants=[world.ana, world.ben],
        secret=SECRET,
        followup_days=180,
    )


def _attempt(device: str = "tablet-1", address: str = "10.0.0.1") -> signin.Attempt:
    return signin.Attempt(device=device, address=address, window_seconds=300)


def _redeem(session: Session, **kwargs: str) -> SignInCard:
    return signin.redeem_card(session, attempt=_attempt(), secret=SECRET, **kwargs)


def test_cards_have_grouped_unambiguous_codes_and_only_hashes_are_stored(
    session: Session, world: World
) -> None:
    cards = _issue(session, world)
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", c.code) for c in cards)
    stored = " ".join(f"{c.token_hash} {c.code_hash}" for c in session.exec(select(SignInCard)))
    for card in cards:
        assert card.token not in stored
        assert signin.normalise_code(card.code) not in stored


def test_code_redeems_typed_loosely_and_link_redeems(session: Session, world: World) -> None:
    ana, _ = _issue(session, world)
    loose = " " + ana.code.lower().replace("-", " ") + " "
    assert _redeem(session, code=loose).participant_id == world.ana.id
    assert _redeem(session, token=ana.token).participant_id == world.ana.id


def test_new_cards_retire_the_old_ones(session: Session, world: World) -> None:
    old, _ = _issue(session, world)
    new, _ = _issue(session, world)
    with pytest.raises(signin.CardRejected):
        _redeem(session, code=old.code)
    assert _redeem(session, code=new.code).participant_id == world.ana.id


def test_revoking_retires_the_card_and_signs_out_the_tablets(
    session: Session, world: World
) -> None:
    ana, ben = _issue(session, world)
    accounts.start_session(session, hours=1, participant_id=world.ana.id)
    accounts.start_session(session, hours=1, participant_id=world.ben.id)
    assert signin.revoke_card(session, participant=world.ana) == 1
    with pytest.raises(signin.CardRejected):
        _redeem(session, token=ana.token)
    assert [w.participant_id for w in session.exec(select(WebSession))] == [world.ben.id]
    assert _redeem(session, code=ben.code).participant_id == world.ben.id


def test_cards_last_until_the_end_of_the_follow_up(session: Session, world: World) -> None:
    world.cohort.timezone = "Europe/Berlin"
    expiry = signin.card_expiry(world.cohort, followup_days=180)
    # 2027-03-01 + 3 days + 180 days = 2027-08-31, 23:59:59 in Berlin (summer time, UTC+2).
    assert expiry.astimezone(UTC) == datetime(2027, 8, 31, 21, 59, 59, tzinfo=UTC)


def test_expired_cards_are_refused(session: Session, world: World) -> None:
    ana, _ = _issue(session, world)
    for card in session.exec(select(SignInCard)):
        card.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(card)
    session.flush()
    with pytest.raises(signin.CardRejected):
        _redeem(session, code=ana.code)


def test_wrong_codes_lock_only_the_tablet_that_typed_them(session: Session, world: World) -> None:
    """A room of tablets shares one address: one person's mistakes must not lock the room."""
    ana, ben = _issue(session, world)
    clumsy = signin.Attempt(device="tablet-1", address="10.0.0.9", window_seconds=300, per_device=3)
    for _ in range(3):
        with pytest.raises(signin.CardRejected):
            signin.redeem_card(session, attempt=clumsy, secret=SECRET, code="AAAA-AAAA")
    with pytest.raises(Throttled):
        signin.redeem_card(session, attempt=clumsy, secret=SECRET, code=ana.code)
    neighbour = signin.Attempt(device="tablet-2", address="10.0.0.9", window_seconds=300)
    assert (
        signin.redeem_card(session, attempt=neighbour, secret=SECRET, code=ben.code).participant_id
        == world.ben.id
    )


def test_an_address_has_a_generous_ceiling_against_scripted_guessing(
    session: Session, world: World
) -> None:
    ana, _ = _issue(session, world)
    for n in range(4):  # a script inventing a new device id for every guess
        attempt = signin.Attempt(
            device=f"made-up-{n}", address="10.0.0.66", window_seconds=300, per_address=4
        )
        with pytest.raises(signin.CardRejected):
            signin.redeem_card(session, attempt=attempt, secret=SECRET, code="AAAA-AAAA")
    fifth = signin.Attempt(
        device="made-up-5", address="10.0.0.66", window_seconds=300, per_address=4
    )
    with pytest.raises(Throttled):
        signin.redeem_card(session, attempt=fifth, secret=SECRET, code=ana.code)
    elsewhere = signin.Attempt(device="made-up-6", address="10.0.0.67", window_seconds=300)
    assert signin.redeem_card(session, attempt=elsewhere, secret=SECRET, code=ana.code)


def test_refused_attempts_are_audited_without_the_code(session: Session, world: World) -> None:
    _issue(session, world)
    with pytest.raises(signin.CardRejected):
        _redeem(session, code="AAAA-AAAA")
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "signin.refused")).all()
    assert (event.object_type, event.detail) == ("card", {"step": "code"})
    assert "AAAA" not in repr(event)


def test_printing_new_cards_ends_the_sessions_opened_with_the_old_ones(
    session: Session, world: World
) -> None:
    _issue(session, world)
    accounts.start_session(session, hours=1, participant_id=world.ana.id)
    accounts.start_session(session, hours=1, participant_id=world.cai.id)
    _issue(session, world)  # Ana and Ben get new cards; Cai keeps hers
    assert [w.participant_id for w in session.exec(select(WebSession))] == [world.cai.id]


def test_card_statuses_show_dates_and_revocation(session: Session, world: World) -> None:
    _issue(session, world)
    signin.revoke_card(session, participant=world.ben)
    statuses = signin.card_statuses(session, participants=[world.ana, world.ben, world.cai])
    assert [(s.participant.name, s.issued_at is not None, s.revoked) for s in statuses] == [
        ("Ana", True, False),
        ("Ben", True, True),
        ("Cai", False, False),
    ]
