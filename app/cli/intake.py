"""``tandem intake``: check the intake questions, see who has answered (never what)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, format_datetime, ngettext
from app.core.errors import DomainError

app = typer.Typer(rich_markup_mode=None, help="The intake before day one.", no_args_is_help=True)


@app.command("validate")
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="An intake file (default: intake/default.yaml).")
    ] = None,
) -> None:
    """Check an intake file; exit 1 with file:line:col for each problem."""
    from app.services import intake

    try:
        form = intake.load_intake_form(path or intake.DEFAULT_FORM)
    except DomainError as exc:
        fail(exc)
    count = len(form.questions)
    typer.echo(
        ngettext(
            "%(form)s: %(num)s question, valid",
            "%(form)s: %(num)s questions, valid",
            count,
            form=form.id,
        )
    )


@app.command("status")
def status(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who in COHORT has answered the intake, and when (never what)."""
    from app.services import cohorts, intake

    try:
        with session(write=False) as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            state = intake.intake_status(s, cohort=c)
    except DomainError as exc:
        fail(exc)
    if as_json:
        rows = [
            {
                "participant_id": r.participant_id,
                "name": r.name,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "updated_at": r.updated_at.isoformat() if r.updated_at else None,
            }
            for r in state.rows
        ]
        typer.echo(json.dumps({"open": state.open, "participants": rows}, indent=2))
        return
    for r in state.rows:
        when = _("%(when)s UTC", when=format_datetime(r.updated_at)) if r.updated_at else None
        when = when or _("not yet")
        typer.echo(f"{r.name}\t{when}")
    typer.echo(
        ngettext(
            "%(num)s of %(total)s has answered",
            "%(num)s of %(total)s have answered",
            state.answered,
            total=len(state.rows),
        )
    )


@app.command("remind")
def remind(cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")]) -> None:
    """Mail a reminder with a fresh personal link to everyone in COHORT who has not answered
    (at most one a day each)."""
    from app.core.config import get_settings
    from app.services import cohorts, intake
    from app.services.mail import use_mail_settings

    settings = get_settings()
    use_mail_settings(settings)
    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            done = intake.send_intake_reminders(
                s, cohort=c, base_url=settings.base_url, actor="cli"
            )
    except DomainError as exc:
        fail(exc)
    typer.echo(
        ngettext(
            "%(num)s reminder queued (tandem mail send sends it now)",
            "%(num)s reminders queued (tandem mail send sends them now)",
            done.queued,
        )
    )
    if done.already:
        typer.echo(
            ngettext(
                "%(num)s person was already reminded today",
                "%(num)s people were already reminded today",
                done.already,
            )
        )
