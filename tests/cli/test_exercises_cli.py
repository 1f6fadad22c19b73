"""``tandem exercises validate`` and ``list``, driven through a Typer app as the CLI mounts it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli.exercises import app as exercises_app
from app.core.config import SHIPPED_LIBRARY, get_settings

CORPUS = Path(__file__).parents[1] / "data" / "library"
SHIPPED_COUNT = len(list(SHIPPED_LIBRARY.glob("*.yaml")))

root = typer.Typer()
root.add_typer(exercises_app, name="exercises")


@root.callback()
def _root() -> None:
    """Stand-in for the ``tandem`` command."""


runner = CliRunner()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_validate_shipped_library_prints_count() -> None:
    result = runner.invoke(root, ["exercises", "validate", str(SHIPPED_LIBRARY)])
    assert (result.exit_code, result.output) == (0, f"{SHIPPED_COUNT} exercises OK\n")


@pytest.mark.usefixtures("fresh_settings")
def test_validate_defaults_to_configured_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "our-own.yaml").write_text(
        "id: our-own\nversion: 1\ntitle: Ours\nsummary: An organisation's exercise.\n"
        "kind: solo\nphase: close\nminutes: 10\nsteps: [Go.]\n"
    )
    monkeypatch.setenv("TANDEM_LIBRARY_DIRS", json.dumps([str(tmp_path)]))
    result = runner.invoke(root, ["exercises", "validate"])
    assert (result.exit_code, result.output) == (0, f"{SHIPPED_COUNT + 1} exercises OK\n")


def test_validate_broken_files_lists_problems_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    result = runner.invoke(root, ["exercises", "validate", "alias-bomb", "cycle", "duplicate-key"])
    assert result.exit_code == 1
    assert result.output == (
        "alias-bomb/alias-bomb.yaml:2:4: YAML anchors (&a) are not allowed: "
        "write each value out in full\n"
        "cycle/cycle-a.yaml:8:9: field 'after[1]': exercises wait on each other in a cycle: "
        "cycle-a after cycle-b after cycle-c after cycle-a\n"
        "duplicate-key/duplicate-key.yaml:8:1: duplicate field 'minutes' (first given on line 7)\n"
        "exercise library has 3 problems\n"
    )


def test_validate_whole_corpus_never_shows_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    folders = sorted(str(path.relative_to(CORPUS)) for path in CORPUS.rglob("*") if path.is_dir())
    result = runner.invoke(root, ["exercises", "validate", *folders, "missing-folder"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"exercise library has {len(lines) - 1} problems"
    assert "missing-folder: no such file or folder" in lines


def test_list_prints_table_in_arc_order() -> None:
    result = runner.invoke(root, ["exercises", "list", str(SHIPPED_LIBRARY)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "kind", "phase", "day", "minutes", "title"]
    assert lines[1].split() == [
        "opening-circle",
        "plenary",
        "arrive",
        "1",
        "40",
        "Opening",
        "circle",
    ]
    assert lines[-1] == f"{SHIPPED_COUNT} exercises, 16 h 45 min"
    assert len(lines) == SHIPPED_COUNT + 2


def test_list_json_gives_objects() -> None:
    result = runner.invoke(root, ["exercises", "list", "--json", str(SHIPPED_LIBRARY)])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == SHIPPED_COUNT
    agreement = next(row for row in rows if row["id"] == "buddy-agreement")
    del agreement["content_hash"]
    assert agreement == {
        "id": "buddy-agreement",
        "version": 1,
        "kind": "pair",
        "phase": "arrive",
        "day": 1,
        "minutes": 45,
        "trio_minutes": 60,
        "title": "Our buddy agreement",
        "after": ["meet-your-buddy"],
    }


def test_list_broken_library_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    result = runner.invoke(root, ["exercises", "list", "--json", "empty"])
    assert (result.exit_code, result.output) == (
        1,
        "empty/empty.yaml:1:1: the file is empty: expected the fields of one exercise\n"
        "exercise library has 1 problem\n",
    )


def test_validate_a_4301_digit_number_names_its_line_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "our-own.yaml").write_text(
        "id: our-own\nversion: 1\ntitle: Ours\nsummary: An organisation's exercise.\n"
        f"kind: solo\nphase: close\nminutes: {'9' * 4301}\nsteps: [Go.]\n"
    )
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(root, ["exercises", "validate", "our-own.yaml"])

    assert (result.exit_code, result.output) == (
        1,
        "our-own.yaml:7:10: the number 999999999999… (4301 characters) is too large; "
        "numbers may be at most 1,000,000,000,000,000 (put it in quotes if it is meant as text)\n"
        "exercise library has 1 problem\n",
    )


def test_validate_lists_what_translations_lack_only_when_asked(tmp_path: Path) -> None:
    shipped = runner.invoke(root, ["exercises", "validate", "--translations", str(SHIPPED_LIBRARY)])
    assert (shipped.exit_code, shipped.output) == (
        0,
        f"{SHIPPED_COUNT} exercises OK\nevery exercise is complete in every language\n",
    )
    (tmp_path / "our-own.yaml").write_text(
        "id: our-own\nversion: 1\ntitle: Ours\nsummary: An organisation's exercise.\n"
        "kind: solo\nphase: close\nminutes: 10\nsteps: [Go.]\n"
        "translations:\n  de:\n    title: Unsere\n"
    )
    quiet = runner.invoke(root, ["exercises", "validate", str(tmp_path)])
    assert (quiet.exit_code, quiet.output) == (0, "1 exercise OK\n")
    listed = runner.invoke(root, ["exercises", "validate", "--translations", str(tmp_path)])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0] == "1 exercise OK"
    assert lines[1].startswith("our-own: de: missing summary, steps")
    assert [line.split(":")[1].strip() for line in lines[1:]] == ["de", "fr", "es"]
