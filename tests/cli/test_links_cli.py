"""``tandem links issue|revoke|sheet``: the same links as the facilitator's page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app
from app.cli._common import engine
from app.models import AuditEvent, OutboxMessage, SignInLink

runner = CliRunner()
ROSTER = "Name,Email\nAna Silva,ana@x.com\nBen Okoro,ben@x.com\n"


@pytest.fixture
def cohort(cli_env: None, tmp_path: Path) -> str:
    runner.invoke(app, ["cohort", "create", "Link Run", "--start", "2027-03-01"])
    roster_file = tmp_path / "r.csv"
    roster_file.write_text(ROSTER)
    assert runner.invoke(app, ["roster", "import", "link-run", str(roster_file)]).exit_code == 0
    return "link-run"


def _rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


def test_issue_prints_new_links_as_csv_for_the_chosen_people(cohort: str) -> None:
    result = runner.invoke(
        app, ["links", "issue", cohort, "--email", "BEN@x.com", "--next", "/p/plan", "--days", "3"]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert [r[:2] for r in rows] == [["name", "email"], ["Ben Okoro", "ben@x.com"]]
    assert rows[1][2].startswith("http://127.0.0.1:8000/link/")
    with Session(engine()) as s:
        link = s.exec(select(SignInLink)).one()
    assert (link.next_path, (link.expires_at - link.issued_at).days) == ("/p/plan", 3)


def test_issue_refuses_an_unknown_address_or_page_and_issues_nothing(cohort: str) -> None:
    unknown = runner.invoke(app, ["links", "issue", cohort, "--email", "zoe@x.com"])
    assert unknown.exit_code == 1
    assert "zoe@x.com: not a participant of this cohort" in unknown.output
    outside = runner.invoke(app, ["links", "issue", cohort, "--next", "https://evil.example"])
    assert outside.exit_code == 1
    assert "not an allowed page: https://evil.example" in outside.output
    with Session(engine()) as s:
        assert s.exec(select(SignInLink)).all() == []


def test_revoke_stops_a_participants_links(cohort: str) -> None:
    runner.invoke(app, ["links", "issue", cohort])
    result = runner.invoke(app, ["links", "revoke", cohort, "ana@x.com"])
    assert (result.exit_code, result.output) == (0, "1 link stopped for ana@x.com\n")
    with Session(engine()) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "link.revoke")).one()
    assert event.actor == "cli"


def test_sheet_writes_csv_or_pdf_and_refuses_another_suffix(cohort: str, tmp_path: Path) -> None:
    as_csv = runner.invoke(app, ["links", "sheet", cohort, "--out", str(tmp_path / "l.csv")])
    assert (as_csv.exit_code, as_csv.output) == (0, f"2 links written to {tmp_path / 'l.csv'}\n")
    rows = _rows((tmp_path / "l.csv").read_text("utf-8-sig"))
    assert [r[0] for r in rows] == ["name", "Ana Silva", "Ben Okoro"]
    as_pdf = runner.invoke(app, ["links", "sheet", cohort, "--out", str(tmp_path / "l.pdf")])
    assert as_pdf.exit_code == 0, as_pdf.output
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "l.pdf").pages)
    assert "Ana Silva" in text
    assert "Ben Okoro" in text
    other = runner.invoke(app, ["links", "sheet", cohort, "--out", str(tmp_path / "l.txt")])
    assert (other.exit_code, other.output) == (1, "error: --out must end in .csv or .pdf\n")
    with Session(engine()) as s:
        live = s.exec(select(SignInLink).where(SignInLink.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    assert len(live) == 2


def test_invite_queues_an_invitation_with_a_fresh_link_each(cohort: str) -> None:
    result = runner.invoke(app, ["links", "invite", cohort, "--email", "ana@x.com"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "1 invitation queued (tandem mail send, or a running server, sends it)\n"
    )
    with Session(engine()) as s:
        [row] = s.exec(select(OutboxMessage)).all()
        link = s.exec(select(SignInLink)).one()
    assert (row.kind, row.to_address, row.state) == ("invitation", "ana@x.com", "queued")
    assert link.sent_at is not None
    everyone = runner.invoke(app, ["links", "invite", cohort])
    assert everyone.output.startswith("2 invitations queued")
