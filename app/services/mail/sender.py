"""Sending the outbox: claim a batch with a lease, send over one connection, record each.

Once, even when a worker dies. Every message moves queued -> sending under a lease
(``lease_until``). Just before its bytes go to the server, ``handed_over_at`` is committed;
right after the server's answer, the outcome is committed together with the next message's
hand-over (one commit per message). A worker that dies leaves its claimed rows in
``sending``; when their lease runs out, the next run looks at each:

- not handed over: the server never saw it, so it goes back to the queue and is sent once;
- handed over: the server may have accepted it in the moment before the worker died, so it
  is *not* sent again: it is marked failed ("interrupted"), which the cohort's mail page
  shows.

So delivery is at-least-once up to the hand-over and at-most-once after it; the window of
doubt is one SMTP DATA exchange of one message per dead worker. Retries of a message the
server did not accept (4xx, a dropped connection, a server that is down) reuse the stored
bytes, Message-ID included, so even a duplicate a server produced on its own side would be
recognisable as the same message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select, update

from app.core.config import Settings
from app.core.db import session_scope, writer
from app.models import MailBounce, OutboxMessage, utcnow
from app.services.mail.transport import Delivery, Transport, make_transport

log = logging.getLogger("tandem.mail")

BATCH = 50
GIVE_UP_AFTER = timedelta(hours=72)
"""A message the server would not take for this long is given up (failed)."""
INTERRUPTED = "interrupted during delivery; not sent again so that it never arrives twice"


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 1, 2, 4, 8 minutes ... at most 15."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 900))


def lease_for(settings: Settings, count: int) -> timedelta:
    """Long enough for ``count`` messages that each take the whole timeout, and a minute."""
    return timedelta(seconds=60 + 2 * settings.smtp_timeout * count)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    bounced: int = 0
    failed: int = 0
    recovered: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.bounced + self.failed


def recover_expired(engine: Engine, *, now: datetime) -> int:
    """Release the claims of workers that died (see the module's docstring)."""
    expired = (col(OutboxMessage.state) == "sending", col(OutboxMessage.lease_until) < now)
    with session_scope(engine) as s:
        requeued = s.exec(
            update(OutboxMessage)
            .where(*expired, col(OutboxMessage.handed_over_at).is_(None))
            .values(state="queued", lease_until=None, next_attempt_at=now)
        ).rowcount
        doubtful = s.exec(
            update(OutboxMessage)
            .where(*expired, col(OutboxMessage.handed_over_at).is_not(None))
            .values(state="failed", lease_until=None, payload=None, last_error=INTERRUPTED)
        ).rowcount
    return int(requeued) + int(doubtful)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message taken under a lease: what sending and recording it needs."""

    id: int
    to: str
    payload: bytes
    attempts: int
    created_at: datetime


_OUTBOX: Any = OutboxMessage.__table__  # type: ignore[attr-defined]


def claim_batch(
    engine: Engine, settings: Settings, *, now: datetime, limit: int = BATCH
) -> list[Claimed]:
    """Take up to ``limit`` due messages under a lease (each attempt counted now)."""
    with session_scope(engine) as s:
        c = _OUTBOX.c
        query = (
            sa_select(c.id, c.to_address, c.payload, c.attempts, c.created_at)
            .where(c.state == "queued", c.next_attempt_at <= now)
            .order_by(c.next_attempt_at, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL: workers share the queue
        )
        rows = [
            Claimed(i, to, p, attempts + 1, created)
            for i, to, p, attempts, created in s.execute(query).all()
            if p
        ]
        if rows:
            s.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_([r.id for r in rows]))
                .values(
                    state="sending",
                    lease_until=now + lease_for(settings, len(rows)),
                    attempts=OutboxMessage.attempts + 1,
                )
            )
    return rows


def _by_id(**values: Any) -> Any:
    return update(_OUTBOX).where(_OUTBOX.c.id == bindparam("oid")).values(**values)


# Built once with bound parameters: a statement made afresh per message costs SQLAlchemy
# several times what SQLite spends on it (this runs once per message sent).
_SENT = _by_id(
    state="sent", sent_at=bindparam("now"), payload=None, lease_until=None, last_error=""
)
_RETRY = _by_id(
    state="queued",
    handed_over_at=None,
    next_attempt_at=bindparam("next"),
    lease_until=None,
    last_error=bindparam("error"),
)
_FINAL = _by_id(
    state=bindparam("state"), payload=None, lease_until=None, last_error=bindparam("error")
)
_HAND_OVER = _by_id(handed_over_at=bindparam("now"))


def _outcome(delivery: Delivery, *, now: datetime, claimed: Claimed) -> tuple[Any, dict[str, Any]]:
    """The statement that records ``delivery`` and its parameters."""
    error = delivery.error[:300]
    if delivery.outcome == "sent":
        return _SENT, {"oid": claimed.id, "now": now}
    if delivery.outcome == "retry" and now - claimed.created_at < GIVE_UP_AFTER:
        return _RETRY, {"oid": claimed.id, "next": now + backoff(claimed.attempts), "error": error}
    state = "failed" if delivery.outcome == "retry" else delivery.outcome
    return _FINAL, {"oid": claimed.id, "state": state, "error": error}


def _record(
    conn: Connection, claimed: Claimed, delivery: Delivery, *, now: datetime, hand_over: int
) -> None:
    """One short transaction: this message's outcome, and the next one's hand-over."""
    with conn.begin():
        conn.execute(*_outcome(delivery, now=now, claimed=claimed))
        if delivery.outcome == "bounced":
            address = claimed.to.lower()
            known = conn.execute(
                select(MailBounce.address).where(col(MailBounce.address) == address)
            ).first()
            if known is None:
                conn.execute(
                    insert(MailBounce).values(address=address, code=delivery.code, bounced_at=now)
                )
        if hand_over:
            _hand_over(conn, hand_over, now)


def _hand_over(conn: Connection, outbox_id: int, now: datetime) -> None:
    conn.execute(_HAND_OVER, {"oid": outbox_id, "now": now})


def _release(engine: Engine, ids: list[int], *, now: datetime, wait: timedelta) -> None:
    """Put claimed messages back unsent (the server went away): no attempt is counted."""
    if not ids:
        return
    with session_scope(engine) as s:
        s.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.state) == "sending")
            .values(
                state="queued",
                lease_until=None,
                handed_over_at=None,
                next_attempt_at=now + wait,
                attempts=OutboxMessage.attempts - 1,
            )
        )


def _send_batch(
    engine: Engine,
    transport: Transport,
    batch: list[Claimed],
    *,
    sender: str,
    now: datetime,
    report: SendReport,
) -> bool:
    """Send one claimed batch; False when the server went away (the rest was released)."""
    with engine.connect() as conn:  # a writer engine: BEGIN IMMEDIATE on SQLite
        with conn.begin():
            _hand_over(conn, batch[0].id, now)
        for index, claimed in enumerate(batch):
            delivery = transport.send(
                outbox_id=claimed.id, sender=sender, to=claimed.to, payload=claimed.payload
            )
            lost = delivery.connection_lost
            following = batch[index + 1].id if index + 1 < len(batch) and not lost else 0
            _record(conn, claimed, delivery, now=now, hand_over=following)
            _count(report, delivery)
            if lost:
                break
    if lost:
        _release(engine, [c.id for c in batch[index + 1 :]], now=now, wait=backoff(1))
        return False
    return True


def _count(report: SendReport, delivery: Delivery) -> None:
    if delivery.outcome == "sent":
        report.sent += 1
    elif delivery.outcome == "retry":
        report.retried += 1
        report.errors.append(delivery.error)
    elif delivery.outcome == "bounced":
        report.bounced += 1
    else:
        report.failed += 1
        report.errors.append(delivery.error)


def send_queued_mail(
    engine: Engine,
    settings: Settings,
    *,
    transport: Transport | None = None,
    now: datetime | None = None,
    batch: int = BATCH,
) -> SendReport:
    """Send every message that is due, over one connection; returns what happened."""
    now = now or utcnow()
    if not count_waiting(engine):
        return SendReport()  # the usual tick: one read, and no write lock taken
    report = SendReport(recovered=recover_expired(engine, now=now))
    engine = writer(engine)  # once: every transaction below writes
    own = transport is None
    transport = transport or make_transport(settings)
    sender = parseaddr(settings.smtp_from)[1]
    try:
        while claimed := claim_batch(engine, settings, now=now, limit=batch):
            if not _send_batch(engine, transport, claimed, sender=sender, now=now, report=report):
                break
    finally:
        if own:
            transport.close()
    report.waiting = count_waiting(engine)
    if report.handled:
        log.info(
            "mail: %s sent, %s to retry, %s bounced, %s failed",
            report.sent,
            report.retried,
            report.bounced,
            report.failed,
        )
    return report


def count_waiting(engine: Engine) -> int:
    """Messages queued or being sent."""
    from sqlalchemy import func

    with session_scope(engine, write=False) as s:
        return int(
            s.exec(
                select(func.count()).where(
                    or_(col(OutboxMessage.state) == "queued", col(OutboxMessage.state) == "sending")
                )
            ).one()
        )
