"""The job queue that lets workbook rendering run on other machines.

Choice: Procrastinate, a maintained job queue that keeps its queue in PostgreSQL. An operator
who runs Tandem on PostgreSQL (the only setup with several web processes, so the only one that
needs remote workers) therefore runs no extra service: no Redis, no broker to secure, back up
and watch. Workers are woken by ``LISTEN/NOTIFY`` and poll as a fallback; a job is taken with
``SELECT ... FOR UPDATE SKIP LOCKED``, so any number of ``tandem worker`` processes on any
number of machines share the queue safely.

What travels through the queue is only the job id: the ``Job`` row stays the truth for state,
progress and files, exactly as with the in-process backend, and ``run_job`` claims a row
atomically (queued -> running), so a job deferred twice still runs once.

The queue's tables live in their own PostgreSQL schema (``procrastinate``), apart from the
application's ``public`` schema that Alembic owns: migrations and their drift check never see
them, and ``tandem db downgrade base`` leaves the queue alone. The schema is created on first
use (by ``tandem worker --init``, a worker, or the first job a web process submits) under an
advisory lock, so concurrent starts do not race.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import col, select, update

from app.core.config import Settings
from app.core.db import session_scope
from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext as _
from app.models import Job
from app.services.ops.jobs import (
    InProcessBackend,
    background_task_names,
    deactivate_backend,
    run_background_task,
    run_job,
)

if TYPE_CHECKING:
    import procrastinate

log = logging.getLogger("tandem.jobs")

QUEUE_SCHEMA = "procrastinate"
QUEUE_NAME = "tandem"
TASK_NAME = "tandem.run_job"
SWEEP_NAME = "tandem.requeue_orphans"
BACKGROUND_NAME = "tandem.background"
TICK_NAME = "tandem.tick"
_SCHEMA_LOCK_KEY = 0x74616E64656D  # "tandem": one advisory lock id for schema creation
STALLED_AFTER_SECONDS = 60.0
"""A worker silent this long (it sends a heartbeat every 10 s) is taken for dead."""


def require_queue_database(database_url: str) -> None:
    """Raise InvalidInput naming TANDEM_JOB_BACKEND unless the queue's database is PostgreSQL."""
    if make_url(database_url).get_backend_name() != "postgresql":
        raise InvalidInput(
            _("the job queue needs PostgreSQL"),
            [
                Problem(
                    "TANDEM_JOB_BACKEND",
                    _(
                        "'queue' keeps its jobs in PostgreSQL; set TANDEM_DATABASE_URL to a "
                        "PostgreSQL database or use TANDEM_JOB_BACKEND=inprocess"
                    ),
                    "job_backend",
                )
            ],
        )


def queue_conninfo(database_url: str) -> str:
    """The libpq connection string for a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def ensure_queue_schema(database_url: str) -> bool:
    """Create the queue's tables if they are missing; True when this call created them."""
    require_queue_database(database_url)
    import psycopg

    with psycopg.connect(queue_conninfo(database_url)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}")
        row = conn.execute(
            "SELECT to_regclass(%s)", (f"{QUEUE_SCHEMA}.procrastinate_jobs",)
        ).fetchone()
        if row is not None and row[0] is not None:
            return False
        conn.execute(f"SET LOCAL search_path TO {QUEUE_SCHEMA}")
        from procrastinate.schema import SchemaManager

        conn.execute(SchemaManager.get_schema())
    log.info("job queue schema created")
    return True


def create_queue_app(
    engine: Engine, settings: Settings, *, max_connections: int = 4
) -> procrastinate.App:
    """A Procrastinate app whose one task runs a Tandem job with this process's engine."""
    require_queue_database(settings.database_url)
    import procrastinate

    connector = procrastinate.PsycopgConnector(
        conninfo=queue_conninfo(settings.database_url),
        kwargs={"options": f"-c search_path={QUEUE_SCHEMA}"},
        min_size=1,
        max_size=max_connections,
    )
    app = procrastinate.App(connector=connector)

    @app.task(name=TASK_NAME, queue=QUEUE_NAME)
    def run_queued_job(job_id: int) -> None:
        run_job(engine, settings, job_id)

    # A web process can record a job and then fail to queue it (the queue's connection
    # dropped, the process died): the Job row says "queued" and nothing would ever run it.
    # Once a minute one worker (Procrastinate deduplicates periodic runs) queues such rows
    # again; the queueing lock keeps a job that is already waiting from being doubled.
    @app.periodic(cron="* * * * *", periodic_id="requeue")
    @app.task(name=SWEEP_NAME, queue=QUEUE_NAME, queueing_lock=SWEEP_NAME)
    async def requeue_orphans(timestamp: int) -> None:
        await _defer_all(app, _queued_job_ids(engine))

    @app.task(name=BACKGROUND_NAME, queue=QUEUE_NAME)
    def run_queued_background(name: str) -> None:
        run_background_task(engine, settings, name)

    # Background tasks (sending mail) also run once a minute: retries fall due and a mail
    # server that was down is tried again without anyone waking them.
    @app.periodic(cron="* * * * *", periodic_id="tick")
    @app.task(name=TICK_NAME, queue=QUEUE_NAME, queueing_lock=TICK_NAME)
    def tick(timestamp: int) -> None:
        for name in background_task_names():
            run_background_task(engine, settings, name)

    return app


async def _defer_all(app: procrastinate.App, job_ids: list[int]) -> None:
    from procrastinate.exceptions import AlreadyEnqueued

    for job_id in job_ids:
        with contextlib.suppress(AlreadyEnqueued):
            await app.configure_task(TASK_NAME, queueing_lock=f"job-{job_id}").defer_async(
                job_id=job_id
            )


async def _defer_background(app: procrastinate.App) -> None:
    """Every background task once as the worker starts: what waited for a worker goes now."""
    from procrastinate.exceptions import AlreadyEnqueued

    for name in background_task_names():
        with contextlib.suppress(AlreadyEnqueued):
            await app.configure_task(BACKGROUND_NAME, queueing_lock=f"task-{name}").defer_async(
                name=name
            )


def _queued_job_ids(engine: Engine) -> list[int]:
    with session_scope(engine, write=False) as s:
        ids = s.exec(select(Job.id).where(col(Job.state) == "queued")).all()
    return [i for i in ids if i is not None]


class QueueBackend:
    """Defers jobs to the PostgreSQL job queue; ``tandem worker`` processes run them."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        require_queue_database(settings.database_url)
        self.engine = engine
        self.settings = settings
        self.app = create_queue_app(engine, settings, max_connections=2)
        self._opened = False

    def _open(self) -> None:
        # Opened on first use, not at construction: every web process (forked or not) gets
        # its own small pool, and a web process that never submits opens none.
        if not self._opened:
            ensure_queue_schema(self.settings.database_url)
            self.app.open()
            self._opened = True

    def submit(self, job_id: int) -> None:
        """Put the job on the queue (a job already waiting there is not queued twice)."""
        from procrastinate.exceptions import AlreadyEnqueued

        self._open()
        with contextlib.suppress(AlreadyEnqueued):
            self.app.configure_task(TASK_NAME, queueing_lock=f"job-{job_id}").defer(job_id=job_id)

    def kick(self, name: str) -> None:
        """Queue background task ``name`` (once: a wake while one waits adds nothing)."""
        from procrastinate.exceptions import AlreadyEnqueued

        try:
            self._open()
            with contextlib.suppress(AlreadyEnqueued):
                self.app.configure_task(BACKGROUND_NAME, queueing_lock=f"task-{name}").defer(
                    name=name
                )
        except Exception as exc:  # the minute's tick sends what this wake could not
            log.warning("could not queue background task %s: %s", name, type(exc).__name__)

    def start_ticker(self, seconds: float | None = None) -> None:
        """Nothing to start here: the workers' periodic task is the timer."""

    def resume_interrupted(self) -> int:
        """Queue again the jobs recorded as queued: a process that died between recording a
        job and queueing it loses none. Returns how many were queued."""
        ids = _queued_job_ids(self.engine)
        for job_id in ids:
            self.submit(job_id)
        return len(ids)

    def shutdown(self) -> None:
        """Close the queue's connections (jobs already queued stay queued)."""
        deactivate_backend(self)
        if self._opened:
            self.app.close()
            self._opened = False


def make_backend(engine: Engine, settings: Settings) -> InProcessBackend | QueueBackend:
    """The job backend ``settings.job_backend`` names."""
    if settings.job_backend == "queue":
        return QueueBackend(engine, settings)
    return InProcessBackend(engine, settings)


async def _recover_stalled(app: procrastinate.App, engine: Engine) -> int:
    # A worker that died mid-job (machine lost, OOM kill) leaves the queue entry "doing" and
    # the Job row "running"; both go back to queued so that a live worker renders it again.
    stalled = list(
        await app.job_manager.get_stalled_jobs(
            queue=QUEUE_NAME, seconds_since_heartbeat=STALLED_AFTER_SECONDS
        )
    )
    for entry in stalled:
        job_id = int(entry.task_kwargs["job_id"])  # type: ignore[arg-type]
        with session_scope(engine) as s:
            s.exec(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.state) == "running")
                .values(state="queued", started_at=None)
            )
        await app.job_manager.retry_job(entry)
    return len(stalled)


def run_worker(
    engine: Engine,
    settings: Settings,
    *,
    burst: bool = False,
    concurrency: int = 1,
    install_signal_handlers: bool = True,
) -> None:
    """Run queued jobs until stopped by a signal (or, with ``burst``, until the queue is empty)."""
    ensure_queue_schema(settings.database_url)
    app = create_queue_app(engine, settings, max_connections=concurrency + 3)
    options: dict[str, Any] = {
        "queues": [QUEUE_NAME],
        "name": f"tandem-{socket.gethostname()}-{os.getpid()}",
        "concurrency": concurrency,
        "wait": not burst,
        "delete_jobs": "successful",  # the Job row keeps the record; the queue stays small
        "install_signal_handlers": install_signal_handlers,
        "listen_notify": not burst,
    }

    async def serve() -> None:
        async with app.open_async():
            recovered = await _recover_stalled(app, engine)
            if recovered:
                log.warning("re-queued %s jobs of a worker that stopped answering", recovered)
            await _defer_all(app, _queued_job_ids(engine))
            await _defer_background(app)
            await app.run_worker_async(**options)

    asyncio.run(serve())
