"""What every command shares: the engine from Settings, a session per command, failing cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import NoReturn

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.config import get_settings
from app.core.db import create_db_engine, session_scope
from app.core.errors import DomainError, InvalidInput


@lru_cache
def engine() -> Engine:
    """The configured database's engine, made once per command."""
    return create_db_engine(get_settings().database_url)


@contextmanager
def session(*, write: bool = True) -> Iterator[Session]:
    """One session for the command; it commits once at the end (the edge)."""
    with session_scope(engine(), write=write) as s:
        yield s


def fail(error: DomainError | str, *, code: int = 1) -> NoReturn:
    """Print an error (each problem on its own line) to stderr and exit without a traceback."""
    if isinstance(error, InvalidInput) and error.problems:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
    else:
        message = error.message if isinstance(error, DomainError) else error
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
