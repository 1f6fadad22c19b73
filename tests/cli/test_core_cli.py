"""The tandem command: users, cohorts, rosters, migrations, demo seeding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.core.config import get_settings

runner = CliRunner()


def test_user_create_reads_password_from_stdin(cli_env: None) -> None:
    result = runner.invoke(
        app, ["user", "create", "lee@example.com", "--admin"], input="a-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created admin lee@example.com"
    again = runner.invoke(app, ["user", "create", "lee@example.com"], input="a-long-password\n")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_user_create_refuses_a_short_password(cli_env: None) -> None:
    result = runner.invoke(app, ["user", "create", "lee@example.com"], input="short\n")
    assert result.exit_code == 1
    assert "password: must be at least 10 characters" in result.output


def test_cohort_create_prints_slug_and_list_shows_it(cli_env: None) -> None:
    created = runner.invoke(
        app, ["cohort", "create", "Spring Intensive 2027", "--start", "2027-03-01", "--days", "4"]
    )
    assert created.exit_code == 0, created.output
    assert created.output.strip() == "spring-intensive-2027"
    listed = runner.invoke(app, ["cohort", "list", "--json"])
    assert [c["slug"] for c in json.loads(listed.output)] == ["spring-intensive-2027"]


def test_cohort_create_rejects_a_bad_date(cli_env: None) -> None:
    result = runner.invoke(app, ["cohort", "create", "X", "--start", "01/03/2027"])
    assert result.exit_code == 1
    assert "--start: '01/03/2027' is not a date like 2026-03-02" in result.output


def test_roster_import_reports_each_problem_on_its_own_line(cli_env: None, tmp_path: Path) -> None:
    runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01"])
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Email\nAna,\nBen,not-an-email\n")
    result = runner.invoke(app, ["roster", "import", "spring", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "row 2, column Email: e-mail is missing",
        "row 3, column Email: 'not-an-email' is not a valid e-mail address",
    ]


def test_roster_import_with_mapping_dry_run_and_export(cli_env: None, tmp_path: Path) -> None:
    runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01"])
    good = tmp_path / "hr.csv"
    good.write_text("Name,Email,Dept Code\nAna Silva,ana@example.com,FIN\n")
    dry = runner.invoke(
        app, ["roster", "import", "spring", str(good), "--dry-run", "--map", "Dept Code=function"]
    )
    assert dry.exit_code == 0, dry.output
    assert "would change 1 added" in dry.output
    assert runner.invoke(app, ["roster", "export", "spring"]).output.count("@") == 0
    runner.invoke(app, ["roster", "import", "spring", str(good), "--map", "Dept Code=function"])
    exported = runner.invoke(app, ["roster", "export", "spring"]).output
    assert "ana@example.com" in exported
    assert "FIN" in exported


def test_roster_import_of_unknown_cohort_fails_cleanly(cli_env: None, tmp_path: Path) -> None:
    f = tmp_path / "hr.csv"
    f.write_text("Name,Email\nAna,ana@example.com\n")
    result = runner.invoke(app, ["roster", "import", "nope", str(f)])
    assert result.exit_code == 1
    assert result.output.strip() == "error: no such cohort"


def test_demo_seeds_once(cli_env: None) -> None:
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "seeded a demo cohort" in first.output
    second = runner.invoke(app, ["demo", "--no-serve"])
    assert "demo already seeded" in second.output
    listed = json.loads(runner.invoke(app, ["cohort", "list", "--json"]).output)
    assert [c["participants"] for c in listed] == [26]


def test_demo_names_the_address_it_serves_on_for_cards_and_tablets(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TANDEM_BASE_URL", raising=False)
    shown = runner.invoke(app, ["demo", "--no-serve", "--port", "8765"])
    assert shown.exit_code == 0, shown.output
    assert "Tablets join at:  http://127.0.0.1:8765/join" in shown.output
    assert f"Mail folder:      {get_settings().mail_folder}" in shown.output
    assert get_settings().base_url == "http://127.0.0.1:8765"


def test_exercise_updates_and_adopt_for_a_cohort(cli_env: None) -> None:
    runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01"])
    assert runner.invoke(app, ["agenda", "build", "spring"]).exit_code == 0
    listed = runner.invoke(app, ["exercises", "updates", "spring"])
    assert listed.output.strip() == "the cohort runs the library's current versions"
    adopted = runner.invoke(app, ["exercises", "adopt", "spring", "buddy-agreement"])
    assert adopted.output.strip() == "adopted: nothing (already current)"
    unknown = runner.invoke(app, ["exercises", "adopt", "nope", "buddy-agreement"])
    assert unknown.exit_code == 1
