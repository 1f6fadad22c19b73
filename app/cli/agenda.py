"""``tandem agenda``: build the agenda and export it as iCalendar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli._common import fail, session
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
        typer.echo(f"Day {d.day} · {d.date:%a %d %b %Y} · {d.start:%H:%M}-{d.end:%H:%M}")
        for e in d.entries:
            mark = " (pinned)" if e.pinned else ""
            label = e.title if e.exercise_id else f"[{e.title}]"
            typer.echo(f"  {e.start:%H:%M}-{e.end:%H:%M}  {label}{mark}")
    for w in result.warnings:
        typer.echo(f"note: {w}")


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
    typer.echo(f"wrote {out}")
