"""A tiny compiled German catalog for tests, until the translators' catalog lands: the
workbook's words go through gettext, so a German edition shows these."""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from app.core import i18n

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


def catalog(language: str, messages: dict[str, str]) -> Translations:
    """A compiled catalog of ``messages`` for ``language``, as ``make i18n-compile`` builds."""
    source = Catalog(locale=language, domain=i18n.DOMAIN)
    for msgid, msgstr in messages.items():
        source.add(msgid, msgstr)
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    return Translations(compiled, domain=i18n.DOMAIN)


def use_german_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``de`` read the tiny catalog; every other language reads as the source."""
    german = catalog("de", GERMAN)

    def translations(language: str) -> gettext.NullTranslations:
        return german if language == "de" else gettext.NullTranslations()

    monkeypatch.setattr(i18n, "translations", translations)
