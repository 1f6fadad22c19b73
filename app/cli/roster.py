"""``tandem roster``: import an HR export into a cohort, export the roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, format_number
from app.core.errors import DomainError, InvalidInput

app = typer.Typer(rich_markup_mode=None, help="Cohort rosters.", no_args_is_help=True)


@app.command("import")
def import_cmd(
    cohort: str,
    file: Annotated[Path, typer.Argument(help="CSV exported from the HR system.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only validate and show.")] = False,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help='Column mapping "Header=field" (repeatable).'),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format", help="How the file writes 11/03/2016: dd/mm/yyyy or mm/dd/yyyy."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="The file's encoding when it is not UTF-8, e.g. cp1252."),
    ] = None,
    accept_warnings: Annotated[
        bool,
        typer.Option("--accept-warnings", help="Apply although the file has warnings."),
    ] = False,
) -> None:
    """Import FILE into COHORT, all or nothing; exit 1 with one line per problem.

    Columns, date format and encoding are read as for the cohort's last import unless
    --map, --date-format or --encoding say otherwise.
    """
    from app.services import cohorts, roster
    from app.services.roster import parse_mapping_args, reading_lines

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    try:
        mapping = parse_mapping_args(map_ or [])
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            preview = roster.import_roster(
                s,
                cohort=c,
                data=data,
                mapping=mapping or None,
                dry_run=dry_run,
                date_format=date_format,
                encoding=encoding,
                accept_warnings=accept_warnings,
            )
    except roster.UnacceptedWarnings as exc:
        for problem in exc.problems:
            typer.echo(_("warning: %(problem)s", problem=problem), err=True)
        fail(_("nothing was written; run again with --accept-warnings to import as written"))
    except InvalidInput as exc:
        fail_with_hints(exc)
    except DomainError as exc:
        fail(exc)
    summary = preview.summary()
    counts = {"file": file.name, **{k: format_number(v) for k, v in summary.items()}}
    typer.echo(
        _(
            "%(file)s: would change %(added)s added, %(updated)s updated, "
            "%(removed)s removed, %(unchanged)s unchanged",
            **counts,
        )
        if dry_run
        else _(
            "%(file)s: changed %(added)s added, %(updated)s updated, "
            "%(removed)s removed, %(unchanged)s unchanged",
            **counts,
        )
    )
    for label, rows in (("+", preview.added), ("~", preview.updated), ("-", preview.removed)):
        for row in rows:
            detail = ", ".join(sorted(row.changes)) if row.changes else ""
            typer.echo(f"  {label} {row.email} {row.name}" + (f" ({detail})" if detail else ""))
    if preview.parsed.ignored_columns:
        columns = ", ".join(preview.parsed.ignored_columns)
        typer.echo(_("ignored columns: %(columns)s", columns=columns))
    for line in reading_lines(preview.parsed):
        typer.echo(line)
    for problem in preview.warnings:
        typer.echo(_("warning: %(problem)s", problem=problem))


def fail_with_hints(error: InvalidInput) -> NoReturn:
    """Fail with every problem, then the option that answers a question the file raised."""
    from app.services.roster import ENCODINGS

    fields = {problem.field for problem in error.problems}
    hints = []
    if "date_format" in fields:
        hints.append(_("choose with --date-format dd/mm/yyyy or --date-format mm/dd/yyyy"))
    if "encoding" in fields:
        hints.append(
            _("choose with --encoding, one of: %(encodings)s", encodings=", ".join(ENCODINGS))
        )
    if not hints:
        fail(error)
    for line in [*(str(p) for p in error.problems), *hints]:
        typer.echo(line, err=True)
    raise typer.Exit(1)


@app.command("export")
def export_cmd(
    cohort: str,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
) -> None:
    """Export COHORT's roster as CSV (stdout by default)."""
    from app.services import cohorts, roster

    try:
        with session(write=False) as s:
            text = roster.export_roster(s, cohort=cohorts.get_cohort(s, ref=cohort, viewer=None))
    except DomainError as exc:
        fail(exc)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8-sig")
        typer.echo(_("wrote %(file)s", file=out))
