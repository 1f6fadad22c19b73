"""Personal links: issued once in clear, stored as a hash, single use, expiring, replaced by
the next one, stopped on request, throttled, and forged ones open nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.core.errors import InvalidInput, NotFound
from app.models import AuditEvent, SignInLink, WebSession, utcnow
from app.services import accounts, links
from app.services.accounts import Throttled
from app.services.tablet import Attempt
from tests.services.tablet.factories import World, make_world

BASE = "https://tandem.example.org"


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _attempt(device: str = "phone-1", address: str = "10.0.0.1") -> Attempt:
    return Attempt(device=device, address=address, window_seconds=300)


def _token(issued: links.IssuedLink) -> str:
    return issued.url.rsplit("/", 1)[1]


def _issue(session: Session, world: World, **kwargs: object) -> links.IssuedLink:
    assert world.ana.id is not None
    return links.issue_link(session, world.ana.id, base_url=BASE, **kwargs)  # type: ignore[arg-type]


def _reason(session: Session, token: str) -> str:
    with pytest.raises(links.LinkRejected) as refused:
        links.redeem_link(session, token=token, attempt=_attempt())
    return refused.value.reason


def test_issue_link_returns_a_url_under_the_base_and_an_expiry_two_weeks_ahead(
    session: Session, world: World
) -> None:
    before = utcnow()
    issued = _issue(session, world)
    assert issued.url.startswith(f"{BASE}/link/")
    assert len(_token(issued)) == 43  # 256 bits, URL-safe
    assert before + timedelta(days=14) <= issued.expires_at <= utcnow() + timedelta(days=14)
    assert issued.participant_id == world.ana.id
    assert issued.purpose == "sign-in"


def test_the_database_holds_only_the_hash_of_the_token(session: Session, world: World) -> None:
    issued = _issue(session, world, next_path="/p/plan")
    session.commit()
    token = _token(issued)
    rows = session.execute(text("SELECT * FROM signin_link")).all()
    dumped = repr([tuple(r) for r in rows])
    assert token not in dumped
    assert accounts.hash_token(token) in dumped
    events = session.exec(select(AuditEvent)).all()
    assert token not in repr([(e.action, e.detail) for e in events])


def test_a_link_opens_once_and_is_spent_by_use(session: Session, world: World) -> None:
    token = _token(_issue(session, world))
    link = links.redeem_link(session, token=token, attempt=_attempt())
    assert link.participant_id == world.ana.id
    # Opening it again before the PIN is fine: it is spent only when a session opens.
    again = links.redeem_link(session, token=token, attempt=_attempt())
    assert again.id == link.id
    assert links.use_link(session, link=link) is True
    assert links.use_link(session, link=again) is False
    assert _reason(session, token) == "used"


def test_an_expired_link_is_refused_as_expired(session: Session, world: World) -> None:
    token = _token(_issue(session, world, ttl=timedelta(minutes=5)))
    row = session.exec(select(SignInLink)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.flush()
    assert _reason(session, token) == "expired"
    assert links.use_link(session, link=row) is False


def test_reissuing_revokes_the_old_link_of_the_same_purpose_only(
    session: Session, world: World
) -> None:
    first = _token(_issue(session, world))
    checkin = _token(_issue(session, world, purpose="check-in", next_path="/p/partnership"))
    second = _token(_issue(session, world))
    assert _reason(session, first) == "unknown"
    assert links.redeem_link(session, token=second, attempt=_attempt()).purpose == "sign-in"
    assert links.redeem_link(session, token=checkin, attempt=_attempt()).purpose == "check-in"


def test_revoke_links_stops_unused_links_and_ends_the_sessions_links_opened(
    session: Session, world: World
) -> None:
    assert world.ana.id is not None
    used = _issue(session, world)
    link = links.redeem_link(session, token=_token(used), attempt=_attempt())
    assert links.use_link(session, link=link)
    by_link = accounts.start_session(session, hours=1, participant_id=world.ana.id)
    links.bind_session(session, link=link, session_id=by_link.session.id)
    by_card = accounts.start_session(session, hours=1, participant_id=world.ana.id)
    unused = _token(_issue(session, world))
    stopped = links.revoke_links(session, world.ana.id, by=f"participant:{world.ana.id}")
    assert stopped == 1
    assert _reason(session, unused) == "unknown"
    left = {row.id for row in session.exec(select(WebSession)).all()}
    assert left == {by_card.session.id}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "link.revoke")).one()
    assert (event.actor, event.detail) == (
        f"participant:{world.ana.id}",
        {"purpose": "all", "links": 1, "sessions": 1},
    )


def test_revoke_links_of_one_purpose_keeps_the_others(session: Session, world: World) -> None:
    assert world.ana.id is not None
    sign_in = _token(_issue(session, world))
    _issue(session, world, purpose="check-in")
    assert links.revoke_links(session, world.ana.id, purpose="check-in", by="facilitator:1") == 1
    assert links.redeem_link(session, token=sign_in, attempt=_attempt()).purpose == "sign-in"


@pytest.mark.parametrize(
    "forged",
    ["", "x", "A" * 43, "A" * 400, "../../etc/passwd", "a-b_c" * 9, "ünïcode" * 7],
)
def test_a_forged_token_opens_nothing_and_is_counted(
    session: Session, world: World, forged: str
) -> None:
    _issue(session, world)
    assert _reason(session, forged) == "unknown"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "link.refused")).one()
    assert event.detail == {"reason": "unknown"}
    assert forged not in repr(event.detail) or forged == ""


def test_too_many_misses_from_one_device_are_throttled_while_others_still_sign_in(
    session: Session, world: World
) -> None:
    token = _token(_issue(session, world))
    for _ in range(10):
        with pytest.raises(links.LinkRejected):
            links.redeem_link(session, token="B" * 43, attempt=_attempt("guesser"))
    with pytest.raises(Throttled):
        links.redeem_link(session, token=token, attempt=_attempt("guesser"))
    assert links.redeem_link(session, token=token, attempt=_attempt("phone-2")).id is not None


def test_too_many_misses_from_one_address_are_throttled_whatever_the_device(
    session: Session, world: World
) -> None:
    token = _token(_issue(session, world))
    crowd = Attempt(device="d0", address="10.9.9.9", window_seconds=300, per_address=5)
    for n in range(5):
        with pytest.raises(links.LinkRejected):
            links.redeem_link(
                session,
                token="C" * 43,
                attempt=Attempt(device=f"d{n}", address="10.9.9.9", window_seconds=300),
            )
    with pytest.raises(Throttled):
        links.redeem_link(session, token=token, attempt=crowd)


@pytest.mark.parametrize(
    "path", ["/", "/p", "/p/plan", "/p/exercises/meet-your-buddy", "/intake", "/intake?step=2"]
)
def test_check_next_path_allows_participant_pages(path: str) -> None:
    assert links.check_next_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/p",
        "//evil.example/p",
        "/\\evil.example",
        "/cohorts/spring",
        "/p/../cohorts",
        "/pirate",
        "p/plan",
        "",
        "/p/plan\nSet-Cookie: x=1",
        "/login?next=//evil",
        "javascript:alert(1)",
    ],
)
def test_check_next_path_refuses_anything_else(path: str) -> None:
    with pytest.raises(InvalidInput):
        links.check_next_path(path)


def test_issue_link_refuses_a_bad_next_page_purpose_or_lifetime_and_writes_nothing(
    session: Session, world: World
) -> None:
    for kwargs in (
        {"next_path": "https://evil.example"},
        {"purpose": "Sign In!"},
        {"ttl": timedelta(seconds=1)},
        {"ttl": timedelta(days=365)},
    ):
        with pytest.raises(InvalidInput):
            _issue(session, world, **kwargs)
    with pytest.raises(NotFound):
        links.issue_link(session, 987654, base_url=BASE)
    assert session.exec(select(SignInLink)).all() == []


def test_a_pending_ticket_works_on_its_device_only_and_not_once_the_link_is_spent(
    session: Session, world: World
) -> None:
    link = links.redeem_link(session, token=_token(_issue(session, world)), attempt=_attempt())
    ticket = links.link_ticket(link, device="phone-1", secret="s" * 48)
    assert links.pending_link(session, ticket=ticket, device="phone-1", secret="s" * 48) == link
    assert links.pending_link(session, ticket=ticket, device="phone-2", secret="s" * 48) is None
    assert links.pending_link(session, ticket=ticket, device="phone-1", secret="t" * 48) is None
    assert links.pending_link(session, ticket="1.2.3", device="phone-1", secret="s" * 48) is None
    links.use_link(session, link=link)
    assert links.pending_link(session, ticket=ticket, device="phone-1", secret="s" * 48) is None


def test_link_statuses_say_no_link_issued_used_expired_and_stopped(
    session: Session, world: World
) -> None:
    assert world.ben.id is not None
    assert world.cai.id is not None
    used = links.redeem_link(session, token=_token(_issue(session, world)), attempt=_attempt())
    links.use_link(session, link=used)
    links.issue_link(session, world.ben.id, base_url=BASE)
    links.issue_link(session, world.cai.id, base_url=BASE, ttl=timedelta(minutes=1))
    cai_link = session.exec(
        select(SignInLink).where(SignInLink.participant_id == world.cai.id)
    ).one()
    cai_link.expires_at = utcnow() - timedelta(minutes=1)
    session.add(cai_link)
    session.flush()
    people = [world.ana, world.ben, world.cai, world.dan]
    states = [s.state for s in links.link_statuses(session, participants=people)]
    assert states == ["used", "issued", "expired", "none"]
    links.revoke_links(session, world.ben.id, by="facilitator:1")
    assert links.link_statuses(session, participants=[world.ben])[0].state == "revoked"


def test_my_links_counts_working_links_and_open_link_sessions(
    session: Session, world: World
) -> None:
    assert world.ana.id is not None
    assert links.my_links(session, participant_id=world.ana.id) == links.MyLinks(0, 0)
    link = links.redeem_link(session, token=_token(_issue(session, world)), attempt=_attempt())
    links.use_link(session, link=link)
    opened = accounts.start_session(session, hours=1, participant_id=world.ana.id)
    links.bind_session(session, link=link, session_id=opened.session.id)
    _issue(session, world, purpose="check-in")
    assert links.my_links(session, participant_id=world.ana.id) == links.MyLinks(1, 1)


def test_the_participants_data_export_lists_their_links_without_a_token(
    session: Session, world: World
) -> None:
    from app.services.privacy import export_my_data

    issued = _issue(session, world, next_path="/p/plan")
    exported = export_my_data(session, participant=world.ana)
    [row] = exported["signin_links"]
    assert (row["purpose"], row["lands_on"], row["used_at"]) == ("sign-in", "/p/plan", None)
    assert _token(issued) not in repr(exported)
