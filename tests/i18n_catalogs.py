"""Tiny compiled catalogs for tests: messages shown in another language without the real ones.

``install(monkeypatch, tmp_path, {"de": {"Hello": "Hallo", ("%(num)s item", "%(num)s items"):
("%(num)s Eintrag", "%(num)s Einträge")}})`` builds a ``.mo`` per language with Babel and
makes ``app.core.i18n`` read it, so a test checks that text went through gettext.
``compiled()`` builds one in memory and ``use_catalogs()`` puts already built ones in place
(optionally over the real catalogs, for languages they leave out).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from app.core import i18n

Entries = Mapping[str | tuple[str, str], str | tuple[str, ...]]
Contexts = Mapping[tuple[str, str], str]
"""``(context, message) -> translation``, for ``pgettext`` strings."""


def _catalog(language: str, entries: Entries, contexts: Contexts | None) -> Catalog:
    catalog = Catalog(locale=language, domain=i18n.DOMAIN)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    for (context, msgid), msgstr in (contexts or {}).items():
        catalog.add(msgid, msgstr, context=context)
    return catalog


def compiled(language: str, entries: Entries, contexts: Contexts | None = None) -> Translations:
    """A catalog of ``entries`` for ``language``, compiled as ``make i18n-compile`` does."""
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(language, entries, contexts))
    buffer.seek(0)
    return Translations(buffer, domain=i18n.DOMAIN)


def build(tmp_path: Path, language: str, entries: Entries) -> Translations:
    """A compiled catalog of ``entries`` for ``language`` (written to and read from tmp)."""
    path = tmp_path / f"{language}.mo"
    with path.open("wb") as out:
        write_mo(out, _catalog(language, entries, None))
    with path.open("rb") as fp:
        return Translations(fp)


def use_catalogs(
    monkeypatch: pytest.MonkeyPatch,
    catalogs: Mapping[str, gettext.NullTranslations],
    *,
    keep_real: bool = False,
) -> None:
    """Make ``app.core.i18n`` translate with ``catalogs``; other languages read as the source,
    or (``keep_real``) through the compiled catalogs in the tree."""
    real = i18n.translations

    def translations(language: str) -> gettext.NullTranslations:
        found = catalogs.get(language)
        if found is not None:
            return found
        return real(language) if keep_real else gettext.NullTranslations()

    monkeypatch.setattr(i18n, "translations", translations)


def install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, catalogs: Mapping[str, Entries]
) -> None:
    """Make ``app.core.i18n`` translate with these catalogs (other languages: source text)."""
    use_catalogs(monkeypatch, {lang: build(tmp_path, lang, e) for lang, e in catalogs.items()})
