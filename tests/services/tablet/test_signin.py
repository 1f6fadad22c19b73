"""Sign-in cards: issue, redeem by code or link, re-issue, revoke, expiry, throttling."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import WebSession
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


def _redeem(session: Session, **kwargs: str) -> SignInCard:
    return signin.redeem_card(
        session, client="10.0.0.1", secret=SECRET, window_seconds=300, **kwargs
    )


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


def test_failed_redemptions_are_throttled_per_client(session: Session, world: World) -> None:
    ana, _ = _issue(session, world)
    for _ in range(3):
        with pytest.raises(signin.CardRejected):
            signin.redeem_card(
                session,
                client="10.0.0.9",
                secret=SECRET,
                window_seconds=300,
                code="AAAA-AAAA",
                max_attempts=3,
            )
    with pytest.raises(Throttled):
        signin.redeem_card(
            session,
            client="10.0.0.9",
            secret=SECRET,
            window_seconds=300,
            code=ana.code,
            max_attempts=3,
        )
    other = signin.redeem_card(
        session, client="10.0.0.7", secret=SECRET, window_seconds=300, code=ana.code, max_attempts=3
    )
    assert other.participant_id == world.ana.id


def test_card_statuses_show_dates_and_revocation(session: Session, world: World) -> None:
    _issue(session, world)
    signin.revoke_card(session, participant=world.ben)
    statuses = signin.card_statuses(session, participants=[world.ana, world.ben, world.cai])
    assert [(s.participant.name, s.issued_at is not None, s.revoked) for s in statuses] == [
        ("Ana", True, False),
        ("Ben", True, True),
        ("Cai", False, False),
    ]
