"""A tiny compiled German catalog for tests, until the translators' catalog lands: the
workbook's words go through gettext, so a German edition shows these."""

from __future__ import annotations

import pytest

from tests.i18n_catalogs import compiled, use_catalogs

GERMAN = {
    "Buddy workbook": "Lernpartner-Arbeitsbuch",
    "Contents": "Inhalt",
    "Your partnership": "Eure Partnerschaft",
    "Development plan": "Entwicklungsplan",
    "Keeping in touch": "In Kontakt bleiben",
    "Notes": "Notizen",
    "Day %(number)s · %(date)s": "Tag %(number)s · %(date)s",
    "QR code that opens this exercise on the tablet": "QR-Code: öffnet diese Übung auf dem Tablet",
    "QR code that signs %(name)s in on the tablet": "QR-Code: meldet %(name)s am Tablet an",
    "Your code": "Dein Code",
    "Participant edition": "Ausgabe für Teilnehmende",
}


def use_german_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``de`` read the tiny catalog; every other language reads as the source."""
    use_catalogs(monkeypatch, {"de": compiled("de", GERMAN)})
