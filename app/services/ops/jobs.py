"""Background jobs: one interface, two backends.

``InProcessBackend`` (the embedded default) runs jobs on a thread of the web process and
renders in its worker-process pool. ``QueueBackend`` (PostgreSQL deployments) hands the job
id to a maintained job queue so that ``tandem worker`` processes, on this or other machines,
do the work. Either way the ``Job`` row is the truth: state, progress and files, so a page or
the CLI can watch a job that outlives the request that started it.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select, update

from app.core.config import Settings
from app.core.db import session_scope
from app.core.errors import DomainError, NotFound
from app.core.i18n import gettext as _
from app.models import Cohort, Job, utcnow

log = logging.getLogger("tandem.jobs")


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a finished job made: its files and a line for the page (what was left out, why)."""

    files: list[str]
    message: str = ""


JobHandler = Callable[[Session, Job, Settings, Callable[[int, int], None]], list[str] | JobOutcome]
"""Does a job's work: returns the names of the files it wrote under ``job_dir`` (and, in a
JobOutcome, a message saying what it left out)."""

_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that runs jobs of ``kind``."""

    def register(fn: JobHandler) -> JobHandler:
        _HANDLERS[kind] = fn
        return fn

    return register


BackgroundTask = Callable[[Engine, Settings], None]
"""Work without a Job row that runs whenever it is woken and on a timer (sending mail)."""

_TASKS: dict[str, BackgroundTask] = {}
_ACTIVE: list[InProcessBackend | Any] = []
"""The job backend of this process once it serves (a web process, a worker); none in a command."""


def background_task(name: str) -> Callable[[BackgroundTask], BackgroundTask]:
    """Register a background task: run when woken by ``kick_background_task`` and on a timer."""

    def register(fn: BackgroundTask) -> BackgroundTask:
        _TASKS[name] = fn
        return fn

    return register


def background_task_names() -> list[str]:
    return sorted(_TASKS)


def run_background_task(engine: Engine, settings: Settings, name: str) -> None:
    """Run one background task (never raises: it runs again on the next wake or tick)."""
    task = _TASKS.get(name)
    if task is None:
        return
    try:
        task(engine, settings)
    except Exception as exc:
        log.error(
            "background task %s failed: %s",
            name,
            type(exc).__name__,
            extra={"fields": {"trace": traceback.format_exc(limit=5)}},
        )


def activate_backend(backend: Any) -> None:
    """Make ``backend`` the one ``kick_background_task`` wakes (the last one activated wins)."""
    _ACTIVE[:] = [backend]


def deactivate_backend(backend: Any) -> None:
    if backend in _ACTIVE:
        _ACTIVE.remove(backend)


def kick_background_task(name: str) -> None:
    """Run background task ``name`` soon on this process's backend (no-op without one)."""
    for backend in list(_ACTIVE):
        backend.kick(name)


class JobBackend(Protocol):
    def submit(self, job_id: int) -> None: ...


def job_dir(settings: Settings, job_id: int) -> Path:
    """Where a job's files are written."""
    return settings.var_dir / "jobs" / str(job_id)


def create_job(
    session: Session, *, cohort: Cohort, kind: str, params: dict[str, Any], actor: str
) -> Job:
    """Record a queued job; the caller submits it to a backend after committing."""
    if kind not in _HANDLERS:
        raise NotFound(_("no job kind '%(kind)s'", kind=kind))
    assert cohort.id is not None
    job = Job(cohort_id=cohort.id, kind=kind, params=params, created_by=actor)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, cohort: Cohort, job_id: int) -> Job:
    """A job of this cohort (NotFound otherwise)."""
    job = session.get(Job, job_id)
    if job is None or job.cohort_id != cohort.id:
        raise NotFound(_("no such job"))
    return job


def list_jobs(session: Session, *, cohort: Cohort, limit: int = 10) -> list[Job]:
    """The cohort's most recent jobs."""
    return list(
        session.exec(
            select(Job).where(Job.cohort_id == cohort.id).order_by(col(Job.id).desc()).limit(limit)
        ).all()
    )


def job_file(settings: Settings, job: Job, name: str) -> Path:
    """A file a finished job wrote (NotFound for any other name: no path tricks)."""
    if job.state != "done" or name not in job.files or job.id is None:
        raise NotFound(_("no such file"))
    return job_dir(settings, job.id) / name


def _progress(engine: Engine, job_id: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        # Short transactions of their own: progress must be visible while the job runs.
        with session_scope(engine) as s:
            s.exec(update(Job).where(col(Job.id) == job_id).values(done=done, total=total))

    return report


def run_job(engine: Engine, settings: Settings, job_id: int) -> None:
    """Run one queued job to the end, recording its outcome (never raises)."""
    with session_scope(engine) as s:
        claimed = s.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.state) == "queued")
            .values(state="running", started_at=utcnow())
        ).rowcount
    if not claimed:
        return  # another worker took it, or it already ran
    try:
        # The handler reads in a transaction of its own and the outcome is written in another:
        # on SQLite a writer's lock held for the whole job would block its progress reports.
        with session_scope(engine, write=False) as s:
            job = s.get(Job, job_id)
            assert job is not None
            made = _HANDLERS[job.kind](s, job, settings, _progress(engine, job_id))
        outcome = made if isinstance(made, JobOutcome) else JobOutcome(made)
        with session_scope(engine) as s:
            s.exec(
                update(Job)
                .where(col(Job.id) == job_id)
                .values(
                    files=outcome.files,
                    message=outcome.message[:500],
                    state="done",
                    finished_at=utcnow(),
                )
            )
    except Exception as exc:  # a job must end in a state the page can show
        message = exc.message if isinstance(exc, DomainError) else "the job failed unexpectedly"
        if not isinstance(exc, DomainError):
            log.error(
                "job %s failed: %s",
                job_id,
                type(exc).__name__,
                extra={"fields": {"trace": traceback.format_exc(limit=5)}},
            )
        with session_scope(engine) as s:
            s.exec(
                update(Job)
                .where(col(Job.id) == job_id)
                .values(state="failed", message=message[:500], finished_at=utcnow())
            )


class InProcessBackend:
    """Runs jobs one at a time on a background thread of this process."""

    TICK_SECONDS = 30.0

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tandem-job")
        # Background tasks on a thread of their own: a mail must not wait for a long export.
        self._tasks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tandem-task")
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def submit(self, job_id: int) -> None:
        with self._lock:
            self._executor.submit(run_job, self.engine, self.settings, job_id)

    def kick(self, name: str) -> None:
        """Run background task ``name`` soon; a wake while one is waiting adds nothing."""
        with self._lock:
            if name in self._pending or self._stop.is_set():
                return
            self._pending.add(name)
            self._tasks.submit(self._run_task, name)

    def _run_task(self, name: str) -> None:
        with self._lock:
            self._pending.discard(name)
        run_background_task(self.engine, self.settings, name)

    def start_ticker(self, seconds: float | None = None) -> None:
        """Run every background task now and then every ``seconds`` until shutdown."""
        if self._ticker is not None:
            return
        interval = seconds or self.TICK_SECONDS

        def tick() -> None:
            while True:
                for name in background_task_names():
                    self.kick(name)
                if self._stop.wait(interval):
                    return

        self._ticker = threading.Thread(target=tick, name="tandem-ticker", daemon=True)
        self._ticker.start()

    def resume_interrupted(self) -> int:
        """Queue again the jobs a previous process left unfinished: a restart loses none."""
        with session_scope(self.engine) as s:
            ids = [
                j
                for j in s.exec(
                    select(Job.id).where(col(Job.state).in_(("queued", "running")))
                ).all()
                if j is not None
            ]
            if ids:
                s.exec(update(Job).where(col(Job.id).in_(ids)).values(state="queued"))
        for job_id in ids:
            self.submit(job_id)
        return len(ids)

    def shutdown(self) -> None:
        self._stop.set()
        deactivate_backend(self)
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        self._tasks.shutdown(wait=True, cancel_futures=False)
        self._executor.shutdown(wait=True, cancel_futures=False)
