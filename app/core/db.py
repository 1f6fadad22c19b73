"""Engine and sessions. SQLite gets WAL, foreign keys, a busy timeout, ``secure_delete`` and
``BEGIN IMMEDIATE`` for writes; PostgreSQL is used as it comes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

BUSY_TIMEOUT_MS = 5000
WRITE_TURN_TIMEOUT_S = 3.0
"""How long a write request waits for its turn before it is told to retry (503)."""


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for ``url``; SQLite files get their folder created and our pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A bounded lock wait, like SQLite's busy timeout: a stuck lock becomes a 503, not a hang.
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"},
        )
    in_memory = not parsed.database or parsed.database == ":memory:"
    if not in_memory:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    # As many connections as the server has request threads: a request must never wait for a
    # connection while SQLite itself could serve it (readers never block in WAL mode).
    pool: dict[str, Any] = (
        {}
        if in_memory
        else {"pool_size": 40, "max_overflow": 10, "pool_timeout": BUSY_TIMEOUT_MS / 1000}
    )
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        **pool,
    )
    _install_sqlite_pragmas(engine)
    return engine


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take over transaction control from the sqlite3 module so that we can say
        # BEGIN IMMEDIATE: a writer then waits for the lock up front (busy timeout) instead
        # of failing with SQLITE_BUSY halfway through when it upgrades a read lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not just unlinked: an erased participant's
        # words must not stay readable in the file's free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions start as writers (``BEGIN IMMEDIATE`` on SQLite)."""
    if is_sqlite(engine):
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session that commits once at the end (the edge) or rolls back on error."""
    with Session(writer(engine) if write else engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_locked_error(exc: BaseException) -> bool:
    """True when ``exc`` means the database is busy: the client should retry, not fail."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "lock timeout" in text


def checkpoint_erasure(engine: Engine) -> bool:
    """After an erasure or purge is committed, copy SQLite's write-ahead log into the database
    and empty it: the log still holds the pages as they were before the delete. True when the
    log is now empty (or there is none: PostgreSQL, see docs/operations.md on VACUUM)."""
    if not is_sqlite(engine):
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Waits up to the busy timeout for readers still on the old pages.
        busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    return int(busy) == 0
