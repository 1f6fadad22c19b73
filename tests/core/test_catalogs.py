"""The catalog check: a missing, fuzzy or broken translation is refused with file:line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from tools.check_catalogs import ROOT, check_catalogs, check_po, fresh_sources, main, placeholders

HEADER = """\
msgid ""
msgstr ""
"Language: {lang}\\n"
"Plural-Forms: {plural}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

"""
PLURALS = {
    "de": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
}
GOOD_DE = """\
#, python-format
msgid "Hello %(name)s"
msgstr "Hallo %(name)s"

#, python-format
msgid "%(num)s person"
msgid_plural "%(num)s people"
msgstr[0] "eine Person"
msgstr[1] "%(num)s Personen"

msgid "Row {row}: {field} is empty"
msgstr "Zeile {row}: {field} ist leer"
"""


def write_po(tmp_path: Path, body: str, lang: str = "de") -> Path:
    path = tmp_path / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(lang=lang, plural=PLURALS[lang]) + body, encoding="utf-8")
    return path


def lines_of(findings: list[object]) -> list[str]:
    return [str(f) for f in findings]


def test_placeholders_in_all_three_styles() -> None:
    assert placeholders("%(name)s has %d of %s, 100%% {row} {0:>3} {{literal}}") == {
        "%(name)s": 1,
        "%d": 1,
        "%s": 1,
        "{row}": 1,
        "{0}": 1,
    }


def test_a_complete_catalog_passes(tmp_path: Path) -> None:
    path = write_po(tmp_path, GOOD_DE)

    assert check_po(path) == []


def test_a_missing_translation_names_file_and_line(tmp_path: Path) -> None:
    path = write_po(tmp_path, GOOD_DE + '\nmsgid "Save"\nmsgstr ""\n')

    assert lines_of(check_po(path)) == [f"{path}:20: 'Save': no translation"]


def test_a_plural_with_an_empty_form_is_missing(tmp_path: Path) -> None:
    body = '#, python-format\nmsgid "%(num)s day"\nmsgid_plural "%(num)s days"\n'
    body += 'msgstr[0] "%(num)s Tag"\nmsgstr[1] ""\n'
    path = write_po(tmp_path, body)

    assert lines_of(check_po(path)) == [
        f"{path}:8: '%(num)s day': plural form 1 missing (de has 2 forms: msgstr[0] to msgstr[1])"
    ]


def test_a_fuzzy_entry_names_file_and_line(tmp_path: Path) -> None:
    path = write_po(tmp_path, '#, fuzzy\nmsgid "Save"\nmsgstr "Sichern"\n')

    assert lines_of(check_po(path)) == [f"{path}:8: 'Save': fuzzy"]


def test_a_broken_placeholder_names_file_and_line(tmp_path: Path) -> None:
    path = write_po(tmp_path, '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hallo %(nom)s"\n')

    found = lines_of(check_po(path))

    assert found[0] == (
        f"{path}:8: 'Hello %(name)s': the translation's placeholders (%(nom)s) "
        "differ from the source's (%(name)s)"
    )
    assert all(line.startswith(f"{path}:8: ") for line in found)


def test_a_dropped_placeholder_is_refused_too(tmp_path: Path) -> None:
    body = 'msgid "Row {row}: {field} is empty"\nmsgstr "Zeile {row} ist leer"\n'
    path = write_po(tmp_path, body)

    assert lines_of(check_po(path)) == [
        f"{path}:7: 'Row {{row}}: {{field}} is empty': the translation's placeholders "
        "({row}) differ from the source's ({field}, {row})"
    ]


def test_a_plural_form_with_a_wrong_placeholder_is_refused(tmp_path: Path) -> None:
    body = '#, python-format\nmsgid "%(num)s in %(team)s"\nmsgid_plural "%(num)s in %(team)s"\n'
    body += 'msgstr[0] "%(num)s in %(team)s"\nmsgstr[1] "%(num)s im %(group)s"\n'
    path = write_po(tmp_path, body)

    found = lines_of(check_po(path))

    assert found[0] == (
        f"{path}:8: '%(num)s in %(team)s': plural form 1's placeholders "
        "(%(group)s, %(num)s) differ from the source's (%(num)s, %(team)s)"
    )


def test_a_wrong_number_of_plural_forms_is_refused(tmp_path: Path) -> None:
    body = '#, python-format\nmsgid "%(num)s day"\nmsgid_plural "%(num)s days"\n'
    body += 'msgstr[0] "%(num)s jour"\nmsgstr[1] "%(num)s jours"\n'
    path = write_po(tmp_path, body, lang="fr")

    found = lines_of(check_po(path))

    assert found == [
        f"{path}:8: '%(num)s day': plural form 2 missing (fr has 3 forms: msgstr[0] to msgstr[2])"
    ]


def test_more_plural_forms_than_the_language_has_is_refused(tmp_path: Path) -> None:
    body = '#, python-format\nmsgid "%(num)s day"\nmsgid_plural "%(num)s days"\n'
    body += 'msgstr[0] "%(num)s Tag"\nmsgstr[1] "%(num)s Tage"\nmsgstr[2] "%(num)s Tage"\n'
    path = write_po(tmp_path, body)

    assert lines_of(check_po(path)) == [f"{path}:8: more plural forms than the header's 2"]


def test_a_header_with_the_wrong_plural_count_is_refused(tmp_path: Path) -> None:
    path = write_po(tmp_path, 'msgid "Save"\nmsgstr "Sichern"\n')
    path.write_text(
        path.read_text(encoding="utf-8").replace("nplurals=2; plural=(n != 1);", "nplurals=1;"),
        encoding="utf-8",
    )

    assert f"{path}:1: the header says 1 plural forms; de has 2" in lines_of(check_po(path))


def test_a_catalog_behind_the_sources_is_refused(tmp_path: Path) -> None:
    path = write_po(tmp_path, GOOD_DE)
    sources = Catalog()
    sources.add("Hello %(name)s")
    sources.add(("%(num)s person", "%(num)s people"))
    sources.add("Sign in")

    found = lines_of(check_po(path, sources=sources))

    assert found == [
        f"{path}:1: not up to date with the sources: 'Sign in' is missing (run make i18n-extract)",
        f"{path}:17: 'Row {{row}}: {{field}} is empty': no longer in the sources "
        "(run make i18n-extract)",
    ]


def test_main_exits_non_zero_and_prints_file_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_po(tmp_path, '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hallo %s"\n')

    assert main(["--compile", "--locale-dir", str(tmp_path)]) == 1

    assert f"{path}:8: 'Hello %(name)s'" in capsys.readouterr().err


def test_compile_mode_counts_missing_entries_but_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_po(tmp_path, GOOD_DE + '\nmsgid "Save"\nmsgstr ""\n')

    assert main(["--compile", "--locale-dir", str(tmp_path)]) == 0

    assert capsys.readouterr().err.startswith("1 entries untranslated or fuzzy")


@pytest.mark.slow
def test_make_compile_refuses_a_broken_placeholder_and_keeps_the_old_mo(tmp_path: Path) -> None:
    good = write_po(tmp_path, GOOD_DE)
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    make = ["make", "--no-print-directory", "-C", str(ROOT), f"UV={uv}", f"LOCALE_DIR={tmp_path}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    subprocess.run([*make, "i18n-compile"], check=True, capture_output=True, env=env)
    mo = good.with_suffix(".mo")
    before = mo.read_bytes()
    good.write_text(
        good.read_text(encoding="utf-8").replace('"Hallo %(name)s"', '"Hallo %(nom)s"'),
        encoding="utf-8",
    )

    run = subprocess.run([*make, "i18n-compile"], capture_output=True, text=True, env=env)

    assert run.returncode != 0
    assert f"{good}:8: 'Hello %(name)s': the translation's placeholders" in run.stderr
    assert mo.read_bytes() == before


def test_the_shipped_catalogs_are_complete_and_up_to_date() -> None:
    # Fails until every string is translated (the translators' work): that is the point.
    findings = check_catalogs(sources=fresh_sources())

    assert lines_of(findings) == []
