"""Operations: the audit trail (ids and actions, never content), background jobs and tasks in
process or on the PostgreSQL queue, and online backups.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.ops.audit import record_event
from app.services.ops.backup import backup_database, restore_database
from app.services.ops.jobs import (
    InProcessBackend,
    JobOutcome,
    activate_backend,
    background_task,
    create_job,
    get_job,
    job_dir,
    job_file,
    job_handler,
    kick_background_task,
    list_jobs,
    run_background_task,
)
from app.services.ops.queue_backend import (
    QueueBackend,
    ensure_queue_schema,
    make_backend,
    require_queue_database,
    run_worker,
)

__all__ = [
    "InProcessBackend",
    "JobOutcome",
    "QueueBackend",
    "activate_backend",
    "background_task",
    "backup_database",
    "create_job",
    "ensure_queue_schema",
    "get_job",
    "job_dir",
    "job_file",
    "job_handler",
    "kick_background_task",
    "list_jobs",
    "make_backend",
    "record_event",
    "require_queue_database",
    "restore_database",
    "run_background_task",
    "run_worker",
]
