"""The language choices of the facilitator's forms: read, check and offer a language code."""

from __future__ import annotations

from app.core.errors import Problem
from app.core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext


def language_choices(default_label: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs for a select: each language in its own words, and first, when
    ``default_label`` is given, the empty code (the account's or the cohort's default)."""
    choices = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    return [("", default_label), *choices] if default_label is not None else choices


def check_language(
    value: str, *, field: str, where: str, allow_empty: bool
) -> tuple[str, Problem | None]:
    """The posted language code, cleaned, and the problem with it if it is not one we speak."""
    code = value.strip()
    if (allow_empty and code == "") or code in LANGUAGES:
        return code, None
    listed = ", ".join(LANGUAGES)
    message = gettext(
        "“%(code)s” is not a language Tandem speaks; choose one of %(languages)s",
        code=code[:20],
        languages=listed,
    )
    return code, Problem(where, message, field)
