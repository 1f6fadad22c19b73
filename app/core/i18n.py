"""The reader's language: gettext catalogs (Babel) and locale-aware dates, numbers and lists.

Every string a person reads goes through ``gettext`` / ``ngettext`` here (or ``_()`` /
``{% trans %}`` in a template). The language of the current request, command or job is a
context variable: ``use_locale("de")`` sets it for a block, the web middleware sets it per
request. Catalogs live in ``app/locale/<lang>/LC_MESSAGES/messages.po`` and are compiled to
``.mo`` by ``make i18n-compile`` (part of ``make install``); a missing ``.mo`` reads as the
source language, never as an error.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from babel import Locale, dates, numbers
from babel.core import negotiate_locale
from babel.support import LazyProxy, Translations

from app.core.config import ROOT

LOCALE_DIR = ROOT / "app" / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")
"""The languages Tandem speaks, the source language first."""
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
"""Each language in its own words (a language picker shows these, untranslated)."""

_current: ContextVar[str] = ContextVar("tandem_language", default=SOURCE_LANGUAGE)


def normalise_language(value: str | None) -> str | None:
    """``"de-AT"``, ``"DE"`` or ``"de_CH"`` -> ``"de"``; ``None`` for a language we do not speak."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def current_language() -> str:
    return _current.get()


@contextmanager
def use_locale(language: str | None) -> Iterator[str]:
    """Speak ``language`` (or the source language when it is unknown) inside the block."""
    chosen = normalise_language(language) or SOURCE_LANGUAGE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def set_language(language: str | None) -> str:
    """Set the language for the rest of the current context (a request); returns it."""
    chosen = normalise_language(language) or SOURCE_LANGUAGE
    _current.set(chosen)
    return chosen


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an ``Accept-Language`` header, or ``None``."""
    if not accept_language:
        return None
    wanted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            wanted.append((quality, tag.strip().replace("-", "_")))
    wanted.sort(key=lambda item: -item[0])
    found = negotiate_locale([tag for _, tag in wanted], list(LANGUAGES), sep="_")
    return normalise_language(found)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``language`` (cached); the source language has none."""
    if language == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    loaded = Translations.load(str(LOCALE_DIR), [language], domain=DOMAIN)
    return loaded


def _active() -> _gettext.NullTranslations:
    return translations(_current.get())


def translate(message: str) -> str:
    """The current language's text for ``message`` (no placeholder filling)."""
    return _active().gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return _active().ngettext(singular, plural, n)


def translate_context(context: str, message: str) -> str:
    return _active().pgettext(context, message)


def gettext(message: str, **values: Any) -> str:
    """Translate ``message`` and fill its ``%(name)s`` placeholders from ``values``."""
    text = translate(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """Translate by count; ``%(num)s`` is ``n``, other placeholders come from ``values``."""
    text = translate_plural(singular, plural, n)
    return text % {"num": n, **values}


def pgettext(context: str, message: str, **values: Any) -> str:
    """Translate ``message`` in ``context`` (a short word that tells two same strings apart)."""
    text = _active().pgettext(context, message)
    return text % values if values else text


_ = gettext


def lazy_gettext(message: str, **values: Any) -> LazyProxy:
    """A translation resolved when used: for module-level labels read in many languages."""
    return LazyProxy(gettext, message, enable_cache=False, **values)


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; translate it later with ``gettext(message)``."""
    return message


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _babel_locale(language: str) -> Locale:
    return Locale.parse(language)


def locale() -> Locale:
    return _babel_locale(_current.get())


def format_date(value: date | datetime, format: str = "medium") -> str:
    """A date in the reader's locale: ``3 Dec 2026``, ``03.12.2026``, ``3 déc. 2026``."""
    return dates.format_date(value, format=format, locale=_current.get())


def format_iso_date(value: str, format: str = "long") -> str:
    """A date stored as ISO text (``2027-03-01``) in the reader's format; other text as it is."""
    try:
        return format_date(date.fromisoformat(value), format)
    except (TypeError, ValueError):
        return value


def format_datetime(value: datetime, format: str = "medium", tzinfo: Any = None) -> str:
    return dates.format_datetime(value, format=format, tzinfo=tzinfo, locale=_current.get())


def format_time(value: time | datetime, format: str = "short") -> str:
    return dates.format_time(value, format=format, locale=_current.get())


def format_skeleton(value: date | datetime, skeleton: str) -> str:
    """A date by CLDR skeleton (``"EEEEd"`` -> ``Thursday 3`` / ``Donnerstag, 3.``)."""
    return dates.format_skeleton(skeleton, value, locale=_current.get())


def format_number(value: float | int) -> str:
    return numbers.format_decimal(value, locale=locale())


def format_list(items: Sequence[str], style: str = "standard") -> str:
    """``["a", "b", "c"]`` -> ``a, b and c`` / ``a, b und c`` / ``a, b et c``."""
    # Babel's own algorithm over the locale's cached patterns: matching explains thousands
    # of groups in one run, and parsing the locale for every list was most of that time.
    values = list(items)
    if len(values) < 2:
        return values[0] if values else ""
    patterns = locale().list_patterns[style]
    if len(values) == 2:
        return str(patterns["2"].format(*values))
    text = str(patterns["start"].format(values[0], values[1]))
    for value in values[2:-1]:
        text = patterns["middle"].format(text, value)
    return str(patterns["end"].format(text, values[-1]))


def install_i18n(env: Any) -> None:
    """Give a Jinja environment ``_()``, ``ngettext()``, ``{% trans %}`` and the formatters.

    Jinja's new-style gettext fills the placeholders itself and escapes every filled-in value,
    so what a person typed can never become markup. The translated text itself is trusted like
    the template it stands in (it comes from our own reviewed catalogs).
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(
        translate, translate_plural, newstyle=True, pgettext=translate_context
    )
    env.globals.update(
        current_language=current_language,
        language_names=LANGUAGE_NAMES,
        format_date=format_date,
        format_iso_date=format_iso_date,
        format_datetime=format_datetime,
        format_time=format_time,
        format_skeleton=format_skeleton,
        format_number=format_number,
        format_list=format_list,
    )
