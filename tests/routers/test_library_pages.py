"""The facilitator's library browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY, Settings, get_settings
from app.models import Facilitator
from app.services.library.browser import filter_library, parse_filter
from app.services.library.loader import load_library
from tests.conftest import sign_in
from tests.services.tablet.factories import make_cohort


def test_browser_shows_every_exercise_with_prompts_and_visibility(
    client: TestClient, signed_in: str
) -> None:
    page = client.get("/library")
    assert page.status_code == 200
    library = load_library([SHIPPED_LIBRARY])
    assert f"{len(library.exercises)} of {len(library.exercises)} exercises" in page.text
    agreement = library.get("buddy-agreement")
    assert agreement.title in page.text
    assert "Participant and buddy" in page.text
    assert "Facilitator notes:" in page.text


def test_browser_filters_by_day_phase_kind_and_duration(client: TestClient, signed_in: str) -> None:
    library = load_library([SHIPPED_LIBRARY])
    expected = [s for s in library.ordered() if s.day == 2 and s.kind == "pair" and s.minutes <= 45]
    page = client.get("/library?day=2&kind=pair&max_minutes=45")
    assert f"{len(expected)} of {len(library.exercises)} exercises" in page.text
    for spec in library.ordered():
        if spec not in expected:
            assert f'id="{spec.id}"' not in page.text


def test_filter_ignores_malformed_values() -> None:
    library = load_library([SHIPPED_LIBRARY])
    flt = parse_filter(day="x", phase="nonsense", kind="pair", max_minutes="-3")
    assert [s.kind for s in filter_library(library, flt)] == ["pair"] * len(
        [s for s in library.exercises.values() if s.kind == "pair"]
    )


def test_library_needs_a_signed_in_facilitator(client: TestClient) -> None:
    assert client.get("/library").status_code == 303


@pytest.fixture
def broken_library(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """An organisation's folder in TANDEM_LIBRARY_DIRS with one 4,301-digit number in it."""
    folder = tmp_path / "our-exercises"
    folder.mkdir()
    (folder / "our-own.yaml").write_text(
        "id: our-own\nversion: 1\ntitle: Ours\nsummary: An organisation's exercise.\n"
        f"kind: solo\nphase: close\nminutes: {'9' * 4301}\nsteps: [Go.]\n"
    )
    monkeypatch.setenv("TANDEM_LIBRARY_DIRS", json.dumps([str(folder)]))
    get_settings.cache_clear()
    settings.library_dirs = [folder]
    yield folder
    get_settings.cache_clear()


def test_a_broken_organisation_file_is_reported_and_cohorts_keep_working(
    broken_library: Path, session: Session, client: TestClient, admin: Facilitator
) -> None:
    cohort = make_cohort(session)  # its program was bound before the file broke
    session.commit()
    sign_in(client, admin.email)
    where = f"{broken_library / 'our-own.yaml'}:7:10"

    library = client.get("/library")
    agenda = client.get(f"/cohorts/{cohort.slug}/agenda")
    workbooks = client.get(f"/cohorts/{cohort.slug}/workbooks")

    assert (library.status_code, agenda.status_code, workbooks.status_code) == (200, 200, 200)
    for page in (library, agenda):
        assert where in page.text
        assert "the number 999999999999… (4301 characters) is too large" in page.text


@pytest.fixture
def translated_library(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """An organisation's folder with one exercise: German complete, French partial."""
    folder = tmp_path / "translated-exercises"
    folder.mkdir()
    source = Path(__file__).parents[1] / "data" / "library" / "translated" / "translated.yaml"
    (folder / "translated.yaml").write_text(source.read_text())
    (folder / "untranslated.yaml").write_text(
        "id: untranslated\nversion: 1\ntitle: Not translated\nsummary: English only.\n"
        "kind: solo\nphase: close\nminutes: 10\nsteps: [Go.]\n"
    )
    monkeypatch.setenv("TANDEM_LIBRARY_DIRS", json.dumps([str(folder)]))
    get_settings.cache_clear()
    settings.library_dirs = [folder]
    yield folder
    get_settings.cache_clear()


def _article(page: str, exercise_id: str) -> str:
    start = page.index(f'id="{exercise_id}"')
    return page[start : page.index("</article>", start)]


def test_library_page_shows_what_each_language_still_lacks(
    translated_library: Path, client: TestClient, signed_in: str
) -> None:
    article = _article(client.get("/library?q=translated").text, "translated")
    assert "A translated exercise" in article
    assert '<li data-language="de" data-complete="yes">' in article
    assert '<li data-language="fr" data-complete="no">' in article
    french = article[article.index('data-language="fr"') : article.index('data-language="es"')]
    assert (
        "Missing: summary, steps, help of question mood, choices of question mood, "
        "question notes, materials, and facilitator notes"
    ) in french
    spanish = article[article.index('data-language="es"') :]
    assert "Missing: title, summary, steps" in spanish
    # An exercise without translations lacks everything in every language.
    untranslated = _article(client.get("/library").text, "untranslated")
    assert untranslated.count('data-complete="no"') == 3
    assert "Missing: title, summary, and steps" in untranslated


def test_library_page_shows_an_exercise_in_another_language_with_fallback(
    translated_library: Path, client: TestClient, signed_in: str
) -> None:
    german = _article(client.get("/library?q=translated&lang=de").text, "translated")
    assert 'lang="de"' in german
    assert "Eine übersetzte Übung" in german
    assert "Lies die Frage." in german
    assert "Ausgeruht / Müde / Neugierig" in german
    french = _article(client.get("/library?q=translated&lang=fr").text, "translated")
    assert "Un exercice traduit" in french
    assert "Comment arrivez-vous ?" in french
    assert "Read the question." in french  # no French steps: the source's
    assert '<ol lang="en"><li>Read the question.</li>' in french  # read out as English
    assert '<h2 lang="en">' not in french
    assert 'lang="en"' not in german[german.index("<h2") : german.index('class="translations"')]
    assert "Rested / Tired / Curious" in french


def test_library_page_speaks_the_facilitators_language(
    translated_library: Path,
    client: TestClient,
    signed_in: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from io import BytesIO

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    from app.core import i18n

    catalog = Catalog(locale="de")
    catalog.add("Exercise library", "Übungsbibliothek")
    catalog.add("Translations", "Übersetzungen")
    catalog.add("complete", "vollständig")
    catalog.add("title", "Titel")
    catalog.add("Missing: %(parts)s", "Es fehlt: %(parts)s")
    catalog.add("arrive", "Ankommen", context="phase")
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    german = Translations(compiled)
    monkeypatch.setattr(
        i18n, "translations", lambda lang: german if lang == "de" else Translations()
    )
    client.cookies.set("tandem_lang", "de")
    page = client.get("/library")
    assert "<h1>Übungsbibliothek</h1>" in page.text
    assert "<h3>Übersetzungen</h3>" in page.text
    assert "Es fehlt: Titel" in page.text
    assert "Ankommen" in page.text
