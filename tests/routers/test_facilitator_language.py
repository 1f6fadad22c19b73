"""Facilitator pages speak the facilitator's language: the account setting, else the browser's.

The shipped catalogs are still being written, so these tests read a tiny German catalog built
in a temporary folder: what they prove is that the pages' words go through gettext in the
request's language, not what the final German says.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core import i18n
from app.core.config import SHIPPED_LIBRARY
from app.core.language import LANGUAGE_COOKIE
from app.models import Cohort, Facilitator, Participant
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import load_library
from app.services.roster import service as roster
from tests.conftest import PASSWORD, csrf_of, sign_in
from tests.i18n_catalogs import compiled, use_catalogs

GERMAN = {
    "Cohorts": "Kohorten",
    "Exercise library": "Übungsbibliothek",
    "Sign out": "Abmelden",
    "Account": "Konto",
    "New cohort": "Neue Kohorte",
    "Facilitator sign-in": "Anmeldung für Moderierende",
    "Your account": "Ihr Konto",
    "Roster": "Teilnehmerliste",
    "Agenda": "Ablaufplan",
    "Buddies": "Lernpartner",
    "Save": "Speichern",
    "Not found": "Nicht gefunden",
    "Not found.": "Nicht gefunden.",
    "Day %(day)s · %(date)s": "Tag %(day)s · %(date)s",
    "Saved. Tandem now speaks %(language)s to you.": (
        "Gespeichert. Tandem spricht jetzt %(language)s mit Ihnen."
    ),
}
GERMAN_PLURALS = {
    ("%(num)s problem to fix:", "%(num)s problems to fix:"): (
        "%(num)s Problem zu beheben:",
        "%(num)s Probleme zu beheben:",
    ),
}


@pytest.fixture
def german_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """German reads the test catalog; the other languages read nothing (the source)."""
    use_catalogs(monkeypatch, {"de": compiled("de", {**GERMAN, **GERMAN_PLURALS})})


def _fresh(session: Session) -> None:
    """Read what the app committed: end the read snapshot and forget the loaded rows."""
    session.rollback()
    session.expire_all()


def _lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match, "the page declares no language"
    return match.group(1)


def test_a_german_browser_reads_the_facilitator_pages_in_german(
    client: TestClient, signed_in: str, german_catalog: None
) -> None:
    page = client.get("/cohorts", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert _lang(page.text) == "de"
    assert page.headers["content-language"] == "de"
    assert "<h1>Kohorten</h1>" in page.text
    assert "Neue Kohorte" in page.text
    assert "Abmelden" in page.text
    english = client.get("/cohorts", headers={"Accept-Language": "en-GB"})
    assert _lang(english.text) == "en"
    assert "<h1>Cohorts</h1>" in english.text


def test_the_sign_in_page_and_errors_follow_the_browser(
    client: TestClient, german_catalog: None
) -> None:
    login = client.get("/login", headers={"Accept-Language": "de"})
    assert _lang(login.text) == "de"
    assert "Anmeldung für Moderierende" in login.text
    missing = client.get("/no-such-page", headers={"Accept-Language": "de", "Accept": "text/html"})
    assert missing.status_code == 404
    assert _lang(missing.text) == "de"
    assert "<h1>Nicht gefunden</h1>" in missing.text
    assert "<p>Nicht gefunden.</p>" in missing.text


def test_the_account_language_wins_over_an_english_browser_from_sign_in_on(
    client: TestClient, session: Session, facilitator: Facilitator, german_catalog: None
) -> None:
    facilitator.language = "de"
    session.add(facilitator)
    session.commit()
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": facilitator.email, "password": PASSWORD, "csrf_token": token},
        headers={"Accept-Language": "en-US"},
    )
    assert response.status_code == 303
    assert f"{LANGUAGE_COOKIE}=de" in response.headers["set-cookie"]
    page = client.get("/cohorts", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _lang(page.text) == "de"
    assert "<h1>Kohorten</h1>" in page.text


def test_signing_in_without_a_language_follows_the_browser_again(
    client: TestClient, facilitator: Facilitator, german_catalog: None
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "fr", domain="testserver.local")  # someone else's choice
    sign_in(client, facilitator.email)
    assert client.cookies.get(LANGUAGE_COOKIE) is None
    page = client.get("/cohorts", headers={"Accept-Language": "de"})
    assert _lang(page.text) == "de"


def test_choosing_german_on_the_account_page_saves_it_and_switches_the_pages(
    client: TestClient,
    signed_in: str,
    session: Session,
    facilitator: Facilitator,
    german_catalog: None,
) -> None:
    account = client.get("/account", headers={"Accept-Language": "en"})
    assert account.status_code == 200
    assert 'name="language"' in account.text
    assert '<option value="" selected>' in account.text  # the browser's, until chosen
    for code, name in i18n.LANGUAGE_NAMES.items():
        assert f'<option value="{code}">{name}</option>' in account.text
    saved = client.post(
        "/account",
        data={"language": "de", "csrf_token": signed_in},
        headers={"Accept-Language": "en"},
    )
    assert (saved.status_code, saved.headers["location"]) == (303, "/account?saved=1")
    _fresh(session)
    assert session.get(Facilitator, facilitator.id).language == "de"  # type: ignore[union-attr]
    after = client.get("/account?saved=1", headers={"Accept-Language": "en"})
    assert _lang(after.text) == "de"
    assert "Gespeichert. Tandem spricht jetzt Deutsch mit Ihnen." in after.text
    assert '<option value="de" selected>Deutsch</option>' in after.text
    # Back to the browser's language: the choice is forgotten on the device too.
    reset = client.post(
        "/account",
        data={"language": "", "csrf_token": signed_in},
        headers={"Accept-Language": "en"},
    )
    assert reset.status_code == 303
    assert _lang(client.get("/cohorts", headers={"Accept-Language": "en"}).text) == "en"
    _fresh(session)
    assert session.get(Facilitator, facilitator.id).language == ""  # type: ignore[union-attr]


def test_an_unknown_language_on_the_account_page_changes_nothing(
    client: TestClient,
    signed_in: str,
    session: Session,
    facilitator: Facilitator,
    german_catalog: None,
) -> None:
    refused = client.post(
        "/account",
        data={"language": "klingon", "csrf_token": signed_in},
        headers={"Accept-Language": "de"},
    )
    assert refused.status_code == 422
    assert "1 Problem zu beheben:" in refused.text  # the form's problems, in German
    assert "“klingon” is not a language Tandem speaks" in refused.text
    assert LANGUAGE_COOKIE not in refused.headers.get("set-cookie", "")
    _fresh(session)
    assert session.get(Facilitator, facilitator.id).language == ""  # type: ignore[union-attr]
    assert _lang(client.get("/cohorts").text) == "en"


def test_the_account_page_needs_the_form_token(
    client: TestClient, signed_in: str, session: Session, facilitator: Facilitator
) -> None:
    refused = client.post("/account", data={"language": "de"})
    assert refused.status_code == 403
    _fresh(session)
    assert session.get(Facilitator, facilitator.id).language == ""  # type: ignore[union-attr]


def test_every_facilitator_page_declares_the_language_it_speaks(
    client: TestClient, signed_in: str, session: Session, facilitator: Facilitator
) -> None:
    cohort = cohorts.create_cohort(
        session, name="Sprachen", start_date=date(2027, 3, 1), actor=facilitator
    )
    session.commit()
    pages = ["/cohorts", "/account", "/cohorts/new", f"/cohorts/{cohort.slug}"]
    pages += [
        f"/cohorts/{cohort.slug}/{tab}"
        for tab in (
            "roster",
            "intake",
            "matching",
            "agenda",
            "now",
            "progress",
            "cards",
            "workbooks",
        )
    ]
    pages += [f"/cohorts/{cohort.slug}/plans", f"/cohorts/{cohort.slug}/edit", "/library"]
    for language in i18n.LANGUAGES:
        for path in pages:
            page = client.get(path, headers={"Accept-Language": language})
            assert page.status_code == 200, (language, path)
            assert _lang(page.text) == language, (language, path)


def test_the_cohort_form_saves_the_participants_default_language(
    client: TestClient, signed_in: str, session: Session
) -> None:
    form = client.get("/cohorts/new", headers={"Accept-Language": "fr"}).text
    assert '<option value="fr" selected>Français</option>' in form  # the facilitator's
    created = client.post(
        "/cohorts/new",
        data={
            "name": "Madrid",
            "start_date": "2027-05-03",
            "language": "es",
            "csrf_token": signed_in,
        },
    )
    assert created.status_code == 303
    cohort = session.exec(select(Cohort).where(Cohort.slug == "madrid")).one()
    assert cohort.language == "es"
    edit = client.get("/cohorts/madrid/edit").text
    assert '<option value="es" selected>Español</option>' in edit
    changed = client.post(
        "/cohorts/madrid/edit",
        data={
            "name": "Madrid",
            "start_date": "2027-05-03",
            "language": "de",
            "csrf_token": signed_in,
        },
    )
    assert changed.status_code == 303
    _fresh(session)
    assert session.exec(select(Cohort).where(Cohort.slug == "madrid")).one().language == "de"


def test_an_unknown_cohort_language_is_a_form_error_and_nothing_is_saved(
    client: TestClient, signed_in: str, session: Session
) -> None:
    refused = client.post(
        "/cohorts/new",
        data={
            "name": "Nowhere",
            "start_date": "2027-05-03",
            "language": "xx",
            "csrf_token": signed_in,
        },
    )
    assert refused.status_code == 422
    assert "“xx” is not a language Tandem speaks" in refused.text
    assert 'value="Nowhere"' in refused.text
    assert session.exec(select(Cohort).where(Cohort.name == "Nowhere")).first() is None
    # With another fault in the same form, both are listed.
    both = client.post(
        "/cohorts/new",
        data={"name": "Nowhere", "start_date": "soon", "language": "xx", "csrf_token": signed_in},
    )
    assert both.status_code == 422
    assert "2 problems to fix:" in both.text
    client.post(
        "/cohorts/new",
        data={
            "name": "Lyon",
            "start_date": "2027-05-03",
            "language": "fr",
            "csrf_token": signed_in,
        },
    )
    kept = client.post(
        "/cohorts/lyon/edit",
        data={
            "name": "Lyon 2",
            "start_date": "2027-05-03",
            "language": "pt",
            "csrf_token": signed_in,
        },
    )
    assert kept.status_code == 422
    _fresh(session)
    lyon = session.exec(select(Cohort).where(Cohort.slug == "lyon")).one()
    assert (lyon.name, lyon.language) == ("Lyon", "fr")


@pytest.fixture
def person(session: Session, facilitator: Facilitator) -> Participant:
    cohort = cohorts.create_cohort(
        session, name="Berlin", start_date=date(2027, 3, 1), actor=facilitator
    )
    cohort.language = "de"
    roster.import_roster(
        session,
        cohort=cohort,
        data=b"Name,Email\nAna Lima,ana@example.com\n",
        today=date(2026, 11, 26),
    )
    session.commit()
    return session.exec(select(Participant)).one()


def test_the_participant_form_offers_the_cohorts_language_or_their_own(
    client: TestClient, signed_in: str, session: Session, person: Participant
) -> None:
    url = f"/cohorts/berlin/participants/{person.id}/edit"
    form = client.get(url).text
    assert '<option value="" selected>The cohort&#39;s language (Deutsch)</option>' in form
    saved = client.post(url, data={"name": "Ana Lima", "language": "fr", "csrf_token": signed_in})
    assert saved.status_code == 303
    _fresh(session)
    assert session.get(Participant, person.id).language == "fr"  # type: ignore[union-attr]
    assert '<option value="fr" selected>Français</option>' in client.get(url).text
    roster_page = client.get("/cohorts/berlin/roster").text
    assert "Français" in roster_page
    back = client.post(url, data={"name": "Ana Lima", "language": "", "csrf_token": signed_in})
    assert back.status_code == 303
    _fresh(session)
    assert session.get(Participant, person.id).language == ""  # type: ignore[union-attr]


def test_an_unknown_participant_language_saves_nothing(
    client: TestClient, signed_in: str, session: Session, person: Participant
) -> None:
    url = f"/cohorts/berlin/participants/{person.id}/edit"
    refused = client.post(
        url, data={"name": "Ana Renamed", "language": "de-XX-bad", "csrf_token": signed_in}
    )
    assert refused.status_code == 422
    assert "“de-XX-bad” is not a language Tandem speaks" in refused.text
    _fresh(session)
    kept = session.get(Participant, person.id)
    assert kept is not None
    assert (kept.name, kept.language) == ("Ana Lima", "")


def test_the_agenda_in_german_translates_its_words_and_writes_its_dates_in_german(
    client: TestClient,
    signed_in: str,
    session: Session,
    facilitator: Facilitator,
    german_catalog: None,
) -> None:
    cohort = cohorts.create_cohort(
        session, name="Frühjahr", start_date=date(2027, 3, 1), actor=facilitator
    )
    agenda.build_agenda(session, cohort=cohort, library=load_library([SHIPPED_LIBRARY]))
    session.commit()
    page = client.get(f"/cohorts/{cohort.slug}/agenda", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert "<h1>Ablaufplan</h1>" in page.text
    assert "Tag 1 · Montag, 1. März 2027" in page.text
    # The exercise reads in the facilitator's language, from the library's own translation.
    assert "Eröffnungsrunde" in page.text
    assert "Opening circle" not in page.text
