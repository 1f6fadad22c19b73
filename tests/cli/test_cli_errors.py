"""The edge of the command: whatever goes wrong is one line and exit code 1, never a traceback,
unless --verbose asks for it. Run as a real process, the way an operator types it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tandem(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_a_missing_sqlite_database_is_named_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    out = tandem("cohort", "list", database_url=f"sqlite:///{path}", tmp_path=tmp_path)
    assert out.returncode == 1
    assert out.stderr == (
        f"error: there is no database at {path}; create it with `tandem db upgrade`"
        " (or set TANDEM_DATABASE_URL)\n"
    )
    assert not path.exists()


def test_a_database_that_was_never_migrated_says_how_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    out = tandem("cohort", "list", database_url=f"sqlite:///{path}", tmp_path=tmp_path)
    assert out.returncode == 1
    assert out.stderr == (
        f"error: the database sqlite:///{path} is not migrated; run `tandem db upgrade`\n"
    )
    assert "Traceback" not in out.stdout + out.stderr


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://tandem:hunter2@127.0.0.1:1/tandem"
    out = tandem("cohort", "list", database_url=url, tmp_path=tmp_path)
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot reach the database postgresql+psycopg://tandem:***@")
    assert lines[0].endswith("; check TANDEM_DATABASE_URL")
    assert "hunter2" not in out.stderr


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    out = tandem("--verbose", "cohort", "list", database_url=f"sqlite:///{path}", tmp_path=tmp_path)
    assert out.returncode == 1
    assert "Traceback (most recent call last)" in out.stderr
    assert "no such table: cohort" in out.stderr


def test_unknown_cohort_and_bad_path_are_one_line_each(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    assert tandem("db", "upgrade", database_url=url, tmp_path=tmp_path).returncode == 0
    unknown = tandem("match", "no-such-cohort", database_url=url, tmp_path=tmp_path)
    assert unknown.returncode == 1
    assert len(unknown.stderr.splitlines()) == 1
    assert unknown.stderr.startswith("error: ")
    missing = tandem(
        "roster", "import", "x", str(tmp_path / "nope.csv"), database_url=url, tmp_path=tmp_path
    )
    assert missing.returncode == 1
    assert missing.stderr == f"error: {tmp_path / 'nope.csv'}: No such file or directory\n"


def test_help_lists_the_commands_without_touching_a_database(tmp_path: Path) -> None:
    path = tmp_path / "untouched.db"
    out = tandem("--help", database_url=f"sqlite:///{path}", tmp_path=tmp_path)
    assert out.returncode == 0
    for command in ("db", "cohort", "roster", "match", "agenda", "workbooks", "serve", "demo"):
        assert command in out.stdout
    assert not path.exists()
