"""``tandem agenda``: build the agenda and export it as iCalendar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, format_date
from app.core.errors import DomainError

app = typer.Typer(rich_markup_mode=None, help="Cohort agendas.", no_args_is_help=True)


@app.command("build")
def build_cmd(
    cohort: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, max=300, help="Solver limit, seconds.")
    ] = 3.0,
) -> None:
    """Build COHORT's agenda around its pins; exit 1 with one line per problem if impossible."""
    from app.services import agenda, cohorts

    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            result = agenda.build_agenda(s, cohort=c, time_limit_s=time_limit)
    except DomainError as exc:
        fail(exc)
    view = result.agenda
    if as_json:
        data = {**agenda.agenda_to_json(view), "status": result.status, "warnings": result.warnings}
        typer.echo(json.dumps(data, indent=2))
        return
    for d in view.days:
        typer.echo(
            _(
                "Day %(day)s · %(date)s · %(start)s-%(end)s",
                day=d.day,
                date=format_date(d.date, "EEE dd MMM y"),
                start=d.start.strftime("%H:%M"),
                end=d.end.strftime("%H:%M"),
            )
        )
        for e in d.entries:
            label = e.title if e.exercise_id else f"[{e.title}]"
            if e.pinned:
                label = _("%(title)s (pinned)", title=label)
            typer.echo(f"  {e.start:%H:%M}-{e.end:%H:%M}  {label}")
    for w in result.warnings:
        typer.echo(_("note: %(warning)s", warning=w))


@app.command("ics")
def ics_cmd(
    cohort: str,
    out: Annotated[Path, typer.Option("--out", help="Write the .ics file here.")],
) -> None:
    """Export COHORT's agenda as an iCalendar file."""
    from app.services import agenda, cohorts

    try:
        with session(write=False) as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            body = agenda.build_cohort_ics(s, cohort=c)
    except DomainError as exc:
        fail(exc)
    try:
        out.write_bytes(body)
    except OSError as exc:
        fail(f"{out}: {exc.strerror or exc}")
    typer.echo(_("wrote %(file)s", file=out))
