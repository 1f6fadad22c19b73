"""Mail goes out through the job backend: woken when the queueing transaction commits (in the
web process), or by ``tandem worker`` on the PostgreSQL queue."""

from __future__ import annotations

import email
import time
from email.policy import default
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import writer
from app.services import mail
from app.services.ops import activate_backend
from app.services.ops.jobs import deactivate_backend
from app.services.ops.queue_backend import (
    QueueBackend,
    ensure_queue_schema,
    queue_conninfo,
    run_worker,
)
from tests.smtp_server import smtp_server

CONTEXT = {"name": "Ana", "site_url": "http://testserver"}


def _queue(session: Session, key: str = "w1") -> None:
    mail.queue_mail(
        session,
        to="ana@example.com",
        kind="invitation",
        template="smtp_check",
        language="fr",
        context=CONTEXT,
        dedupe_key=key,
    )


def _wait_for(folder: Path, timeout: float = 10.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml"))
        if found:
            return found
        time.sleep(0.05)
    return []


def test_the_web_process_sends_a_mail_once_its_transaction_commits(
    web_app: FastAPI, settings: Settings
) -> None:
    with TestClient(web_app):  # the lifespan starts the backend
        with Session(writer(web_app.state.engine)) as session:
            _queue(session)
            assert list(settings.mail_folder.glob("*.eml")) == []  # nothing before the commit
            session.commit()
        [written] = _wait_for(settings.mail_folder)

    message = email.message_from_bytes(written.read_bytes(), policy=default)
    assert message["To"] == "ana@example.com"
    assert written.name == "00000001.eml"


def test_a_rolled_back_mail_is_never_sent(web_app: FastAPI, settings: Settings) -> None:
    with TestClient(web_app):
        with Session(writer(web_app.state.engine)) as session:
            _queue(session)
            session.rollback()
        time.sleep(0.3)
    assert list(settings.mail_folder.glob("*.eml")) == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_worker_on_the_postgresql_queue_sends_the_mail(
    engine: Engine, settings: Settings
) -> None:
    ensure_queue_schema(settings.database_url)
    with psycopg.connect(
        queue_conninfo(settings.database_url), options="-c search_path=procrastinate"
    ) as conn:
        conn.execute("DELETE FROM procrastinate_jobs")
    queued = settings.model_copy(update={"job_backend": "queue"})
    backend = QueueBackend(engine, queued)
    activate_backend(backend)
    try:
        with Session(engine) as session:
            _queue(session)
            session.commit()  # wakes the sender: a task on the queue
    finally:
        deactivate_backend(backend)
        backend.shutdown()
    with smtp_server() as server:
        run_worker(engine, server.settings_for(queued), burst=True, install_signal_handlers=False)

    assert [m["To"] for m in server.recorder.messages] == ["ana@example.com"]
