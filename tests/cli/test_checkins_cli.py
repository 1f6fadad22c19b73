"""``tandem checkins remind`` queues the reminders due now, once however often it runs."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import OutboxMessage, utcnow
from app.services.plans import checkins, partnership
from tests.services.tablet.factories import make_world


def test_remind_queues_each_reminder_once(cli_env: None, session: Session) -> None:
    world = make_world(session)
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
    partnership.agree_rhythm(session, participant=world.ben)
    first = checkins.group_checkins(session, group=world.group)[0]
    tomorrow = utcnow() + timedelta(days=1)
    checkins.move_checkin(
        session,
        participant=world.ana,
        checkin_id=first.id or 0,
        day=tomorrow.date(),
        at=tomorrow.time().replace(second=0, microsecond=0),
        now=utcnow(),
    )
    session.commit()
    runner = CliRunner()

    once = runner.invoke(cli, ["checkins", "remind"])
    again = runner.invoke(cli, ["checkins", "remind"])

    assert (once.exit_code, once.output) == (
        0,
        "2 reminders queued; 0 members have turned reminders off; 0 check-ins marked as missed\n",
    )
    assert again.output.startswith("0 reminders queued;")
    session.expire_all()
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 2
