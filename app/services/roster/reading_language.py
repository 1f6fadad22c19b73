"""The roster's ``language`` column: the language a participant reads Tandem in.

Not the ``languages`` they speak (those feed the matching): one language, written as HR files
write it, a code (``de``, ``de-DE``, ``fr_CH``, ``ger``) or a name in any of our languages
(Deutsch, German, Allemand, Alemán ...). Matching ignores case, accents and punctuation.
"""

from __future__ import annotations

import unicodedata

from app.core.i18n import LANGUAGE_NAMES, LANGUAGES, gettext

# fmt: off
_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "en", "eng", "english", "englisch", "anglais", "ingles", "inglese",
        "british english", "american english",
    ),
    "de": ("de", "deu", "ger", "german", "deutsch", "allemand", "aleman", "tedesco"),
    "fr": ("fr", "fra", "fre", "french", "francais", "franzosisch", "frances", "francese"),
    "es": (
        "es", "spa", "spanish", "espanol", "spanisch", "espagnol", "castellano", "castilian",
        "spagnolo",
    ),
}
# fmt: on


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


_INDEX = {_key(name): code for code, names in _NAMES.items() for name in names}


def parse_reading_language(text: str) -> str:
    """The language code (en, de, fr, es) for a cell; raise ValueError naming the choices."""
    value = " ".join(text.split())
    code = _INDEX.get(_key(value))
    if code is None:
        # A locale: "de-DE", "fr_CH", "es-419", "EN-gb".
        head, sep, _ = value.replace("_", "-").partition("-")
        if sep:
            code = _INDEX.get(_key(head))
            code = code if code is not None and len(_key(head)) <= 3 else None
    if code is None:
        names = ", ".join(LANGUAGE_NAMES[c] for c in LANGUAGES)
        codes = ", ".join(LANGUAGES)
        raise ValueError(
            gettext(
                "unknown language '%(value)s': Tandem is available in %(names)s (codes %(codes)s)",
                value=value,
                names=names,
                codes=codes,
            )
        )
    return code
