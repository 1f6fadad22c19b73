"""``tandem intake``: the questions are checked with file:line, the status says who answered
(never what), and reminders are queued once a day."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def test_validate_accepts_the_shipped_form_and_refuses_a_broken_one(tmp_path: Path) -> None:
    good = runner.invoke(app, ["intake", "validate"])
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nversion: 1\ntitle: T\nintro: I\nquestions: []\n", encoding="utf-8")
    bad = runner.invoke(app, ["intake", "validate", str(broken)])
    assert (good.exit_code, good.output) == (0, "default: 4 questions, valid\n")
    assert bad.exit_code == 1
    assert "broken.yaml:5:12: field 'questions': must be a list of 1 to 12 questions" in bad.output


def test_status_and_remind_for_the_demo_cohort(cli_env: None) -> None:
    runner.invoke(app, ["demo", "--no-serve"])
    slug = json.loads(runner.invoke(app, ["cohort", "list", "--json"]).output)[0]["slug"]
    status = json.loads(runner.invoke(app, ["intake", "status", slug, "--json"]).output)
    assert status["open"] is True
    assert {p["submitted_at"] for p in status["participants"]} == {None}
    count = len(status["participants"])
    first = runner.invoke(app, ["intake", "remind", slug])
    again = runner.invoke(app, ["intake", "remind", slug])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == (
        f"{count} reminders queued (tandem mail send sends them now)"
    )
    assert again.output.splitlines() == [
        "0 reminders queued (tandem mail send sends them now)",
        f"{count} people were already reminded today",
    ]
    text = runner.invoke(app, ["intake", "status", slug])
    assert text.output.splitlines()[-1] == f"0 of {count} have answered"
