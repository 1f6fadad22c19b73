"""``tandem workbooks`` and ``tandem cards``: print runs from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, ngettext
from app.core.errors import DomainError

app = typer.Typer(rich_markup_mode=None, help="Printed workbooks.", no_args_is_help=True)


@app.command("export")
def export(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    edition: Annotated[str, typer.Option(help="blank, participant or pair.")] = "blank",
    paper: Annotated[str, typer.Option(help="A4 or Letter.")] = "A4",
    as_zip: Annotated[bool, typer.Option("--zip", help="One ZIP of all PDFs.")] = False,
    merged: Annotated[
        bool, typer.Option("--merged", help="One PDF, an outline entry each.")
    ] = False,
) -> None:
    """Render every workbook of COHORT (filled editions only for those who opted in); a
    workbook that cannot be made is named on standard error with the reason."""
    from app.core.config import get_settings
    from app.services import cohorts
    from app.services.workbooks import EDITIONS, export_workbooks

    if edition not in EDITIONS:
        fail(_("--edition must be one of: %(editions)s", editions=", ".join(EDITIONS)))
    settings = get_settings()
    try:
        with session(write=False) as s, typer.progressbar(length=1, label=_("workbooks")) as bar:
            last = 0

            def progress(done: int, total: int) -> None:
                nonlocal last
                bar.length = max(total, 1)
                bar.update(done - last)
                last = done

            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            result = export_workbooks(
                s,
                cohort=c,
                edition=edition,
                settings=settings,
                out_dir=out,
                paper=paper,
                as_zip=as_zip,
                merged=merged,
                on_progress=progress,
            )
    except DomainError as exc:
        fail(exc)
    for name in result.files:
        typer.echo(str(out / name))
    for skipped in result.skipped:
        typer.echo(_("not exported: %(reason)s", reason=skipped.line()), err=True)
    if result.skipped:
        typer.echo(
            _(
                "%(exported)s exported, %(skipped)s not exported (see above)",
                exported=result.exported,
                skipped=len(result.skipped),
            ),
            err=True,
        )


def cards(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    out: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
) -> None:
    """Issue and print everyone's sign-in card (older cards stop working)."""
    from app.core.config import get_settings
    from app.services import cohorts, roster, tablet
    from app.services.tablet import render_cards_pdf

    settings = get_settings()
    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            issued = tablet.issue_cards(
                s,
                cohort=c,
                participants=roster.list_participants(s, cohort=c),
                secret=settings.ensure_secret(),
                followup_days=settings.followup_days,
                actor="cli",
            )
            pdf = render_cards_pdf(c.name, tablet.cards_of(issued, c, settings.base_url))
    except DomainError as exc:
        fail(exc)
    out.write_bytes(pdf)
    typer.echo(
        ngettext(
            "%(num)s card written to %(file)s",
            "%(num)s cards written to %(file)s",
            len(issued),
            file=out,
        )
    )
