"""Signing a tablet in: card, then personal PIN; sessions that end when they should; throttles
per tablet; nothing secret in an address, a Referer or an error page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Facilitator, Participant, WebSession, utcnow
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import TABLET_PIN, csrf_of, join_tablet, sign_in
from tests.services.tablet.factories import World, make_world

SECRET = "x" * 48
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.0.0 Safari/537.36"
)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _card(session: Session, world: World, who: Participant) -> signin.IssuedCard:
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[who], secret=SECRET, followup_days=180
    )
    session.commit()
    return card


def _tablet(app: FastAPI, agent: str = IPAD) -> TestClient:
    return TestClient(app, follow_redirects=False, headers={"User-Agent": agent})


def _cookie(response: object, name: str) -> str | None:
    for header in response.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        if header.startswith(f"{name}="):
            return str(header)
    return None


def _type_code(client: TestClient, code: str) -> object:
    return client.post("/join", data={"code": code, "csrf_token": csrf_of(client, "/join")})


def _type_pin(client: TestClient, pin: str, again: str | None = None) -> object:
    data = {"pin": pin, "csrf_token": csrf_of(client, "/join/pin")}
    if again is not None:
        data["pin_again"] = again
    return client.post("/join/pin", data=data)


def _signed_in(client: TestClient) -> bool:
    return client.get("/p").status_code == 200


def test_first_sign_in_chooses_a_pin_and_opens_a_session_for_one_day_at_most(
    client: TestClient, session: Session, world: World
) -> None:
    card = _card(session, world, world.ana)
    typed = _type_code(client, card.code.lower())
    assert (typed.status_code, typed.headers["location"]) == (303, "/join/pin")  # type: ignore[attr-defined]
    assert _cookie(typed, "tandem_session") is None
    page = client.get("/join/pin").text
    assert "Choose your PIN, Ana" in page
    assert 'name="pin_again"' in page
    assert _type_pin(client, "2581", "2518").status_code == 400  # type: ignore[attr-defined]
    done = _type_pin(client, TABLET_PIN, TABLET_PIN)
    assert (done.status_code, done.headers["location"]) == (303, "/p")  # type: ignore[attr-defined]
    cookie = _cookie(done, "tandem_session")
    assert cookie is not None
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 11 * 3600 < max_age <= 12 * 3600
    home = client.get("/p")
    assert home.headers["cache-control"] == "no-store"
    assert "Hello, Ana" in home.text
    assert "This is the first time your account was opened." in home.text


def test_a_printed_card_alone_does_not_open_what_its_owner_wrote(
    client: TestClient, session: Session, world: World, facilitator: Facilitator
) -> None:
    """The facilitator prints the cards, so the codes are in their PDF: once Ana has chosen a
    PIN, typing her code leads to the PIN, and her data stays closed."""
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    card = _card(session, world, world.ana)
    ana = _tablet(client.app)  # type: ignore[arg-type]
    token = join_tablet(ana, card.code)
    ana.put(
        "/p/api/answers/meet-your-buddy/their-week",
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
        json={"value": "ANA-PRIVATE", "base_version": 0, "idempotency_key": "key-00001"},
    )
    sign_in(client, facilitator.email)
    assert _type_code(client, card.code).headers["location"] == "/join/pin"  # type: ignore[attr-defined]
    page = client.get("/join/pin").text
    assert "Your PIN, Ana" in page
    assert 'name="pin_again"' not in page  # no way to choose a new one
    assert _type_pin(client, "1357").status_code == 400  # type: ignore[attr-defined]
    assert _type_pin(client, "1357", "1357").status_code == 400  # type: ignore[attr-defined]
    mine = client.get("/p/my-data.json")
    assert mine.status_code in (303, 401)
    assert "ANA-PRIVATE" not in mine.text
    assert "ANA-PRIVATE" not in client.get("/p/exercises/meet-your-buddy").text


def test_every_sign_in_and_failure_is_audited_without_codes_or_pins(
    client: TestClient, session: Session, world: World
) -> None:
    card = _card(session, world, world.ana)
    join_tablet(_tablet(client.app, IPAD), card.code)  # type: ignore[arg-type]
    other = _tablet(client.app, ANDROID)  # type: ignore[arg-type]
    _type_code(other, "AAAA-AAAA")
    _type_code(other, card.code)
    _type_pin(other, "9513")
    join_tablet(other, card.code)
    session.expire_all()
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    trail = [
        (e.action, e.detail) for e in events if e.action.startswith(("participant.", "signin."))
    ]
    assert [(a, {k: v for k, v in d.items() if k != "tablet"}) for a, d in trail] == [
        ("participant.pin_set", {}),
        (
            "participant.signin",
            {
                "via": "pin",
                "device": "Safari on an iPad",
                "browser": "Safari",
                "system": "ipad",
                "wrong_pins_before": 0,
            },
        ),
        ("signin.refused", {"step": "code"}),
        ("participant.signin_failed", {"step": "pin", "in_a_row": 1}),
        (
            "participant.signin",
            {
                "via": "pin",
                "device": "Chrome on an Android tablet",
                "browser": "Chrome",
                "system": "android-tablet",
                "wrong_pins_before": 1,
            },
        ),
    ]
    dump = " ".join(repr(e) for e in events)
    for secret in (card.token, signin.normalise_code(card.code), card.code, TABLET_PIN, "9513"):
        assert secret not in dump


def test_the_home_page_says_when_and_where_the_account_was_last_opened(
    client: TestClient, session: Session, world: World
) -> None:
    card = _card(session, world, world.ana)
    join_tablet(_tablet(client.app, ANDROID), card.code)  # type: ignore[arg-type]
    ipad = _tablet(client.app, IPAD)  # type: ignore[arg-type]
    _type_code(ipad, card.code)
    _type_pin(ipad, "7777")
    join_tablet(ipad, card.code)
    text = ipad.get("/p").text
    summary = re.search(r"<summary>(.*?)</summary>", text, re.S).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(
        r"Before this, your account was last opened on \w{3}, \w+ \d+ at \d+:\d\d\s[AP]M, "
        r"Chrome on an Android tablet \(another tablet or browser\)\.",
        summary,
    )
    rows = re.findall(r"<li>(.*?)</li>", text.split("data-signins", 1)[1].split("</ul>")[0])
    assert [re.sub(r"^.*? at \d+:\d\d\s[AP]M, ", "", r) for r in rows] == [
        "Safari on an iPad (this tablet), after 1 wrong PIN",
        "Chrome on an Android tablet (another tablet or browser)",
    ]


def test_a_facilitator_resets_a_pin_without_wiping_and_the_participant_is_told(
    client: TestClient, session: Session, world: World, facilitator: Facilitator
) -> None:
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    card = _card(session, world, world.ana)
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    token = join_tablet(tablet, card.code)
    tablet.put(
        "/p/api/answers/meet-your-buddy/their-week",
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
        json={"value": "KEPT-WORDS", "base_version": 0, "idempotency_key": "key-00001"},
    )
    csrf = sign_in(client, facilitator.email)
    assert "Chosen" in client.get(f"/cohorts/{world.cohort.slug}/cards").text
    reset = client.post(
        f"/cohorts/{world.cohort.slug}/cards/{world.ana.id}/reset-pin", data={"csrf_token": csrf}
    )
    assert reset.status_code == 303
    assert not _signed_in(tablet)
    _type_code(tablet, card.code)
    page = tablet.get("/join/pin").text
    assert re.search(r"A facilitator reset your PIN on \w{3}, \w+ \d+ at \d+:\d\d\s[AP]M\.", page)
    assert "Choose your PIN, Ana" in page
    _type_pin(tablet, "86420", "86420")
    home = tablet.get("/p").text
    assert re.search(r'<p class="notice">A facilitator reset your PIN on \w{3}, ', home)
    answers = tablet.get(f"/p/api/people/{world.ana.id}/answers/meet-your-buddy").json()
    assert answers["answers"]["their-week"]["value"] == "KEPT-WORDS"


def test_ten_wrong_pins_lock_the_card_until_a_reset(
    client: TestClient, session: Session, world: World, web_app: FastAPI
) -> None:
    web_app.state.settings.login_window_seconds = 0  # each try in a window of its own
    card = _card(session, world, world.ana)
    join_tablet(_tablet(web_app), card.code)
    thief = _tablet(web_app)
    statuses = []
    for n in range(10):
        _type_code(thief, card.code)
        statuses.append(_type_pin(thief, f"{1000 + 7 * n}").status_code)  # type: ignore[attr-defined]
    assert statuses == [400] * 9 + [403]
    _type_code(thief, card.code)
    locked = _type_pin(thief, TABLET_PIN)
    assert locked.status_code == 403  # type: ignore[attr-defined]
    assert "PIN is locked after too many wrong tries" in locked.text  # type: ignore[attr-defined]


def test_the_qr_link_signs_in_only_on_post_and_leaves_the_address_bar(
    client: TestClient, session: Session, world: World
) -> None:
    card = _card(session, world, world.ben)
    page = client.get(f"/join/{card.token}")
    assert page.status_code == 200
    assert _cookie(page, "tandem_session") is None
    assert _cookie(page, "tandem_signin") is None
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<script src="/static/js/join.js" defer></script>' in page.text
    assert page.text.count(card.token) == 1  # the form's hidden field, nothing else
    assert not _signed_in(client)
    posted = client.post(
        "/join/link", data={"token": card.token, "csrf_token": csrf_of(client, "/join")}
    )
    assert posted.headers["location"] == "/join/pin"
    _type_pin(client, TABLET_PIN, TABLET_PIN)
    assert "Hello, Ben" in client.get("/p").text


def test_refused_links_never_echo_the_token(client: TestClient, world: World) -> None:
    forged = "Zz9" * 14
    refused = client.post(
        "/join/link", data={"token": forged, "csrf_token": csrf_of(client, "/join")}
    )
    assert refused.status_code == 400
    assert "This sign-in link does not work any more" in refused.text
    assert forged not in refused.text
    odd = client.get("/join/" + "<b>" + forged)
    assert odd.status_code == 400
    assert forged not in odd.text
    assert "<b>" not in odd.text


def test_no_page_sends_a_referer_onward(client: TestClient) -> None:
    for path in ("/join", "/login", "/join/pin", "/static/css/tablet.css"):
        assert client.get(path).headers["referrer-policy"] == "no-referrer"


def test_a_sign_in_ends_the_previous_participants_session_on_that_tablet(
    client: TestClient, session: Session, world: World
) -> None:
    ana_card, ben_card = _card(session, world, world.ana), _card(session, world, world.ben)
    join_tablet(client, ana_card.code)
    ana_cookie = client.cookies["tandem_session"]
    join_tablet(client, ben_card.code)
    assert "Hello, Ben" in client.get("/p").text
    stolen = TestClient(client.app, follow_redirects=False, cookies={"tandem_session": ana_cookie})
    assert stolen.get("/p").headers["location"] == "/join"
    session.expire_all()
    assert [w.participant_id for w in session.exec(select(WebSession))] == [world.ben.id]


def test_a_tablet_left_alone_signs_out_and_use_keeps_it_open(
    client: TestClient, session: Session, world: World
) -> None:
    join_tablet(client, _card(session, world, world.ana).code)

    def age(minutes: int) -> None:
        row = session.exec(select(WebSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=minutes)
        session.add(row)
        session.commit()

    def seen() -> timedelta:
        session.rollback()  # a fresh snapshot
        row = session.exec(select(WebSession)).one()
        return utcnow() - (row.last_seen_at or row.created_at)

    age(20)
    # Background polling does not count as use ...
    assert client.get("/p/now", headers={"Sec-Fetch-Mode": "cors"}).status_code == 200
    assert seen() > timedelta(minutes=19)
    # ... opening a page does, at most once a minute.
    assert client.get("/p", headers={"Sec-Fetch-Mode": "navigate"}).status_code == 200
    assert seen() < timedelta(seconds=5)
    age(29)
    assert _signed_in(client)
    age(31)
    assert client.get("/p").headers["location"] == "/join"


def test_a_session_ends_after_a_day_in_the_room_however_busy(
    client: TestClient, session: Session, world: World
) -> None:
    join_tablet(client, _card(session, world, world.ana).code)
    row = session.exec(select(WebSession)).one()
    assert timedelta(hours=11, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=12)
    row.expires_at = utcnow() - timedelta(seconds=1)
    row.last_seen_at = utcnow()
    session.add(row)
    session.commit()
    assert not _signed_in(client)


@pytest.mark.slow
def test_printing_new_cards_signs_out_the_tablets(
    client: TestClient, session: Session, world: World, facilitator: Facilitator
) -> None:
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    join_tablet(tablet, _card(session, world, world.ana).code)
    csrf = sign_in(client, facilitator.email)
    assert (
        client.post(
            f"/cohorts/{world.cohort.slug}/cards.pdf", data={"csrf_token": csrf}
        ).status_code
        == 200
    )
    assert tablet.get("/p").headers["location"] == "/join"


def test_wrong_codes_lock_out_one_tablet_not_the_room(
    client: TestClient, session: Session, world: World, web_app: FastAPI
) -> None:
    """Thirty tablets share the room's address: one person typing wrong codes locks only
    their own tablet; the one beside it signs in."""
    card = _card(session, world, world.ana)
    clumsy = _tablet(web_app)
    statuses = [_type_code(clumsy, "AAAA-AAAA").status_code for _ in range(30)]  # type: ignore[attr-defined]
    assert statuses == [400] * 10 + [429] * 20  # TANDEM_CARD_ATTEMPTS_PER_DEVICE
    throttled = _type_code(clumsy, card.code)
    assert throttled.status_code == 429  # type: ignore[attr-defined]
    assert throttled.headers["retry-after"] == "300"  # type: ignore[attr-defined]
    neighbour = _tablet(web_app)
    assert join_tablet(neighbour, card.code)


def test_a_script_without_a_device_cookie_is_held_to_one_tablets_allowance(
    client: TestClient, world: World, web_app: FastAPI
) -> None:
    token = csrf_of(client, "/join")
    statuses = []
    for _ in range(12):
        client.cookies.delete("tandem_device")
        statuses.append(
            client.post("/join", data={"code": "AAAA-AAAA", "csrf_token": token}).status_code
        )
    assert statuses == [400] * 10 + [429] * 2


def test_a_pending_sign_in_is_bound_to_its_tablet_and_short_lived(
    client: TestClient, session: Session, world: World
) -> None:
    card = _card(session, world, world.ana)
    _type_code(client, card.code)
    ticket = client.cookies["tandem_signin"]
    elsewhere = TestClient(client.app, follow_redirects=False, cookies={"tandem_signin": ticket})
    assert elsewhere.get("/join/pin").headers["location"] == "/join"
    card_id, expires, mac = ticket.split(".")
    client.cookies.delete("tandem_signin")
    client.cookies.set("tandem_signin", f"{card_id}.{int(expires) + 999}.{mac}")
    assert client.get("/join/pin").headers["location"] == "/join"
    late = client.post("/join/pin", data={"pin": "1111", "csrf_token": csrf_of(client, "/join")})
    assert late.status_code == 400
    assert "That took too long" in late.text


def test_handing_back_ends_the_session_and_forgets_the_pending_card(
    client: TestClient, session: Session, world: World
) -> None:
    token = join_tablet(client, _card(session, world, world.ana).code)
    response = client.post("/p/signout", data={"csrf_token": token})
    assert response.headers["location"] == "/join?handed_back=1"
    assert response.headers["clear-site-data"] == '"cache"'
    assert 'tandem_session=""' in (_cookie(response, "tandem_session") or "")
    assert not _signed_in(client)
    assert "ready for the next person" in client.get("/join?handed_back=1").text
    session.expire_all()
    assert session.exec(select(WebSession)).all() == []
