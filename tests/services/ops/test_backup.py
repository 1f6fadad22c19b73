"""Online backup under write load, and restoring it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.core.db import create_db_engine, session_scope
from app.core.errors import InvalidInput
from app.models import AuditEvent
from app.services.ops.audit import record_event
from app.services.ops.backup import backup_database, restore_database
from tests.conftest import build_schema


def test_backup_taken_under_load_has_every_write_acknowledged_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    build_schema(url)
    engine = create_db_engine(url)
    acknowledged: list[int] = []
    stop = threading.Event()

    def write_forever() -> None:
        n = 0
        while not stop.is_set():
            with session_scope(engine) as s:
                event = record_event(s, actor="bench", action="write", object_type="t", object_id=n)
                event_id = event.id
            assert event_id is not None
            acknowledged.append(event_id)  # only after the commit returned
            n += 1

    writer = threading.Thread(target=write_forever)
    writer.start()
    while len(acknowledged) < 50:
        stop.wait(0.01)
    before_backup = set(acknowledged)
    info = backup_database(url, out=tmp_path / "backup.db")
    while len(acknowledged) < len(before_backup) + 20:
        stop.wait(0.01)
    stop.set()
    writer.join()
    engine.dispose()
    assert info.tables > 5

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    restore_database(restored_url, backup=tmp_path / "backup.db")
    restored = create_db_engine(restored_url)
    with Session(restored) as s:
        ids = set(s.exec(select(AuditEvent.id)).all())
    restored.dispose()
    assert before_backup <= ids
    assert len(ids) < len(acknowledged)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InvalidInput):
        restore_database(f"sqlite:///{tmp_path / 'x.db'}", backup=junk)
    assert not (tmp_path / "x.db").exists()


def test_backup_of_postgresql_points_to_pg_dump() -> None:
    with pytest.raises(InvalidInput) as caught:
        backup_database("postgresql+psycopg://u@h/db", out=Path("/tmp/x"))
    assert "pg_dump" in caught.value.problems[0].message
