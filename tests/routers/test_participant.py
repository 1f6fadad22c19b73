"""Tablet pages and API: sign-in from a card, autosave over HTTP, the gate, handing back."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Facilitator, Participant
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import csrf_of, join_tablet, sign_in
from tests.services.tablet.factories import World, add_participant, make_world

SECRET = "x" * 48


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _card(session: Session, world: World, who: Participant) -> signin.IssuedCard:
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[who], secret=SECRET, followup_days=180
    )
    session.commit()
    return card


join = join_tablet


def _put(
    client: TestClient,
    token: str,
    prompt: str,
    value: Any,
    base: int,
    key: str,
    exercise: str = "meet-your-buddy",
) -> Any:
    return client.put(
        f"/p/api/answers/{exercise}/{prompt}",
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
        json={"value": value, "base_version": base, "idempotency_key": key},
    )


def test_signed_out_tablet_goes_to_join_and_api_answers_401(client: TestClient) -> None:
    assert client.get("/p").headers["location"] == "/join"
    assert client.get("/p/exercises/meet-your-buddy").headers["location"] == "/join"
    api = client.put(
        "/p/api/answers/meet-your-buddy/their-week", headers={"Accept": "application/json"}, json={}
    )
    assert api.status_code in (401, 403)


def test_home_shows_buddy_reasons_and_statuses(
    client: TestClient, session: Session, world: World
) -> None:
    token = join(client, _card(session, world, world.ana).code)
    _put(client, token, "their-week", "notes", 0, "key-00001")
    page = client.get("/p").text
    assert "Ben" in page
    assert "You both lead teams across regions" in page
    assert re.search(
        r"Meet your learning buddy</span>\s*<span class=\"status status-in_progress\">", page
    )
    assert "Opens after the agreement" in page


def test_exercise_page_says_who_reads_each_answer_before_typing(
    client: TestClient, session: Session, world: World
) -> None:
    join(client, _card(session, world, world.ana).code)
    page = client.get("/p/exercises/meet-your-buddy").text
    labels = re.findall(r'id="aud-([a-z-]+)">Who can read this: ([^<]+)<', page)
    assert labels == [
        ("their-week", "Only you"),
        ("curious-about", "You and your buddy"),
        ("first-impression", "Only you"),
    ]


def test_autosave_retry_conflict_and_csrf(
    client: TestClient, session: Session, world: World
) -> None:
    token = join(client, _card(session, world, world.ana).code)
    first = _put(client, token, "their-week", "Mon", 0, "key-00001")
    assert (first.status_code, first.json()["version"]) == (200, 1)
    retry = _put(client, token, "their-week", "Mon", 0, "key-00001")
    assert retry.json() == first.json()
    stale = _put(client, token, "their-week", "Tue", 0, "key-00002")
    assert stale.status_code == 409
    assert (stale.json()["server"]["value"], stale.json()["server"]["version"]) == ("Mon", 1)
    invalid = _put(client, token, "first-impression", 9, 0, "key-00003")
    assert invalid.status_code == 422
    assert (
        invalid.json()["problems"][0]["message"] == "The answer must be a whole number from 1 to 5."
    )
    no_csrf = client.put(
        "/p/api/answers/meet-your-buddy/their-week",
        json={"value": "x", "base_version": 1, "idempotency_key": "key-00004"},
    )
    assert no_csrf.status_code == 403
    assert _put(client, token, "nope", "x", 0, "key-00005").status_code == 404
    assert _put(client, token, "x", "x", 0, "key-00006", exercise="nope").status_code == 404


def test_gate_until_both_accept_then_pair_work_opens(
    client: TestClient, session: Session, world: World
) -> None:
    ben_card = _card(session, world, world.ben)
    token = join(client, _card(session, world, world.ana).code)
    assert 'id="gate"' in client.get("/p/exercises/career-stories").text
    assert (
        _put(
            client, token, "what-shaped-them", "x", 0, "key-00001", exercise="career-stories"
        ).status_code
        == 403
    )
    accepted = client.post("/p/agreement", data={"csrf_token": token})
    assert accepted.headers["location"] == "/p/exercises/buddy-agreement"
    assert "1 of 2 have accepted" in client.get("/p/exercises/buddy-agreement").text
    other = TestClient(client.app, follow_redirects=False)
    other_token = join(other, ben_card.code)
    other.post("/p/agreement", data={"csrf_token": other_token})
    page = client.get("/p/exercises/career-stories").text
    assert 'id="gate"' not in page
    assert 'data-prompt="what-shaped-them"' in page


def test_buddy_answers_appear_side_by_side_once_both_answered(
    client: TestClient, session: Session, world: World
) -> None:
    ben_card, cai_card = _card(session, world, world.ben), _card(session, world, world.cai)
    token = join(client, _card(session, world, world.ana).code)
    _put(client, token, "curious-about", "ANA-SHARED", 0, "key-00001")
    _put(client, token, "their-week", "ANA-PRIVATE", 0, "key-00002")
    ben = TestClient(client.app, follow_redirects=False)
    ben_token = join(ben, ben_card.code)
    before = ben.get("/p/exercises/meet-your-buddy").text
    assert "ANA-SHARED" not in before
    assert "Appears once you have both answered." in before
    _put(ben, ben_token, "curious-about", "BEN-SHARED", 0, "key-00003")
    after = ben.get("/p/exercises/meet-your-buddy/shared").text
    assert "ANA-SHARED" in after
    assert "ANA-PRIVATE" not in after
    assert "BEN-SHARED" in client.get("/p/exercises/meet-your-buddy").text
    cai = TestClient(client.app, follow_redirects=False)
    join(cai, cai_card.code)
    assert "ANA-SHARED" not in cai.get("/p/exercises/meet-your-buddy").text


def test_answers_api_follows_the_cone_of_silence(
    client: TestClient, session: Session, world: World
) -> None:
    ben_card, cai_card = _card(session, world, world.ben), _card(session, world, world.cai)
    token = join(client, _card(session, world, world.ana).code)
    _put(client, token, "curious-about", "shared", 0, "key-00001")
    _put(client, token, "their-week", "private", 0, "key-00002")
    url = f"/p/api/people/{world.ana.id}/answers/meet-your-buddy"
    own = client.get(url).json()["answers"]
    assert {k: v["value"] for k, v in own.items()} == {
        "curious-about": "shared",
        "their-week": "private",
    }
    ben = TestClient(client.app, follow_redirects=False)
    ben_token = join(ben, ben_card.code)
    _put(ben, ben_token, "curious-about", "mine", 0, "key-00003")
    assert {k: v["value"] for k, v in ben.get(url).json()["answers"].items()} == {
        "curious-about": "shared"
    }
    cai = TestClient(client.app, follow_redirects=False)
    join(cai, cai_card.code)
    assert cai.get(url).status_code == 404


def test_hand_back_ends_the_session(client: TestClient, session: Session, world: World) -> None:
    token = join(client, _card(session, world, world.ana).code)
    response = client.post("/p/signout", data={"csrf_token": token})
    assert response.headers["location"] == "/join?handed_back=1"
    assert response.headers["clear-site-data"] == '"cache"'
    assert client.get("/p").headers["location"] == "/join"
    assert "ready for the next person" in client.get("/join?handed_back=1").text


def test_facilitator_sees_progress_and_manages_cards(
    client: TestClient, session: Session, world: World, facilitator: Facilitator
) -> None:
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    card = _card(session, world, world.ana)
    tablet = TestClient(client.app, follow_redirects=False)
    _put(tablet, join(tablet, card.code), "their-week", "SECRET-WORDS", 0, "key-00001")
    token = sign_in(client, facilitator.email)
    board = client.get(f"/cohorts/{world.cohort.slug}/progress")
    assert board.status_code == 200
    assert "In progress" in board.text
    assert "SECRET-WORDS" not in board.text
    cards = client.get(f"/cohorts/{world.cohort.slug}/cards")
    assert cards.status_code == 200
    assert "Revoke and sign out" in cards.text
    revoked = client.post(
        f"/cohorts/{world.cohort.slug}/cards/{world.ana.id}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    assert tablet.get("/p").headers["location"] == "/join"
    assert (
        tablet.post(
            "/join", data={"code": card.code, "csrf_token": csrf_of(tablet, "/join")}
        ).status_code
        == 400
    )


@pytest.mark.slow
def test_printing_cards_issues_new_ones_as_one_pdf(
    client: TestClient, session: Session, world: World, facilitator: Facilitator
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    session.commit()
    old = _card(session, world, world.ana)
    token = sign_in(client, facilitator.email)
    response = client.post(f"/cohorts/{world.cohort.slug}/cards.pdf", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    for name in ("Ana", "Ben", "Cai", "Dan"):
        assert name in text
    codes = re.findall(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b", text)
    assert len(codes) == 4
    # The card names the page where the code is typed, not the facilitators' sign-in.
    help_lines = re.findall(r"Scan the square with the tablet, or open (\S+) and type", text)
    assert help_lines == ["testserver/join"] * 4
    assert old.code not in codes
    tablet = TestClient(client.app, follow_redirects=False)
    assert (
        tablet.post(
            "/join", data={"code": old.code, "csrf_token": csrf_of(tablet, "/join")}
        ).status_code
        == 400
    )


def test_home_lists_the_exercises_by_day_with_day_one_open_before_the_program(
    client: TestClient, session: Session, world: World
) -> None:
    agenda.build_agenda(session, cohort=world.cohort)
    session.commit()
    join(client, _card(session, world, world.ana).code)

    page = client.get("/p").text

    assert '<details class="day" data-day="1" open>' in page
    assert '<details class="day" data-day="2">' in page
    assert 'Day 1 <span class="when">Mon, March 1</span>' in page


def test_home_before_the_program_is_prepared_says_so(client: TestClient, session: Session) -> None:
    cohort = cohorts.create_cohort(session, name="Bare", start_date=date(2027, 5, 3))
    who = add_participant(session, cohort, "Eve")
    [card] = signin.issue_cards(
        session, cohort=cohort, participants=[who], secret=SECRET, followup_days=180
    )
    session.commit()
    join(client, card.code)

    page = client.get("/p").text

    assert "Your exercises appear here once the facilitators have prepared the program." in page
