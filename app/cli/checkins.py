"""``tandem checkins``: the pairs' check-ins after the program."""

from __future__ import annotations

import typer

from app.cli._common import fail, session
from app.cli._i18n import ngettext
from app.core.errors import DomainError

app = typer.Typer(rich_markup_mode=None, help="Check-ins after the program.", no_args_is_help=True)


@app.command("remind")
def remind() -> None:
    """Queue the reminder mails due now (two days before each check-in, at 09:00 in the
    cohort's timezone) and mark check-ins that passed without a word as missed. Safe to run
    as often as you like: a reminder is queued once per date of a check-in."""
    from app.core.config import get_settings
    from app.models import utcnow
    from app.services import plans

    settings = get_settings()
    try:
        with session() as s:
            sweep = plans.send_checkin_reminders(
                s, now=utcnow(), base_url=settings.base_url, sender=settings.smtp_from
            )
    except DomainError as exc:
        fail(exc)
    typer.echo(
        ngettext(
            "%(num)s reminder queued",
            "%(num)s reminders queued",
            sweep.queued,
        )
        + "; "
        + ngettext(
            "%(num)s member has turned reminders off",
            "%(num)s members have turned reminders off",
            sweep.opted_out,
        )
        + "; "
        + ngettext(
            "%(num)s check-in marked as missed",
            "%(num)s check-ins marked as missed",
            sweep.missed,
        )
    )
