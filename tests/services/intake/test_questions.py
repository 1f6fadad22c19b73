"""The intake questions are data: the shipped form loads in every language, and a file with
any problem is refused whole with each problem at its file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import InvalidInput
from app.services.intake import DEFAULT_FORM, load_intake_form, localized_form
from app.services.library import TRANSLATED_LANGUAGES

GOOD = """\
id: short
version: 1
title: Before we start
intro: Three questions.
questions:
  - id: offer
    type: offers
    text: What can you offer?
    max_choices: 3
  - id: learn
    type: wants
    text: What do you want to learn?
    note: In your words
  - id: apart
    type: avoid
    text: Anyone you would rather not pair with?
translations:
  de:
    title: Bevor wir anfangen
    questions:
      learn:
        text: Was möchten Sie lernen?
"""


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_intake_form(path)
    return [f"{p.where.rsplit('/', 1)[-1]} {p.message}" for p in caught.value.problems]


def test_the_shipped_form_loads_and_is_translated_into_every_language() -> None:
    form = load_intake_form(DEFAULT_FORM)
    assert [q.type for q in form.questions] == ["offers", "wants", "languages", "avoid"]
    for language in TRANSLATED_LANGUAGES:
        shown = localized_form(form, language)
        for source, translated in zip(form.questions, shown.questions, strict=True):
            assert translated.text != source.text, (language, source.id)
            assert (translated.help is None) == (source.help is None)
            assert translated.help != source.help or source.help is None, (language, source.id)


def test_a_good_file_loads_and_falls_back_to_the_source_where_untranslated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(GOOD, encoding="utf-8")
    form = load_intake_form(path)
    german = localized_form(form, "de-CH")
    assert (german.title, german.intro) == ("Bevor wir anfangen", "Three questions.")
    assert [q.text for q in german.questions] == [
        "What can you offer?",
        "Was möchten Sie lernen?",
        "Anyone you would rather not pair with?",
    ]
    assert german.questions[1].note == "In your words"
    assert form.question("avoid") is not None
    assert form.question("languages") is None


def test_every_rule_break_is_reported_at_its_line_and_nothing_loads(tmp_path: Path) -> None:
    text = GOOD.replace("type: avoid", "type: offers")
    text = text.replace("  - id: learn\n", "  - id: offer\n")
    text = text.replace("      learn:\n", "      lern:\n")
    assert _problems(tmp_path, text) == [
        "form.yaml:10:9 field 'questions[2].id': question id 'offer' is already used by"
        " questions[1]",
        "form.yaml:15:11 field 'questions[3].type': a form asks one offers question;"
        " questions[1] already does",
        "form.yaml:21:7 field 'translations.de.questions.lern': no question 'lern' in this form",
    ]


def test_an_unknown_field_points_at_its_key(tmp_path: Path) -> None:
    text = GOOD.replace("    max_choices: 3\n", "    max_choices: 3\n    colour: red\n")
    assert _problems(tmp_path, text) == ["form.yaml:10:5 unknown field 'colour' in questions[1]"]


def test_wrong_values_name_what_is_expected(tmp_path: Path) -> None:
    text = GOOD.replace("type: wants", "type: want").replace("max_choices: 3", "max_choices: 0")
    assert _problems(tmp_path, text) == [
        "form.yaml:9:18 field 'questions[1].max_choices': must be a whole number between 1"
        " and 20 (got 0)",
        "form.yaml:11:11 field 'questions[2].type': must be one of: offers, wants, languages,"
        " avoid, text (got 'want'; did you mean 'wants'?)",
    ]


def test_structure_rules_translations_last_and_no_note_on_free_text(tmp_path: Path) -> None:
    text = GOOD.replace("type: avoid", "type: text\n    note: More?") + "version: 2\n"
    text = text.replace("version: 1\n", "")
    assert _problems(tmp_path, text) == [
        "form.yaml:15:11 field 'questions[3].note': only choice questions take note, not text",
        "form.yaml:17:1 field 'translations': must be the last field of the file"
        " ('version' comes after it)",
    ]


def test_unsafe_yaml_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    text = GOOD.replace("title: Before we start", "title: &t Before we start")
    assert _problems(tmp_path, text) == [
        "form.yaml:3:8 YAML anchors (&t) are not allowed: write each value out in full"
    ]


def test_an_unknown_language_is_refused_with_a_hint(tmp_path: Path) -> None:
    text = GOOD.replace("  de:\n", "  de-CH:\n")
    assert _problems(tmp_path, text) == [
        "form.yaml:18:3 field 'translations.de-CH': unknown language 'de-CH': translations are"
        " for de, fr, es (did you mean 'de'?)",
    ]
