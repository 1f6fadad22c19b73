"""A shared tablet speaks each participant's language: theirs, else their cohort's. It
switches when the next participant signs in, back when someone else does, and a participant
can change their language on the tablet."""

from __future__ import annotations

import html
import json
import re
import uuid

import pytest
from babel.support import Translations
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core import i18n
from app.models import AuditEvent, CohortExercise, Participant
from app.services.tablet import signin
from tests.conftest import csrf_of, join_tablet
from tests.i18n_catalogs import compiled, use_catalogs
from tests.services.tablet.factories import World, make_world

SECRET = "x" * 48
GERMAN = {
    "My program": "Mein Programm",
    "Hand back this tablet": "Tablet zurückgeben",
    "Language": "Sprache",
    "Change language": "Sprache wechseln",
    "Sign in to your tablet": "Am Tablet anmelden",
    "Your PIN, %(name)s": "Deine PIN, %(name)s",
    "Choose your PIN, %(name)s": "Wähle deine PIN, %(name)s",
    "All changes saved": "Alle Änderungen gespeichert",
    "Hello, %(name)s": "Hallo, %(name)s",
    "The PIN must be %(min)s to %(max)s digits.": "Die PIN hat %(min)s bis %(max)s Ziffern.",
    "The answer must be a whole number from 1 to 5.": "Die Antwort ist eine Zahl von 1 bis 5.",
    "The partnership has ended.": "Die Partnerschaft ist beendet.",
}
FRENCH = {
    "My program": "Mon programme",
    "Hello, %(name)s": "Bonjour, %(name)s",
    "All changes saved": "Toutes les modifications sont enregistrées",
}
PLURALS = {
    "de": (
        ("Offline: %(num)s change will be sent when the tablet is back online.",
         "Offline: %(num)s changes will be sent when the tablet is back online."),
        ("Offline: %(num)s Änderung wird gesendet, sobald das Tablet wieder online ist.",
         "Offline: %(num)s Änderungen werden gesendet, sobald das Tablet wieder online ist."),
    ),
}  # fmt: skip


def catalog(language: str, messages: dict[str, str]) -> Translations:
    """A tiny compiled catalog, with the language's plural case where the test has one."""
    plural = dict([PLURALS[language]]) if language in PLURALS else {}
    return compiled(language, {**messages, **plural})


@pytest.fixture
def catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """German and French test catalogs in place of the compiled ones."""
    use_catalogs(
        monkeypatch, {"de": catalog("de", GERMAN), "fr": catalog("fr", FRENCH)}, keep_real=True
    )


@pytest.fixture
def world(session: Session) -> World:
    world = make_world(session)
    world.cohort.language = "en"
    world.ana.language = "de"
    world.ben.language = "fr"
    for row in (world.cohort, world.ana, world.ben):
        session.add(row)
    session.commit()
    return world


def _card(session: Session, world: World, who: Participant) -> signin.IssuedCard:
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[who], secret=SECRET, followup_days=180
    )
    session.commit()
    return card


def _tablet(app: FastAPI) -> TestClient:
    return TestClient(app, follow_redirects=False)


def _lang(page: str) -> str:
    match = re.search(r'<html lang="([a-z]+)">', page)
    assert match, "the page declares no language"
    return match.group(1)


def _hand_back(tablet: TestClient) -> None:
    token = csrf_of(tablet, "/p")
    assert tablet.post("/p/signout", data={"csrf_token": token}).status_code == 303


def test_the_shared_tablet_switches_language_with_each_participant_who_signs_in(
    client: TestClient, session: Session, world: World, catalogs: None
) -> None:
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    cards = {p.name: _card(session, world, p) for p in (world.ana, world.ben, world.cai)}

    # Already the PIN page speaks to Ana in German: the card says whose it is.
    tablet.post("/join", data={"code": cards["Ana"].code, "csrf_token": csrf_of(tablet, "/join")})
    pin_page = tablet.get("/join/pin").text
    assert _lang(pin_page) == "de"
    assert "Wähle deine PIN, Ana" in pin_page
    tablet.cookies.delete("tandem_signin")
    join_tablet(tablet, cards["Ana"].code)
    home = tablet.get("/p")
    assert _lang(home.text) == "de"
    assert home.headers["content-language"] == "de"
    assert "Hallo, Ana" in home.text
    assert "Tablet zurückgeben" in home.text

    # Handed back, the tablet waits in the cohort's language.
    _hand_back(tablet)
    assert _lang(tablet.get("/join").text) == "en"

    join_tablet(tablet, cards["Ben"].code)
    home_ben = tablet.get("/p").text
    assert _lang(home_ben) == "fr"
    assert "Bonjour, Ben" in home_ben

    # Cai has no language of their own: the cohort's default, even right after Ben.
    join_tablet(tablet, cards["Cai"].code)
    home_cai = tablet.get("/p").text
    assert _lang(home_cai) == "en"
    assert "Hello, Cai" in home_cai

    # And back to German when Ana signs in again, without handing back first.
    join_tablet(tablet, cards["Ana"].code)
    assert _lang(tablet.get("/p").text) == "de"


def test_a_participant_changes_their_language_on_the_tablet(
    client: TestClient, session: Session, world: World, catalogs: None
) -> None:
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    join_tablet(tablet, _card(session, world, world.cai).code)
    page = tablet.get("/p/plan").text
    assert _lang(page) == "en"
    switch = page.split('id="language-switch"', 1)[1].split("</form>", 1)[0]
    # Each language in its own name and marked as such; the current one chosen.
    assert '<option value="de" lang="de">Deutsch</option>' in switch
    assert '<option value="fr" lang="fr">Français</option>' in switch
    assert '<option value="en" lang="en" selected>English</option>' in switch
    assert '<label for="language-choice">Language</label>' in switch

    token = csrf_of(tablet, "/p/plan")
    moved = tablet.post(
        "/p/language", data={"language": "de", "back": "/p/plan", "csrf_token": token}
    )
    assert (moved.status_code, moved.headers["location"]) == (303, "/p/plan")
    session.expire_all()
    cai = session.get(Participant, world.cai.id)
    assert cai is not None
    assert cai.language == "de"
    german = tablet.get("/p/plan").text
    assert _lang(german) == "de"
    assert "Alle Änderungen gespeichert" in german
    # The label also says "Language" in English, for someone who cannot read German.
    assert 'Sprache <span lang="en">(Language)</span>' in german
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "participant.language")
    ).all()
    assert event.detail == {"language": "de"}

    # Saved on the participant: another tablet speaks German to Cai too.
    other = _tablet(client.app)  # type: ignore[arg-type]
    join_tablet(other, _card(session, world, world.cai).code)
    assert _lang(other.get("/p").text) == "de"


@pytest.mark.parametrize("code", ["xx", "de-DE", "", "EN", "<script>"])
def test_an_unknown_language_is_refused_and_nothing_changes(
    client: TestClient, session: Session, world: World, code: str
) -> None:
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    join_tablet(tablet, _card(session, world, world.ana).code)
    token = csrf_of(tablet, "/p")
    refused = tablet.post("/p/language", data={"language": code, "csrf_token": token})
    assert refused.status_code == 422
    with i18n.use_locale("de"):  # Ana reads German: the refusal is in German
        expected = i18n.gettext(
            "Choose one of the languages offered: %(names)s.",
            names="English, Deutsch, Français, Español",
        )
    assert html.escape(expected, quote=False) in refused.text
    assert "tandem_lang" not in refused.headers.get("set-cookie", "")
    session.expire_all()
    ana = session.get(Participant, world.ana.id)
    assert ana is not None
    assert ana.language == "de"
    assert _lang(tablet.get("/p").text) == "de"


def test_the_language_switch_needs_csrf_and_only_goes_back_to_tablet_pages(
    client: TestClient, session: Session, world: World
) -> None:
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    join_tablet(tablet, _card(session, world, world.ana).code)
    forged = tablet.post("/p/language", data={"language": "es"})
    assert forged.status_code in (400, 403)
    session.expire_all()
    assert session.get(Participant, world.ana.id).language == "de"  # type: ignore[union-attr]
    token = csrf_of(tablet, "/p")
    for back in ("https://evil.example/p", "//evil.example", "/cohorts", "/p/../admin"):
        moved = tablet.post(
            "/p/language", data={"language": "es", "back": back, "csrf_token": token}
        )
        assert moved.headers["location"] == "/p"
    # Nobody signed in: there is no participant to save a language for.
    stranger = _tablet(client.app)  # type: ignore[arg-type]
    anon = stranger.post(
        "/p/language", data={"language": "es", "csrf_token": csrf_of(stranger, "/join")}
    )
    assert (anon.status_code, anon.headers["location"]) == (303, "/join")


def test_the_tablet_scripts_get_their_words_from_the_page_in_its_language(
    client: TestClient, session: Session, world: World, catalogs: None
) -> None:
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    join_tablet(tablet, _card(session, world, world.ana).code)
    page = tablet.get("/p/exercises/meet-your-buddy").text
    block = re.search(
        r'<script type="application/json" id="tablet-messages">(.*?)</script>', page, re.S
    )
    assert block
    messages = json.loads(block.group(1))
    assert messages["lang"] == "de"
    assert messages["saved"] == "Alle Änderungen gespeichert"
    assert messages["offline"] == {
        "one": "Offline: %(num)s Änderung wird gesendet, sobald das Tablet wieder online ist.",
        "other": "Offline: %(num)s Änderungen werden gesendet, sobald das Tablet wieder "
        "online ist.",
    }
    # Untranslated entries fall back to the source language, placeholders kept for the script.
    assert messages["not_saved_because"] == "Not saved: %(reason)s"


def _translate_agreement(session: Session, world: World) -> list[str]:
    """Give the cohort's snapshot of the buddy agreement German and French translations."""
    row = session.exec(
        select(CohortExercise).where(
            CohortExercise.cohort_id == world.cohort.id,
            CohortExercise.exercise_id == "buddy-agreement",
        )
    ).one()
    spec = dict(row.spec)
    prompt = next(p for p in spec["prompts"] if p["id"] == "agreements")
    options = list(prompt["options"])
    spec["translations"] = {
        lang: {
            "title": f"{lang.upper()}-Vereinbarung",
            "prompts": {
                "agreements": {
                    "text": f"{lang.upper()}: die Vereinbarungen",
                    "options": [f"{lang.upper()}-{n}" for n in range(len(options))],
                }
            },
        }
        for lang in ("de", "fr")
    }
    row.spec = spec
    row.content_hash = f"test-{uuid.uuid4().hex}"  # a new snapshot, never a cached one
    session.add(row)
    session.commit()
    return options


def test_buddies_who_read_different_languages_each_see_their_own(
    client: TestClient, session: Session, world: World
) -> None:
    options = _translate_agreement(session, world)
    ana = _tablet(client.app)  # type: ignore[arg-type]
    token = join_tablet(ana, _card(session, world, world.ana).code)
    ben = _tablet(client.app)  # type: ignore[arg-type]
    ben_token = join_tablet(ben, _card(session, world, world.ben).code)
    for who, csrf in ((ana, token), (ben, ben_token)):
        saved = who.put(
            "/p/api/answers/buddy-agreement/agreements",
            headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
            json={"value": options[:2], "base_version": 0, "idempotency_key": "key-0000001"},
        )
        assert saved.status_code == 200, saved.text
        # The answer keeps the source options, whatever the writer reads.
        assert saved.json()["value"] == options[:2]

    page = ana.get("/p/exercises/buddy-agreement").text
    assert "<h1>DE-Vereinbarung</h1>" in page
    assert "DE: die Vereinbarungen" in page
    assert f'value="{options[0]}" checked> DE-0' in page
    shared = ana.get("/p/exercises/buddy-agreement/shared").text
    assert "<li>DE-0</li>" in shared
    assert "FR-0" not in shared

    french = ben.get("/p/exercises/buddy-agreement").text
    assert "<h1>FR-Vereinbarung</h1>" in french
    assert "<li>FR-1</li>" in ben.get("/p/exercises/buddy-agreement/shared").text
    home = ben.get("/p").text
    assert "FR-Vereinbarung" in home


def test_the_check_in_calendar_speaks_the_downloading_members_language(
    client: TestClient, session: Session, world: World, catalogs: None
) -> None:
    ana = _tablet(client.app)  # type: ignore[arg-type]
    token = join_tablet(ana, _card(session, world, world.ana).code)
    ana.post("/p/partnership/rhythm", data={"rhythm": "30-60-90", "csrf_token": token})
    ben = _tablet(client.app)  # type: ignore[arg-type]
    ben_token = join_tablet(ben, _card(session, world, world.ben).code)
    ben.post("/p/partnership/rhythm/agree", data={"csrf_token": ben_token})
    german = ana.get("/p/partnership/checkins.ics").text
    french = ben.get("/p/partnership/checkins.ics").text
    assert "SUMMARY;LANGUAGE=de:" in german
    assert "SUMMARY;LANGUAGE=fr:" in french
    # The names are joined the reader's way (Babel's lists).
    assert "Ana und Ben" in german
    assert "Ana et Ben" in french


def test_messages_from_the_services_reach_the_participant_in_their_language(
    client: TestClient, session: Session, world: World, catalogs: None
) -> None:
    tablet = _tablet(client.app)  # type: ignore[arg-type]
    card = _card(session, world, world.ana)
    tablet.post("/join", data={"code": card.code, "csrf_token": csrf_of(tablet, "/join")})
    token = csrf_of(tablet, "/join/pin")
    short = tablet.post("/join/pin", data={"pin": "12", "pin_again": "12", "csrf_token": token})
    assert short.status_code == 400
    assert "Die PIN hat 4 bis 8 Ziffern." in short.text
    tablet.cookies.delete("tandem_signin")
    token = join_tablet(tablet, card.code)
    refused = tablet.put(
        "/p/api/answers/meet-your-buddy/first-impression",
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
        json={"value": 9, "base_version": 0, "idempotency_key": "key-0000001"},
    )
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["message"] == "Die Antwort ist eine Zahl von 1 bis 5."
