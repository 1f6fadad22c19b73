"""The language core: negotiation, the per-context language, locale formats, Jinja's ``_()``."""

from __future__ import annotations

from datetime import date

import pytest
from jinja2 import Environment

from app.core import i18n


def test_accept_language_picks_the_best_language_we_speak() -> None:
    assert i18n.negotiate("de-AT,de;q=0.9,en;q=0.8") == "de"
    assert i18n.negotiate("ja, fr-CA;q=0.7, en;q=0.5") == "fr"
    assert i18n.negotiate("ja, zh;q=0.5") is None
    assert i18n.negotiate("es;q=0, en;q=0.1") == "en"
    assert i18n.negotiate("") is None
    assert i18n.negotiate("fr;q=abc, es") == "es"


def test_languages_normalise_and_unknown_ones_fall_back_to_the_source() -> None:
    assert i18n.normalise_language("DE_ch") == "de"
    assert i18n.normalise_language("pt-BR") is None
    with i18n.use_locale("pt") as chosen:
        assert chosen == "en" == i18n.current_language()
    with i18n.use_locale("fr"):
        assert i18n.current_language() == "fr"
    assert i18n.current_language() == "en"


def test_dates_numbers_and_lists_follow_the_reader() -> None:
    day = date(2026, 12, 3)
    with i18n.use_locale("de"):
        assert i18n.format_date(day, "short") == "03.12.26"
        assert i18n.format_list(["A", "B", "C"]) == "A, B und C"
        assert i18n.format_number(1234.5) == "1.234,5"
    with i18n.use_locale("fr"):
        assert i18n.format_date(day, "long") == "3 décembre 2026"
    with i18n.use_locale("en"):
        assert i18n.format_list(["A", "B", "C"]) == "A, B, and C"


def test_templates_escape_translations_and_fill_placeholders() -> None:
    env = Environment(autoescape=True)
    i18n.install_i18n(env)
    page = env.from_string(
        "{{ _('Hello %(name)s', name=who) }} {{ ngettext('%(num)d pair', '%(num)d pairs', n) }}"
    )
    assert page.render(who="<b>", n=2) == "Hello &lt;b&gt; 2 pairs"


def test_templates_tell_same_words_apart_by_context(monkeypatch: pytest.MonkeyPatch) -> None:
    from babel.support import Translations

    catalog = Translations()
    catalog._catalog = {"state\x04Open": "Offen", "verb\x04Open": "Öffnen"}  # type: ignore[attr-defined]
    monkeypatch.setattr(i18n, "translations", lambda language: catalog)
    env = Environment(autoescape=True)
    i18n.install_i18n(env)
    page = env.from_string('{{ pgettext("state", "Open") }} / {{ pgettext("verb", "Open") }}')
    with i18n.use_locale("de"):
        assert page.render() == "Offen / Öffnen"


def test_dates_stored_as_text_read_in_the_readers_format_and_other_text_stays() -> None:
    with i18n.use_locale("de"):
        assert i18n.format_iso_date("2027-03-01") == "1. März 2027"
    with i18n.use_locale("es"):
        assert i18n.format_iso_date("2027-03-01", "medium") == "1 mar 2027"
    assert i18n.format_iso_date("next spring") == "next spring"
