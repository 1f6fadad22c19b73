"""Operations: backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli._common import fail
from app.cli._i18n import _, format_number, ngettext
from app.core.errors import DomainError


def backup(out: Annotated[Path, typer.Option("--out", help="Backup file to write.")]) -> None:
    """Make a consistent online backup of the SQLite database while the app runs."""
    from app.core.config import get_settings
    from app.services.ops import backup_database

    try:
        info = backup_database(get_settings().database_url, out=out)
    except DomainError as exc:
        fail(exc)
    typer.echo(
        ngettext(
            "backed up %(num)s table (%(bytes)s bytes) to %(path)s",
            "backed up %(num)s tables (%(bytes)s bytes) to %(path)s",
            info.tables,
            bytes=format_number(info.bytes),
            path=info.path,
        )
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `tandem backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the configured SQLite database with FILE (stop the server first)."""
    from app.core.config import get_settings
    from app.services.ops import restore_database

    if not yes:
        typer.confirm(
            _(
                "Replace %(database)s with %(file)s?",
                database=get_settings().database_url,
                file=file,
            ),
            abort=True,
        )
    try:
        info = restore_database(get_settings().database_url, backup=file)
    except DomainError as exc:
        fail(exc)
    typer.echo(
        ngettext(
            "restored %(num)s table into %(path)s",
            "restored %(num)s tables into %(path)s",
            info.tables,
            path=info.path,
        )
    )
