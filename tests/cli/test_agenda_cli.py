"""``tandem agenda build`` and ``ics`` on a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.cli._common import engine
from app.core.config import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TANDEM_DATABASE_URL", db_url)
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    engine.cache_clear()
    runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01", "--days", "4"])
    yield
    engine().dispose()
    engine.cache_clear()
    get_settings.cache_clear()


def test_agenda_build_prints_each_day(cli_env: None) -> None:
    result = runner.invoke(app, ["agenda", "build", "spring"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        "Day 1 · Mon 01 Mar 2027 · 09:00-17:30",
        "  09:00-09:40  Opening circle",
        "  09:40-10:20  Meet your learning buddy",
    ]
    assert sum(line.startswith("Day ") for line in lines) == 4


def test_agenda_build_json_lists_entries(cli_env: None) -> None:
    result = runner.invoke(app, ["agenda", "build", "spring", "--json"])
    data = json.loads(result.output)
    assert (data["status"], data["conflicts"]) == ("optimal", [])
    assert data["days"][3]["entries"][-1]["title"] == "Coffee break"


def test_agenda_build_infeasible_exits_1_with_one_line_per_problem(cli_env: None) -> None:
    runner.invoke(app, ["cohort", "create", "Short", "--start", "2027-03-01", "--days", "1"])
    result = runner.invoke(app, ["agenda", "build", "short"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "agenda: the selected exercises need 16 h 45 min; the day gives 7 h",
    ]


def test_agenda_ics_writes_the_file(cli_env: None, tmp_path: Path) -> None:
    runner.invoke(app, ["agenda", "build", "spring"])
    out = tmp_path / "spring.ics"
    result = runner.invoke(app, ["agenda", "ics", "spring", "--out", str(out)])
    assert (result.exit_code, result.output) == (0, f"wrote {out}\n")
    assert out.read_bytes().count(b"BEGIN:VEVENT") == 41
    missing = runner.invoke(app, ["agenda", "ics", "nope", "--out", str(out)])
    assert missing.exit_code == 1
