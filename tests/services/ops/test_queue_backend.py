"""Jobs run to the end on both backends: in the web process, and through the PostgreSQL queue
by a worker that could live on another machine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app as cli
from app.cli._common import engine as cli_engine
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine, session_scope
from app.core.errors import InvalidInput, Problem
from app.models import Job
from app.services.cohorts import service as cohorts
from app.services.ops import jobs
from app.services.ops.jobs import InProcessBackend, create_job, job_dir
from app.services.ops.queue_backend import (
    QUEUE_NAME,
    QueueBackend,
    ensure_queue_schema,
    make_backend,
    queue_conninfo,
    run_worker,
)

ON_POSTGRESQL = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _write_note(
    session: Session, job: Job, settings: Settings, progress: Callable[[int, int], None]
) -> list[str]:
    assert job.id is not None
    out = job_dir(settings, job.id)
    out.mkdir(parents=True, exist_ok=True)
    (out / "note.txt").write_text(f"hello {job.params['who']}")
    progress(1, 1)
    return ["note.txt"]


def _refuse(
    session: Session, job: Job, settings: Settings, progress: Callable[[int, int], None]
) -> list[str]:
    raise InvalidInput("nothing to export", [Problem("roster", "no participants")])


@pytest.fixture
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Job kinds that exist only for these tests (no PDF rendering: fast and exact)."""
    monkeypatch.setitem(jobs._HANDLERS, "test", _write_note)
    monkeypatch.setitem(jobs._HANDLERS, "test-refuse", _refuse)


@pytest.fixture
def job_engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_queue(settings: Settings) -> None:
    """The queue's own schema survives the per-test truncation, so empty it here."""
    ensure_queue_schema(settings.database_url)
    # The queue's triggers name its tables unqualified: talk to it with its search path.
    with psycopg.connect(
        queue_conninfo(settings.database_url), options="-c search_path=procrastinate"
    ) as conn:
        conn.execute("DELETE FROM procrastinate_jobs")


def _queue_a_job(engine: Engine, kind: str = "test") -> int:
    with session_scope(engine) as s:
        cohort = cohorts.create_cohort(s, name="Spring", start_date=date(2027, 3, 2))
        job = create_job(s, cohort=cohort, kind=kind, params={"who": "Ada"}, actor="test")
        assert job.id is not None
        return job.id


def _job(engine: Engine, job_id: int) -> Job:
    with session_scope(engine, write=False) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _waiting(settings: Settings) -> int:
    with psycopg.connect(queue_conninfo(settings.database_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate.procrastinate_jobs "
            "WHERE queue_name = %s AND status IN ('todo', 'doing')",
            (QUEUE_NAME,),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.usefixtures("test_kinds")
def test_inprocess_backend_runs_job_to_done_with_files(
    settings: Settings, job_engine: Engine
) -> None:
    job_id = _queue_a_job(job_engine)
    backend = InProcessBackend(job_engine, settings)

    backend.submit(job_id)
    backend.shutdown()

    job = _job(job_engine, job_id)
    assert (job.state, job.files, job.done, job.total) == ("done", ["note.txt"], 1, 1)
    assert (job_dir(settings, job_id) / "note.txt").read_text() == "hello Ada"


def test_make_backend_inprocess_by_default(settings: Settings, job_engine: Engine) -> None:
    assert type(make_backend(job_engine, settings)) is InProcessBackend


def test_make_backend_queue_on_sqlite_names_the_setting() -> None:
    settings = Settings(
        env="test",
        database_url="sqlite:///x.db",
        job_backend="queue",
        secret_key="x" * 48,
        _env_file=None,  # type: ignore[call-arg]
    )
    engine = create_db_engine("sqlite://")

    with pytest.raises(InvalidInput) as caught:
        make_backend(engine, settings)

    assert [p.where for p in caught.value.problems] == ["TANDEM_JOB_BACKEND"]


@ON_POSTGRESQL
@pytest.mark.usefixtures("test_kinds", "empty_queue")
def test_queue_backend_job_runs_in_worker_until_queue_empty(
    settings: Settings, job_engine: Engine
) -> None:
    job_id = _queue_a_job(job_engine)
    backend = make_backend(job_engine, settings.model_copy(update={"job_backend": "queue"}))
    assert isinstance(backend, QueueBackend)

    backend.submit(job_id)
    backend.shutdown()
    assert (_job(job_engine, job_id).state, _waiting(settings)) == ("queued", 1)
    run_worker(job_engine, settings, burst=True, install_signal_handlers=False)

    job = _job(job_engine, job_id)
    assert (job.state, job.files, job.done, job.total) == ("done", ["note.txt"], 1, 1)
    assert (job_dir(settings, job_id) / "note.txt").read_text() == "hello Ada"
    assert _waiting(settings) == 0


@ON_POSTGRESQL
@pytest.mark.usefixtures("test_kinds", "empty_queue")
def test_queue_backend_submitting_twice_queues_once(settings: Settings, job_engine: Engine) -> None:
    job_id = _queue_a_job(job_engine)
    backend = QueueBackend(job_engine, settings)

    backend.submit(job_id)
    backend.submit(job_id)
    backend.shutdown()

    assert _waiting(settings) == 1


@ON_POSTGRESQL
@pytest.mark.usefixtures("test_kinds", "empty_queue")
def test_queue_worker_records_a_refused_job_as_failed(
    settings: Settings, job_engine: Engine
) -> None:
    job_id = _queue_a_job(job_engine, kind="test-refuse")
    backend = QueueBackend(job_engine, settings)
    backend.submit(job_id)
    backend.shutdown()

    run_worker(job_engine, settings, burst=True, install_signal_handlers=False)

    job = _job(job_engine, job_id)
    assert (job.state, job.message, job.files) == ("failed", "nothing to export", [])


@ON_POSTGRESQL
@pytest.mark.usefixtures("test_kinds", "empty_queue")
def test_queue_worker_runs_a_job_that_was_recorded_but_never_queued(
    settings: Settings, job_engine: Engine
) -> None:
    job_id = _queue_a_job(job_engine)

    run_worker(job_engine, settings, burst=True, install_signal_handlers=False)

    assert _job(job_engine, job_id).state == "done"


@ON_POSTGRESQL
def test_ensure_queue_schema_creates_once(settings: Settings) -> None:
    ensure_queue_schema(settings.database_url)

    assert ensure_queue_schema(settings.database_url) is False


def test_worker_command_on_sqlite_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TANDEM_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    cli_engine.cache_clear()

    result = CliRunner().invoke(cli, ["worker", "--burst"])

    get_settings.cache_clear()
    cli_engine.cache_clear()
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1,
        "TANDEM_JOB_BACKEND: 'queue' keeps its jobs in PostgreSQL; set TANDEM_DATABASE_URL to "
        "a PostgreSQL database or use TANDEM_JOB_BACKEND=inprocess",
    )
