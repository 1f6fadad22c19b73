"""What every command shares: the engine from Settings, a session per command, failing cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from app.cli._i18n import _
from app.core.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session


class DatabaseMissing(DomainError):
    """The configured SQLite file does not exist: a command must not create an empty one."""


@lru_cache
def engine() -> Engine:
    """The configured database's engine, made once per command."""
    from sqlalchemy.engine.url import make_url

    from app.core.config import get_settings
    from app.core.db import create_db_engine

    url = get_settings().database_url
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():
        raise DatabaseMissing(
            _(
                "there is no database at %(file)s; create it with `tandem db upgrade`"
                " (or set TANDEM_DATABASE_URL)",
                file=file,
            )
        )
    return create_db_engine(url)


@contextmanager
def session(*, write: bool = True) -> Iterator[Session]:
    """One session for the command; it commits once at the end (the edge)."""
    from app.core.db import session_scope

    with session_scope(engine(), write=write) as s:
        yield s


def fail(error: DomainError | str, *, code: int = 1) -> NoReturn:
    """Print an error (each problem on its own line) to stderr and exit without a traceback."""
    if isinstance(error, InvalidInput) and error.problems:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
    else:
        message = error.message if isinstance(error, DomainError) else error
        typer.echo(_("error: %(error)s", error=message), err=True)
    raise typer.Exit(code)


def describe_failure(error: BaseException) -> str:
    """One line saying what went wrong and what fixes it, for an error no command handled."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    if isinstance(error, SQLAlchemyError):
        return _describe_database_failure(error, DBAPIError)
    return _(
        "%(error)s: %(detail)s (run again with --verbose for the traceback)",
        error=type(error).__name__,
        detail=error,
    )


def _describe_database_failure(error: Exception, dbapi_error: type[Exception]) -> str:
    from sqlalchemy import text

    from app.core.config import get_settings
    from app.core.migrations import is_at_head

    url = _safe_url(get_settings().database_url)
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect is "unreachable", whatever the driver
        return _(
            "cannot reach the database %(url)s: %(reason)s; check TANDEM_DATABASE_URL",
            url=url,
            reason=_first_line(exc),
        )
    try:
        migrated = is_at_head(engine())
    except Exception:
        migrated = False
    if not migrated:
        return _("the database %(url)s is not migrated; run `tandem db upgrade`", url=url)
    reason = _first_line(getattr(error, "orig", None) or error)
    return _("the database %(url)s refused the command: %(reason)s", url=url, reason=reason)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine.url import make_url

    return make_url(url).render_as_string(hide_password=True)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
