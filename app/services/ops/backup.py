"""Consistent online backups of the SQLite database, and restoring them.

The backup uses SQLite's online backup API, which copies a consistent snapshot while the
application keeps reading and writing (WAL mode). PostgreSQL deployments use ``pg_dump`` and
``pg_restore`` instead (see the README's operations section).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine.url import make_url

from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext as _

_PAGES_PER_STEP = 1024


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    bytes: int
    tables: int


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; InvalidInput for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise InvalidInput(
            _("backup needs a SQLite database"),
            [
                Problem(
                    "TANDEM_DATABASE_URL",
                    _("is not a SQLite file; on PostgreSQL use pg_dump (see README, Operations)"),
                )
            ],
        )
    return Path(parsed.database)


def _check(path: Path) -> int:
    try:
        return _inspect(path)
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(_("not a Tandem backup"), [Problem(str(path), str(exc))]) from None


def _inspect(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()
        if ok is None or ok[0] != "ok":
            raise InvalidInput(_("the backup is damaged"), [Problem(str(path), str(ok))])
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        if not tables or "alembic_version" not in {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }:
            raise InvalidInput(
                _("not a Tandem database"), [Problem(str(path), _("has no migrations"))]
            )
        return int(tables[0])


def backup_database(url: str, *, out: Path) -> BackupInfo:
    """Copy a consistent snapshot of the live SQLite database to ``out``."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise InvalidInput(
            _("nothing to back up"), [Problem(str(source_path), _("does not exist"))]
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(partial)
    try:
        source.backup(target, pages=_PAGES_PER_STEP)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    tables = _check(partial)
    partial.replace(out)
    return BackupInfo(path=out, bytes=out.stat().st_size, tables=tables)


def restore_database(url: str, *, backup: Path) -> BackupInfo:
    """Replace the configured SQLite database with ``backup`` (checked first; stop the app)."""
    if not backup.exists():
        raise InvalidInput(_("no such backup"), [Problem(str(backup), _("does not exist"))])
    tables = _check(backup)
    target_path = sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target_path.parent, delete=False) as tmp:
        staging = Path(tmp.name)
    shutil.copyfile(backup, staging)
    # The old WAL belongs to the old file: a stale one next to the restored file would be
    # replayed into it.
    for suffix in ("-wal", "-shm"):
        Path(str(target_path) + suffix).unlink(missing_ok=True)
    staging.replace(target_path)
    return BackupInfo(path=target_path, bytes=target_path.stat().st_size, tables=tables)
