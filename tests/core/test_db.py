"""SQLite runs with WAL, foreign keys and BEGIN IMMEDIATE for writers; a lock becomes 503."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.db import create_db_engine, writer


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_writer_transactions_take_the_write_lock_up_front(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with writer(engine).begin() as conn:
        conn.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_locked_database_answers_503_with_retry_after(
    client: TestClient,
    settings,
    signed_in: str,  # type: ignore[no-untyped-def]
) -> None:
    if settings.database_url.startswith("sqlite"):
        blocker = sqlite3.connect(
            settings.database_url.removeprefix("sqlite:///"), isolation_level=None
        )
        blocker.execute("BEGIN EXCLUSIVE")
        release = blocker.close
    else:
        conn = create_db_engine(settings.database_url).connect()
        conn.execute(text("LOCK TABLE cohort IN ACCESS EXCLUSIVE MODE"))
        release = conn.close
    try:
        response = client.post(
            "/cohorts/new",
            data={"name": "Blocked", "start_date": "2027-01-04", "csrf_token": signed_in},
        )
    finally:
        release()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert "Traceback" not in response.text
