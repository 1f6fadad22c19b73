"""Tiny compiled catalogs for tests: messages shown in another language without the real ones.

``install(monkeypatch, tmp_path, {"de": {"Hello": "Hallo", ("%(num)s item", "%(num)s items"):
("%(num)s Eintrag", "%(num)s Einträge")}})`` builds a ``.mo`` per language with Babel and
makes ``app.core.i18n`` read it, so a test checks that text went through gettext.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from app.core import i18n

Entries = Mapping[str | tuple[str, str], str | tuple[str, ...]]


def build(tmp_path: Path, language: str, entries: Entries) -> Translations:
    """A compiled catalog of ``entries`` for ``language`` (written to and read from tmp)."""
    catalog = Catalog(locale=language)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    path = tmp_path / f"{language}.mo"
    with path.open("wb") as out:
        write_mo(out, catalog)
    with path.open("rb") as fp:
        return Translations(fp)


def install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, catalogs: Mapping[str, Entries]
) -> None:
    """Make ``app.core.i18n`` translate with these catalogs (other languages: source text)."""
    built = {lang: build(tmp_path, lang, entries) for lang, entries in catalogs.items()}

    def translations(language: str) -> gettext.NullTranslations:
        return built.get(language) or gettext.NullTranslations()

    monkeypatch.setattr(i18n, "translations", translations)
