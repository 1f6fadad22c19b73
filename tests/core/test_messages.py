"""Stored messages: kept as id + values, read in each reader's language."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from jinja2 import Environment
from sqlalchemy import create_engine

from app.core.i18n import use_locale
from app.core.messages import Message, MessageList, listing, number
from tests.i18n_catalogs import install

GERMAN = {
    "Different functions: %(functions)s": "Unterschiedliche Funktionen: %(functions)s",
    "%(years)s years in the company": "%(years)s Jahre im Unternehmen",
    "a former participant": "eine frühere Teilnehmerin",
    "%(name)s brings %(tags)s": "%(name)s bringt %(tags)s mit",
}
FRENCH = {"Different functions: %(functions)s": "Fonctions différentes : %(functions)s"}


@pytest.fixture
def catalogs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install(monkeypatch, tmp_path, {"de": GERMAN, "fr": FRENCH})


def test_message_reads_in_the_language_of_whoever_shows_it(catalogs: None) -> None:
    reason = Message(
        "Different functions: %(functions)s", functions=listing(["Finance", "Operations"])
    )

    assert reason == "Different functions: Finance and Operations"
    with use_locale("de"):
        assert str(reason) == "Unterschiedliche Funktionen: Finance und Operations"
        assert f"{reason}" == "Unterschiedliche Funktionen: Finance und Operations"
    with use_locale("fr"):
        assert str(reason) == "Fonctions différentes : Finance et Operations"
    with use_locale("es"):
        assert str(reason) == "Different functions: Finance y Operations"


def test_message_numbers_follow_the_reader_locale(catalogs: None) -> None:
    reason = Message(
        "%(years)s years in the company", years=listing([number(13.94, "#,##0.0"), number(3)])
    )

    assert reason == "13.9 and 3 years in the company"
    with use_locale("de"):
        assert str(reason) == "13,9 und 3 Jahre im Unternehmen"


def test_message_in_a_template_is_translated_and_escaped(catalogs: None) -> None:
    env = Environment(autoescape=True)
    reason = Message("%(name)s brings %(tags)s", name="<b>Ana</b>", tags=listing(["M&A"]))

    with use_locale("de"):
        html = env.from_string("{{ r }}").render(r=reason)

    assert html == "&lt;b&gt;Ana&lt;/b&gt; bringt M&amp;A mit"


def test_message_survives_storage_and_pickling(catalogs: None) -> None:
    engine = create_engine("sqlite://")
    column = MessageList()
    reason = Message("%(name)s brings %(tags)s", name="Ana", tags=listing(["audit", "M&A"]))
    stored = column.process_bind_param([reason, "Written before messages"], engine.dialect)

    assert stored == [
        {"msgid": "%(name)s brings %(tags)s", "args": {"name": "Ana", "tags": reason.args["tags"]}},
        "Written before messages",
    ]
    read = column.process_result_value(stored, engine.dialect)
    assert read == ["Ana brings audit and M&A", "Written before messages"]
    assert isinstance(read[0], Message)
    with use_locale("de"):
        assert str(read[0]) == "Ana bringt audit und M&A mit"
        copied = pickle.loads(pickle.dumps(reason))  # noqa: S301 (our own bytes)
        assert str(copied) == "Ana bringt audit und M&A mit"


def test_nested_message_opening_a_sentence_starts_it_in_capitals(catalogs: None) -> None:
    reason = Message(
        "%(name)s brings %(tags)s", name=Message("a former participant"), tags=listing(["audit"])
    )

    assert reason == "A former participant brings audit"
    with use_locale("de"):
        assert str(reason) == "Eine frühere Teilnehmerin bringt audit mit"


def test_message_with_a_broken_translation_reads_as_the_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(monkeypatch, tmp_path, {"de": {"Both in %(function)s": "Beide in %(funktion)s"}})
    reason = Message("Both in %(function)s", function="Finance")

    with use_locale("de"):
        assert str(reason) == "Both in Finance"
