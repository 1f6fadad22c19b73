"""Who sends the outbox, and when: the job backend's background task ``mail.send``.

Queueing a mail wakes the sender once the queueing transaction commits; the backend also
runs the task on a timer (in process) or once a minute (the PostgreSQL queue's periodic
task), which is what sends retries when they fall due and a whole outbox once a mail server
that was down answers again. A process without a backend (a command) leaves mail queued for
the web process, ``tandem worker`` or ``tandem mail send``.
"""

from __future__ import annotations

from sqlalchemy import Engine

from app.core.config import Settings
from app.services.mail.sender import send_queued_mail
from app.services.ops import background_task, kick_background_task

MAIL_TASK = "mail.send"


@background_task(MAIL_TASK)
def _send_mail_task(engine: Engine, settings: Settings) -> None:
    send_queued_mail(engine, settings)


def wake_sender() -> None:
    """Ask this process's job backend to send the outbox soon (no-op without one)."""
    kick_background_task(MAIL_TASK)
