"""``tandem workbooks export`` and ``tandem cards`` write real PDFs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()
ROSTER = (
    "Name,Email,Level,Function\n"
    "Ana Silva,ana@x.com,Manager,Finance\n"
    "Ben Okoro,ben@x.com,Manager,Sales\n"
)


@pytest.mark.one_database
def test_cards_and_blank_workbooks_from_the_cli(cli_env: None, tmp_path: Path) -> None:
    runner.invoke(app, ["cohort", "create", "Print Run", "--start", "2027-03-01"])
    roster_file = tmp_path / "r.csv"
    roster_file.write_text(ROSTER)
    assert runner.invoke(app, ["roster", "import", "print-run", str(roster_file)]).exit_code == 0
    built = runner.invoke(app, ["agenda", "build", "print-run", "--json"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.output)

    cards = runner.invoke(app, ["cards", "print-run", "--out", str(tmp_path / "cards.pdf")])
    assert cards.exit_code == 0, cards.output
    card_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "cards.pdf").pages)
    assert "Ana Silva" in card_text
    assert "Ben Okoro" in card_text

    out = tmp_path / "books"
    result = runner.invoke(
        app,
        ["workbooks", "export", "print-run", "--edition", "blank", "--out", str(out), "--merged"],
    )
    assert result.exit_code == 0, result.output
    merged = PdfReader(out / "print-run-blank.pdf")
    assert [o.title for o in merged.outline if not isinstance(o, list)] == [
        "Ana Silva",
        "Ben Okoro",
    ]


def test_export_refuses_an_unknown_edition(cli_env: None, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["workbooks", "export", "x", "--edition", "glossy", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "--edition must be one of: participant, pair, blank" in result.output


@pytest.mark.one_database
def test_pair_export_names_an_ended_partnership_and_exports_the_rest(
    cli_env: None, tmp_path: Path
) -> None:
    from sqlmodel import Session

    from app.cli._common import engine
    from app.services.cohorts import service as cohorts
    from app.services.matching import pairing
    from app.services.plans import partnership

    four = ROSTER + "Cai Dias,cai@x.com,Manager,IT\nDan Eze,dan@x.com,Manager,HR\n"
    runner.invoke(app, ["cohort", "create", "Pairs Run", "--start", "2027-03-01"])
    roster_file = tmp_path / "r.csv"
    roster_file.write_text(four)
    assert runner.invoke(app, ["roster", "import", "pairs-run", str(roster_file)]).exit_code == 0
    assert runner.invoke(app, ["match", "pairs-run", "--publish"]).exit_code == 0
    with Session(engine()) as session:
        cohort = cohorts.get_cohort(session, ref="pairs-run", viewer=None)
        ana = pairing.participant_by_email(session, cohort=cohort, email="ana@x.com")
        view = pairing.group_of(session, participant=ana)
        assert view is not None
        ended = " & ".join(m.name for m in view.members)
        partnership.change_partnership(session, participant=ana, state="ended", reason="no_time")
        session.commit()
    out = tmp_path / "books"
    result = runner.invoke(
        app, ["workbooks", "export", "pairs-run", "--edition", "pair", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-2:] == [
        f"not exported: {ended}: the buddy partnership has ended, so there is no pair workbook",
        "1 exported, 1 not exported (see above)",
    ]
    assert [p.name for p in out.iterdir()] == [result.stdout.strip().rsplit("/", 1)[1]]
