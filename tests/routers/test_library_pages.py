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
