"""``tandem purge`` also deletes roster uploads left unconfirmed past their hours."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import RosterImport, utcnow
from tests.services.tablet.factories import make_cohort

ROSTER = b"Name,Email\nZoe Quinn,zoe@example.com\n"


def test_purge_deletes_uploads_past_their_hours(cli_env: None, session: Session) -> None:
    cohort = make_cohort(session)
    assert cohort.id is not None
    for age in (30, 25, 1):
        session.add(
            RosterImport(
                cohort_id=cohort.id, data=ROSTER, created_at=utcnow() - timedelta(hours=age)
            )
        )
    session.commit()
    runner = CliRunner()

    dry = runner.invoke(cli, ["purge", "--dry-run"])
    done = runner.invoke(cli, ["purge"])

    assert (dry.exit_code, dry.output) == (
        0,
        "roster uploads: would delete 2 left unconfirmed for 24 h\n",
    )
    assert (done.exit_code, done.output) == (
        0,
        "roster uploads: deleted 2 left unconfirmed for 24 h\n",
    )
    session.expire_all()
    assert session.exec(select(func.count()).select_from(RosterImport)).one() == 1
