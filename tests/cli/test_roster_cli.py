"""``tandem roster import``: date format, encoding and warnings asked for on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def _cohort() -> None:
    assert (
        runner.invoke(app, ["cohort", "create", "Spring", "--start", "2027-03-01"]).exit_code == 0
    )


def test_ambiguous_dates_need_date_format(cli_env: None, tmp_path: Path) -> None:
    _cohort()
    f = tmp_path / "hr.csv"
    f.write_text("Name,Email,Hire Date\nAna Silva,ana@example.com,11/03/2016\n")
    refused = runner.invoke(app, ["roster", "import", "spring", str(f)])
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        "row 2, column Hire Date: \u201c11/03/2016\u201d can be 11 March 2016 (day first) or "
        "3 November 2016 (month first); choose the file's date format",
        "choose with --date-format dd/mm/yyyy or --date-format mm/dd/yyyy",
    ]
    done = runner.invoke(app, ["roster", "import", "spring", str(f), "--date-format", "dd/mm/yyyy"])
    assert done.exit_code == 0, done.output
    assert "Dates are read day/month/year, as you chose." in done.output
    again = runner.invoke(app, ["roster", "import", "spring", str(f), "--dry-run"])
    assert again.output.splitlines()[0] == (
        "hr.csv: would change 0 added, 0 updated, 0 removed, 1 unchanged"
    )


def test_invalid_utf8_needs_encoding(cli_env: None, tmp_path: Path) -> None:
    _cohort()
    f = tmp_path / "hr.csv"
    f.write_bytes("Name,Email\nJürgen,j@example.com\n".encode() + b"Jos\xe9,jose@example.com\n")
    refused = runner.invoke(app, ["roster", "import", "spring", str(f)])
    assert refused.exit_code == 1
    assert refused.output.splitlines()[1:] == [
        "row 3, column Name: \u201cJos\ufffd\u201d holds bytes that are not valid UTF-8 (Unicode)",
        "choose with --encoding, one of: utf-8, cp1252, cp1250, cp1251, cp1254, mac_roman, utf-16",
    ]
    done = runner.invoke(app, ["roster", "import", "spring", str(f), "--encoding", "cp1252"])
    assert done.exit_code == 0, done.output
    exported = runner.invoke(app, ["roster", "export", "spring"]).output
    assert "José,jose@example.com" in exported


def test_formula_names_need_accept_warnings(cli_env: None, tmp_path: Path) -> None:
    _cohort()
    f = tmp_path / "hr.csv"
    f.write_text("Name,Email\n@SUM(A1:A2),sam@example.com\n")
    refused = runner.invoke(app, ["roster", "import", "spring", str(f)])
    assert refused.exit_code == 1
    assert refused.output.splitlines()[0].startswith("warning: row 2, column Name: \u201c@SUM")
    assert refused.output.splitlines()[-1] == (
        "error: nothing was written; run again with --accept-warnings to import as written"
    )
    assert runner.invoke(app, ["roster", "export", "spring"]).output.count("\n") == 1
    done = runner.invoke(app, ["roster", "import", "spring", str(f), "--accept-warnings"])
    assert done.exit_code == 0, done.output
    assert "warning: row 2, column Name" in done.output
