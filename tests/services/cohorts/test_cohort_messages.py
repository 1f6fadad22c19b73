"""A refused cohort reads in the facilitator's language: the sentence and the field's label."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import InvalidInput
from app.core.i18n import use_locale
from app.services.cohorts import create_cohort
from tests.i18n_catalogs import install


def test_a_refused_cohort_names_each_field_in_the_readers_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(
        monkeypatch,
        tmp_path,
        {
            "fr": {
                "the cohort cannot be created": "la promotion ne peut pas être créée",
                "must be between 1 and %(max)s": "doit être compris entre 1 et %(max)s",
                "'%(value)s' is not a known time zone (e.g. Europe/Berlin)": (
                    "« %(value)s » n'est pas un fuseau horaire connu (par ex. Europe/Paris)"
                ),
                "form field\x04days": "jours",
                "form field\x04timezone": "fuseau horaire",
            }
        },
    )
    session: Any = None  # refused before the database is read

    with use_locale("fr"), pytest.raises(InvalidInput) as caught:
        create_cohort(
            session, name="Printemps", start_date=date(2027, 3, 1), days=0, timezone="Mars"
        )

    assert caught.value.message == "la promotion ne peut pas être créée"
    assert [(p.where, p.message, p.field) for p in caught.value.problems] == [
        ("jours", "doit être compris entre 1 et 14", "days"),
        (
            "fuseau horaire",
            "« Mars » n'est pas un fuseau horaire connu (par ex. Europe/Paris)",
            "timezone",
        ),
    ]
