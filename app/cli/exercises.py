"""``tandem exercises``: check and list the exercise library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli._i18n import _, ngettext
from app.core.errors import InvalidInput

if TYPE_CHECKING:
    from app.services.library import Library

app = typer.Typer(
    rich_markup_mode=None,
    help="Check and list the exercise library (one YAML file per exercise).",
    no_args_is_help=True,
)

Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Exercise folders or files (default: the shipped library and TANDEM_LIBRARY_DIRS).",
        show_default=False,
    ),
]


def _load_or_exit(paths: list[Path] | None) -> Library:
    from app.core.config import get_settings
    from app.services.library import load_library

    try:
        return load_library(paths or get_settings().all_library_dirs)
    except InvalidInput as exc:
        # Authors fix files, not stack traces: one located problem per line, then the count.
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(exc.message)
        raise typer.Exit(1) from None


@app.command("validate")
def validate(
    paths: Paths = None,
    translations: Annotated[
        bool,
        typer.Option(
            "--translations",
            help="Also list what each exercise's translations (de, fr, es) still lack.",
        ),
    ] = False,
) -> None:
    """Check every exercise file; print each problem as file:line:column: message."""
    library = _load_or_exit(paths)
    typer.echo(ngettext("%(num)s exercise OK", "%(num)s exercises OK", len(library.exercises)))
    if translations:
        from app.services.library import translation_report

        # A missing translation is information: the reader sees English there, nothing fails.
        gaps = translation_report(library)
        for line in gaps:
            typer.echo(line)
        if not gaps:
            typer.echo(_("every exercise is complete in every language"))


@app.command("list")
def list_exercises(
    paths: Paths = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Show the exercises in arc order: id, kind, phase, day, minutes, title."""
    library = _load_or_exit(paths)
    specs = library.ordered()
    if as_json:
        rows = [
            {
                "id": spec.id,
                "version": spec.version,
                "kind": spec.kind,
                "phase": spec.phase,
                "day": spec.day,
                "minutes": spec.minutes,
                "trio_minutes": spec.trio_minutes,
                "title": spec.title,
                "after": list(spec.after),
                "content_hash": spec.content_hash,
            }
            for spec in specs
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    header = ("id", "kind", "phase", "day", "minutes", "title")
    cells = [
        (spec.id, spec.kind, spec.phase, str(spec.day or "-"), str(spec.minutes), spec.title)
        for spec in specs
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header) - 1)]
    for row in [header, *cells]:
        padded = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        typer.echo("  ".join([*padded, row[-1]]))
    total = sum(spec.minutes for spec in specs)
    typer.echo(
        ngettext(
            "%(num)s exercise, %(hours)s h %(minutes)s min",
            "%(num)s exercises, %(hours)s h %(minutes)s min",
            len(specs),
            hours=total // 60,
            minutes=str(total % 60).zfill(2),
        )
    )


@app.command("updates")
def updates(cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")]) -> None:
    """List the exercises of COHORT whose library version changed since it was bound."""
    from app.cli._common import fail, session
    from app.core.errors import DomainError
    from app.services import cohorts
    from app.services.library import library_updates

    library = _load_or_exit(None)
    try:
        with session(write=False) as s:
            found = library_updates(
                s, cohort=cohorts.get_cohort(s, ref=cohort, viewer=None), library=library
            )
    except DomainError as exc:
        fail(exc)
    for u in found:
        if u.removed:
            typer.echo(_("%(exercise)s: removed from the library", exercise=u.exercise_id))
        else:
            typer.echo(
                _(
                    "%(exercise)s: version %(bound)s -> %(current)s",
                    exercise=u.exercise_id,
                    bound=u.bound_version,
                    current=u.library_version,
                )
            )
    if not found:
        typer.echo(_("the cohort runs the library's current versions"))


@app.command("adopt")
def adopt(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    ids: Annotated[list[str], typer.Argument(help="Exercise ids to update.")],
) -> None:
    """Replace COHORT's frozen copies of these exercises with the library's current versions."""
    from app.cli._common import fail, session
    from app.core.errors import DomainError
    from app.services import cohorts
    from app.services.library import adopt_updates

    library = _load_or_exit(None)
    try:
        with session() as s:
            adopted = adopt_updates(
                s,
                cohort=cohorts.get_cohort(s, ref=cohort, viewer=None),
                library=library,
                exercise_ids=ids,
            )
    except DomainError as exc:
        fail(exc)
    if adopted:
        typer.echo(_("adopted: %(exercises)s", exercises=", ".join(adopted)))
    else:
        typer.echo(_("adopted: nothing (already current)"))
