"""The language ``tandem`` speaks: ``TANDEM_LANGUAGE``, else the POSIX locale, else English.

The POSIX order holds: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set decides
(``de_DE.UTF-8`` -> German; ``C``, ``POSIX`` or a language Tandem does not speak -> English).

``_``/``ngettext`` here are ``app.core.i18n``'s, imported on first use: the language core
brings Babel and the settings, and ``tandem --help`` must not pay for them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any


def language_from(environ: Mapping[str, str]) -> str:
    """The language a command speaks for this environment (a code Tandem speaks)."""
    from app.core.i18n import normalise_language

    tandem = environ.get("TANDEM_LANGUAGE", "").strip()
    if tandem:
        return normalise_language(tandem) or "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            # de_DE.UTF-8@euro -> de_DE; "C" and "POSIX" are no language.
            return normalise_language(value.split(".")[0].split("@")[0]) or "en"
    return "en"


def command_locale(environ: Mapping[str, str] | None = None) -> AbstractContextManager[str]:
    """Speak the command's language (from ``environ``, the process's by default) in a block."""
    from app.core.i18n import use_locale

    # The locale variables are the operating system's, not Tandem settings: read them here.
    return use_locale(language_from(os.environ if environ is None else environ))


def gettext(message: str, **values: Any) -> str:
    from app.core import i18n

    return i18n.gettext(message, **values)


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    from app.core import i18n

    return i18n.ngettext(singular, plural, n, **values)


_ = gettext


def format_list(items: list[str], style: str = "standard") -> str:
    from app.core import i18n

    return i18n.format_list(items, style=style)


def format_number(value: float) -> str:
    from app.core import i18n

    return i18n.format_number(value)


def format_date(value: date, format: str = "medium") -> str:
    """A date by CLDR pattern or skeleton length (``"EEE d MMM y"`` -> ``Thu 3 Dec 2026``)."""
    from app.core import i18n

    return i18n.format_date(value, format=format)


def format_datetime(value: datetime, format: str = "medium") -> str:
    """A moment (shown in UTC) by CLDR length in the command's language."""
    from app.core import i18n

    return i18n.format_datetime(value, format=format)


def format_decimal(value: float, pattern: str) -> str:
    """A number by CLDR pattern (``#,##0.00``) in the command's language."""
    from babel import numbers

    from app.core import i18n

    return numbers.format_decimal(value, format=pattern, locale=i18n.current_language())
