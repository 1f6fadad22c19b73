"""The facilitator's library browser."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.config import SHIPPED_LIBRARY
from app.services.library.browser import filter_library, parse_filter
from app.services.library.loader import load_library


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
