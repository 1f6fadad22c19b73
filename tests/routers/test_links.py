"""Signing in with a personal link on one's own phone: the link's page, the PIN, the landing
page; every link that does not work answers a clear page and opens no session; participants
and facilitators stop links; the facilitator's page and the link sheet."""

from __future__ import annotations

import csv
import email
import io
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Facilitator, OutboxMessage, SignInLink, WebSession, utcnow
from app.services import links
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import TABLET_PIN, csrf_of, join_tablet, sign_in
from tests.services.tablet.factories import World, make_world

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
BASE = "http://testserver"


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _phone(app: FastAPI) -> TestClient:
    return TestClient(app, follow_redirects=False, headers={"User-Agent": PHONE})


def _issue(session: Session, world: World, **kwargs: object) -> str:
    assert world.ana.id is not None
    issued = links.issue_link(session, world.ana.id, base_url=BASE, **kwargs)  # type: ignore[arg-type]
    session.commit()
    return issued.url.removeprefix(BASE)


def _session_cookie(response: object) -> str | None:
    for header in response.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        if header.startswith("tandem_session=") and 'tandem_session=""' not in header:
            return str(header)
    return None


def _open(client: TestClient, path: str) -> object:
    """Open the link's page and press its button, as the participant does."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    token = path.rsplit("/", 1)[1]
    return client.post("/link", data={"token": token, "csrf_token": csrf_of(client, path)})


def _pin(client: TestClient, pin: str = TABLET_PIN, *, choose: bool = True) -> object:
    data = {"pin": pin, "csrf_token": csrf_of(client, "/link/pin")}
    if choose:
        data["pin_again"] = pin
    return client.post("/link/pin", data=data)


def _sign_in_with_link(client: TestClient, path: str, *, choose: bool = True) -> object:
    opened = _open(client, path)
    assert (opened.status_code, opened.headers["location"]) == (303, "/link/pin")  # type: ignore[attr-defined]
    assert _session_cookie(opened) is None
    return _pin(client, choose=choose)


def test_a_link_signs_in_on_a_phone_after_the_pin_and_lands_on_its_page(
    web_app: FastAPI, session: Session, world: World
) -> None:
    path = _issue(session, world, next_path="/p/plan")
    phone = _phone(web_app)
    page = phone.get(path)
    assert "Sign in with your personal link" in page.text
    assert 'src="/static/js/join.js"' in page.text  # takes the token out of the address bar
    assert _session_cookie(page) is None
    assert (page.headers["cache-control"], page.headers["referrer-policy"]) == (
        "no-store",
        "no-referrer",
    )
    opened = _open(phone, path)
    assert "Choose your PIN, Ana" in phone.get("/link/pin").text
    done = _pin(phone)
    assert (done.status_code, done.headers["location"]) == (303, "/p/plan")  # type: ignore[attr-defined]
    assert _session_cookie(done) is not None
    assert phone.get("/p/plan").status_code == 200
    home = phone.get("/p").text
    assert "iPhone" in home
    assert "My sign-in links" in home
    session.expire_all()
    link = session.exec(select(SignInLink)).one()
    assert link.used_at is not None
    assert link.session_id is not None
    assert session.get(WebSession, link.session_id) is not None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "participant.signin")).one()
    assert event.detail["via"] == "link"
    assert opened is not None


def test_the_landing_page_of_a_plain_link_is_the_participants_home(
    web_app: FastAPI, session: Session, world: World
) -> None:
    done = _sign_in_with_link(_phone(web_app), _issue(session, world))
    assert done.headers["location"] == "/p"  # type: ignore[attr-defined]


def test_once_a_pin_is_set_the_link_asks_for_it_and_a_wrong_pin_does_not_spend_the_link(
    web_app: FastAPI, session: Session, world: World
) -> None:
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[world.ana], secret="x" * 48, followup_days=180
    )
    session.commit()
    join_tablet(TestClient(web_app, follow_redirects=False), card.code)
    phone = _phone(web_app)
    path = _issue(session, world)
    _open(phone, path)
    assert "Your PIN, Ana" in phone.get("/link/pin").text
    wrong = _pin(phone, "9713", choose=False)
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert _session_cookie(wrong) is None
    right = _pin(phone, choose=False)
    assert (right.status_code, right.headers["location"]) == (303, "/p")  # type: ignore[attr-defined]


def _refused(response: object, title: str) -> None:
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert title in response.text  # type: ignore[attr-defined]
    assert "Sign in with a card" in response.text  # type: ignore[attr-defined]
    assert _session_cookie(response) is None


@pytest.mark.parametrize(
    "path", ["/link/short", "/link/" + "A" * 80, "/link/has%20space" + "a" * 40, "/link/;DROP"]
)
def test_a_link_of_the_wrong_shape_answers_a_clear_page(
    web_app: FastAPI, session: Session, world: World, path: str
) -> None:
    _issue(session, world)
    _refused(_phone(web_app).get(path), "This link does not work")


def test_a_forged_expired_used_or_replaced_link_answers_a_clear_page_and_no_session(
    web_app: FastAPI, session: Session, world: World
) -> None:
    phone = _phone(web_app)
    forged = "/link/" + "F" * 43
    _refused(_open(phone, forged), "This link does not work")

    replaced = _issue(session, world)
    _issue(session, world)
    _refused(_open(phone, replaced), "This link does not work")

    expired = _issue(session, world)
    session.expire_all()
    row = session.exec(select(SignInLink).order_by(SignInLink.id.desc())).first()  # type: ignore[union-attr]
    assert row is not None
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    _refused(_open(phone, expired), "This link has expired")

    used = _issue(session, world)
    _sign_in_with_link(_phone(web_app), used)
    other = _phone(web_app)
    response = _open(other, used)
    _refused(response, "This link has already been used")
    assert "tell your facilitator" in response.text  # type: ignore[attr-defined]
    assert other.get("/p").headers["location"] == "/join"
    assert phone.get("/p").headers["location"] == "/join"
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "link.refused")).all()
    assert sorted(e.detail["reason"] for e in refused) == ["expired", "revoked", "unknown", "used"]
    trail = repr(
        [(e.actor, e.action, e.object_id, e.detail) for e in session.exec(select(AuditEvent))]
    )
    tokens = [p.rsplit("/", 1)[1] for p in (forged, replaced, expired, used)]
    assert [t for t in tokens if t in trail] == []


def test_a_link_revoked_between_its_page_and_the_pin_opens_nothing(
    web_app: FastAPI, session: Session, world: World
) -> None:
    assert world.ana.id is not None
    phone = _phone(web_app)
    _open(phone, _issue(session, world))
    links.revoke_links(session, world.ana.id, by="facilitator:1")
    session.commit()
    _refused(phone.get("/link/pin"), "That took too long")
    data = {"pin": TABLET_PIN, "pin_again": TABLET_PIN, "csrf_token": csrf_of(phone, "/join")}
    _refused(phone.post("/link/pin", data=data), "That took too long")


def test_the_pin_step_of_a_link_opened_on_another_device_opens_nothing(
    web_app: FastAPI, session: Session, world: World
) -> None:
    phone = _phone(web_app)
    _open(phone, _issue(session, world))
    thief = _phone(web_app)
    thief.cookies.set("tandem_link", phone.cookies.get("tandem_link") or "")
    _refused(thief.get("/link/pin"), "That took too long")


def test_a_device_guessing_links_is_throttled(
    web_app: FastAPI, session: Session, world: World
) -> None:
    path = _issue(session, world)
    phone = _phone(web_app)
    token = csrf_of(phone, path)
    for n in range(10):
        phone.post("/link", data={"token": f"{n}" * 43, "csrf_token": token})
    throttled = phone.post("/link", data={"token": path.rsplit("/", 1)[1], "csrf_token": token})
    assert throttled.status_code == 429
    assert "Retry-After" in throttled.headers


def test_stop_my_links_signs_out_link_sessions_and_keeps_the_card(
    web_app: FastAPI, session: Session, world: World
) -> None:
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[world.ana], secret="x" * 48, followup_days=180
    )
    session.commit()
    tablet = TestClient(web_app, follow_redirects=False)
    csrf = join_tablet(tablet, card.code)
    phone = _phone(web_app)
    _sign_in_with_link(phone, _issue(session, world), choose=False)
    unused = _issue(session, world, purpose="check-in", next_path="/p/partnership")
    stopped = tablet.post("/p/links/stop", data={"csrf_token": csrf})
    assert stopped.headers["location"] == "/p?links=stopped#my-links"
    assert "Your sign-in links are stopped" in tablet.get("/p?links=stopped").text
    assert phone.get("/p").headers["location"] == "/join"
    _refused(_open(_phone(web_app), unused), "This link does not work")


def test_stop_my_links_from_a_link_session_signs_that_device_out(
    web_app: FastAPI, session: Session, world: World
) -> None:
    phone = _phone(web_app)
    _sign_in_with_link(phone, _issue(session, world))
    response = phone.post("/p/links/stop", data={"csrf_token": csrf_of(phone, "/p")})
    assert response.headers["location"] == "/join?links_stopped=1"
    assert "Your sign-in links are stopped" in phone.get("/join?links_stopped=1").text
    assert phone.get("/p").headers["location"] == "/join"


# ---- the facilitator's side ------------------------------------------------------------------
@pytest.fixture
def runs(session: Session, world: World, facilitator: Facilitator) -> Facilitator:
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    session.commit()
    return facilitator


def test_the_links_page_shows_states_and_never_a_token(
    client: TestClient, session: Session, world: World, runs: Facilitator
) -> None:
    used = _issue(session, world)
    _sign_in_with_link(_phone(client.app), used)  # type: ignore[arg-type]
    assert world.ben.id is not None
    fresh = links.issue_link(session, world.ben.id, base_url=BASE)
    session.commit()
    sign_in(client, runs.email)
    page = client.get(f"/cohorts/{world.cohort.slug}/links").text
    assert used.rsplit("/", 1)[1] not in page
    assert fresh.url not in page
    assert "/link/" not in page
    assert page.count('data-link-state="used"') == 1
    assert page.count('data-link-state="issued"') == 1
    assert page.count('data-link-state="none"') == 2
    assert "issues new links for everyone" in page


def test_a_facilitator_stops_a_participants_links_and_their_link_sessions(
    client: TestClient, session: Session, world: World, runs: Facilitator
) -> None:
    phone = _phone(client.app)  # type: ignore[arg-type]
    _sign_in_with_link(phone, _issue(session, world))
    csrf = sign_in(client, runs.email)
    response = client.post(
        f"/cohorts/{world.cohort.slug}/links/{world.ana.id}/revoke", data={"csrf_token": csrf}
    )
    assert response.headers["location"] == f"/cohorts/{world.cohort.slug}/links?stopped=1"
    assert phone.get("/p").headers["location"] == "/join"
    page = client.get(f"/cohorts/{world.cohort.slug}/links?stopped=1").text
    assert 'data-link-state="used"' in page


def test_a_facilitator_cannot_stop_links_of_another_cohort(
    client: TestClient, session: Session, world: World, runs: Facilitator
) -> None:
    csrf = sign_in(client, runs.email)
    response = client.post(
        f"/cohorts/{world.cohort.slug}/links/{world.eve.id}/revoke", data={"csrf_token": csrf}
    )
    assert response.status_code == 404


def test_the_csv_sheet_reissues_everyones_links_and_guards_formulas(
    client: TestClient, session: Session, world: World, runs: Facilitator
) -> None:
    before = _issue(session, world)
    world.ben.name = '=HYPERLINK("http://evil")'
    session.add(world.ben)
    session.commit()
    csrf = sign_in(client, runs.email)
    response = client.post(f"/cohorts/{world.cohort.slug}/links.csv", data={"csrf_token": csrf})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "spring-links.csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "link", "expires"]
    by_email = {r[1]: r for r in rows[1:]}
    assert len(by_email) == 4
    assert by_email[world.ben.email][0] == '\'=HYPERLINK("http://evil")'
    ana = by_email[world.ana.email]
    assert ana[2].startswith("http://testserver/link/")
    assert ana[3].endswith(("+00:00", "Z")) or "T" in ana[3]
    _refused(_open(_phone(client.app), before), "This link does not work")  # type: ignore[arg-type]
    done = _sign_in_with_link(_phone(client.app), ana[2].removeprefix(BASE))  # type: ignore[arg-type]
    assert done.headers["location"] == "/p"  # type: ignore[attr-defined]


# ---- invitations and asking for a new link ---------------------------------------------------
def _outbox(session: Session) -> list[OutboxMessage]:
    session.commit()  # a fresh read: the app's process has sent (and changed) them meanwhile
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _link_in(app: object, row: OutboxMessage) -> str:
    """The link in the mail: still in the outbox, or (sent in the app's process) its .eml."""
    folder = app.state.settings.mail_folder  # type: ignore[attr-defined]
    raw = row.payload or (folder / f"{row.id:08d}.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return next(w for w in body.get_content().split() if "/link/" in w).removeprefix(BASE)


def test_a_facilitator_invites_the_people_ticked_or_everyone(
    client: TestClient, session: Session, world: World, runs: Facilitator
) -> None:
    csrf = sign_in(client, runs.email)
    invite = f"/cohorts/{world.cohort.slug}/links/invite"
    nobody = client.post(invite, data={"csrf_token": csrf, "who": "selected"})
    assert nobody.headers["location"].endswith("/links?invite=nobody#invitations")
    assert _outbox(session) == []
    ticked = client.post(
        invite,
        data={
            "csrf_token": csrf,
            "who": "selected",
            "participant_id": [str(world.ana.id), str(world.cai.id)],
        },
    )
    assert ticked.headers["location"].endswith("/links?invited=2&skipped=0#invitations")
    page = client.get(f"/cohorts/{world.cohort.slug}/links?invited=2&skipped=0").text
    assert "2 invitations are on their way." in page
    assert page.count('data-link-state="sent"') == 2
    assert [r.to_address for r in _outbox(session)] == [world.ana.email, world.cai.email]
    everyone = client.post(invite, data={"csrf_token": csrf, "who": "all"})
    assert everyone.headers["location"].endswith("/links?invited=4&skipped=0#invitations")
    stranger = client.post(
        invite, data={"csrf_token": csrf, "who": "selected", "participant_id": str(world.eve.id)}
    )
    assert stranger.status_code == 404
    rows = _outbox(session)
    assert len(rows) == 6
    # The newest invitation's link works; the one it replaced does not.
    first_ana, last_ana = (r for r in rows if r.to_address == world.ana.email)
    _refused(_open(_phone(client.app), _link_in(client.app, first_ana)), "This link does not work")  # type: ignore[arg-type]
    done = _sign_in_with_link(_phone(client.app), _link_in(client.app, last_ana))  # type: ignore[arg-type]
    assert done.headers["location"] == "/p"  # type: ignore[attr-defined]


def test_asking_for_a_new_link_answers_the_same_for_any_address(
    web_app: FastAPI, session: Session, world: World
) -> None:
    invitation = _issue(session, world)
    phone = _phone(web_app)
    csrf = csrf_of(phone, "/link/request")
    known = phone.post("/link/request", data={"email": world.ana.email.upper(), "csrf_token": csrf})
    unknown = phone.post("/link/request", data={"email": "zoe@example.com", "csrf_token": csrf})
    odd = phone.post("/link/request", data={"email": "not an address", "csrf_token": csrf})
    assert known.status_code == unknown.status_code == odd.status_code == 200
    assert known.text == unknown.text == odd.text
    assert "If this address belongs to a participant" in known.text
    [row] = _outbox(session)
    assert (row.kind, row.to_address) == ("signin_link", world.ana.email)
    link = session.exec(select(SignInLink).where(SignInLink.purpose == "requested")).one()
    assert link.expires_at - link.issued_at == timedelta(hours=1)
    # Asking for a link stops no other: the invitation still works, and so does the new one.
    done = _sign_in_with_link(_phone(web_app), _link_in(web_app, row))
    assert done.headers["location"] == "/p"  # type: ignore[attr-defined]
    again = _sign_in_with_link(_phone(web_app), invitation, choose=False)
    assert again.headers["location"] == "/p"  # type: ignore[attr-defined]


def test_asking_for_links_to_one_address_is_throttled(
    web_app: FastAPI, session: Session, world: World
) -> None:
    csrf = None
    for n in range(3):
        phone = _phone(web_app)  # a new device each time: the limit is the address's
        csrf = csrf_of(phone, "/link/request")
        ok = phone.post("/link/request", data={"email": world.ana.email, "csrf_token": csrf})
        assert ok.status_code == 200, n
    phone = _phone(web_app)
    csrf = csrf_of(phone, "/link/request")
    throttled = phone.post("/link/request", data={"email": world.ana.email, "csrf_token": csrf})
    assert throttled.status_code == 429
    assert len(_outbox(session)) == 3
