"""``tandem accounts`` and ``tandem cohort team``: the same rules as the admin page and the API."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import app
from app.cli._common import engine
from app.models import AuditEvent
from app.services import accounts

runner = CliRunner()
PASSWORD = "a-long-password"


def _accounts() -> list[tuple[str, bool, str]]:
    listed = runner.invoke(app, ["accounts", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    return [(r["email"], r["admin"], r["state"]) for r in json.loads(listed.stdout)]


def _team(cohort: str) -> list[tuple[str, str]]:
    listed = runner.invoke(app, ["cohort", "team", "list", cohort, "--json"])
    assert listed.exit_code == 0, listed.output
    return [(r["email"], r["role"]) for r in json.loads(listed.stdout)]


def test_invite_prints_a_link_that_sets_the_password_once(cli_env: None) -> None:
    result = runner.invoke(app, ["accounts", "invite", "Nia@example.com", "--name", "Nia"])

    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("http://127.0.0.1:8000/password/")
    assert "hand this link to nia@example.com" in result.output
    with Session(engine()) as s:
        user = accounts.set_password_with_link(
            s, token=link.rsplit("/", 1)[1], password="a brand new password"
        )
        s.commit()
        assert user.email == "nia@example.com"
    assert _accounts() == [("nia@example.com", False, "active")]


def test_deactivate_reactivate_and_reset(cli_env: None) -> None:
    runner.invoke(app, ["user", "create", "ada@example.com", "--admin"], input=f"{PASSWORD}\n")
    runner.invoke(app, ["user", "create", "fran@example.com"], input=f"{PASSWORD}\n")

    off = runner.invoke(app, ["accounts", "deactivate", "fran@example.com"])
    assert (off.exit_code, off.stdout.strip()) == (0, "deactivated fran@example.com")
    assert _accounts()[1] == ("fran@example.com", False, "deactivated")
    refused = runner.invoke(app, ["accounts", "reset", "fran@example.com"])
    assert refused.exit_code == 1
    assert "the account is deactivated; reactivate it first" in refused.output

    on = runner.invoke(app, ["accounts", "reactivate", "fran@example.com"])
    reset = runner.invoke(app, ["accounts", "reset", "fran@example.com"])

    assert (on.exit_code, on.stdout.strip()) == (0, "reactivated fran@example.com")
    assert reset.exit_code == 0
    assert "/password/" in reset.stdout
    assert _accounts() == [
        ("ada@example.com", True, "active"),
        ("fran@example.com", False, "invited"),
    ]
    with Session(engine()) as s:
        actions = s.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).startswith("facilitator."))
        ).all()
    assert list(actions)[-3:] == [
        "facilitator.deactivate",
        "facilitator.reactivate",
        "facilitator.reset",
    ]


def test_the_last_admin_stays_and_unknown_accounts_are_named(cli_env: None) -> None:
    runner.invoke(app, ["user", "create", "ada@example.com", "--admin"], input=f"{PASSWORD}\n")

    last = runner.invoke(app, ["accounts", "deactivate", "ada@example.com"])
    unknown = runner.invoke(app, ["accounts", "deactivate", "nobody@example.com"])

    assert last.exit_code == 1
    assert "this is the last active admin; make another admin first" in last.output
    assert (unknown.exit_code, unknown.output.strip()) == (1, "error: no such facilitator")


def test_cohort_team_add_role_remove_and_list(cli_env: None) -> None:
    runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01"])
    for email in ("lea@example.com", "cole@example.com"):
        runner.invoke(app, ["user", "create", email], input=f"{PASSWORD}\n")

    lead = runner.invoke(
        app, ["cohort", "team", "add", "spring", "lea@example.com", "--role", "lead"]
    )
    co = runner.invoke(app, ["cohort", "team", "add", "spring", "cole@example.com"])

    assert (lead.exit_code, lead.stdout.strip()) == (0, "lea@example.com joined spring")
    assert co.exit_code == 0
    assert _team("spring") == [("lea@example.com", "lead"), ("cole@example.com", "co-facilitator")]
    demote = runner.invoke(
        app, ["cohort", "team", "role", "spring", "lea@example.com", "co-facilitator"]
    )
    assert demote.exit_code == 1
    assert "a cohort keeps at least one lead" in demote.output
    promote = runner.invoke(app, ["cohort", "team", "role", "spring", "cole@example.com", "lead"])
    assert (promote.exit_code, promote.stdout.strip()) == (0, "cole@example.com is now lead")
    removed = runner.invoke(app, ["cohort", "team", "remove", "spring", "lea@example.com"])
    assert (removed.exit_code, removed.stdout.strip()) == (0, "lea@example.com left spring")
    assert _team("spring") == [("cole@example.com", "lead")]


def test_cohort_team_refuses_a_bad_role_and_changes_nothing(cli_env: None) -> None:
    runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01"])
    runner.invoke(app, ["user", "create", "lea@example.com"], input=f"{PASSWORD}\n")

    result = runner.invoke(
        app, ["cohort", "team", "add", "spring", "lea@example.com", "--role", "boss"]
    )

    assert result.exit_code == 1
    assert result.output.strip() == "role: must be lead or co-facilitator"
    assert _team("spring") == []
