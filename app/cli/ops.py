"""Operations: backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli._common import fail
from app.core.errors import DomainError


def backup(out: Annotated[Path, typer.Option("--out", help="Backup file to write.")]) -> None:
    """Make a consistent online backup of the SQLite database while the app runs."""
    from app.core.config import get_settings
    from app.services.ops import backup_database

    try:
        info = backup_database(get_settings().database_url, out=out)
    except DomainError as exc:
        fail(exc)
    typer.echo(f"backed up {info.tables} tables ({info.bytes:,} bytes) to {info.path}")


def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `tandem backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the configured SQLite database with FILE (stop the server first)."""
    from app.core.config import get_settings
    from app.services.ops import restore_database

    if not yes:
        typer.confirm(f"Replace {get_settings().database_url} with {file}?", abort=True)
    try:
        info = restore_database(get_settings().database_url, backup=file)
    except DomainError as exc:
        fail(exc)
    typer.echo(f"restored {info.tables} tables into {info.path}")
