"""Mail: 1,000 invitation-like mails (plain text + HTML, List-Unsubscribe, one per participant)
queued, then sent from the outbox through a local SMTP server (aiosmtpd in its own process).
Baseline: raw ``smtplib`` sending the same prebuilt messages over one connection, in the same
run, to the same server. Memory: the peak RSS of each sending process.

    uv run python -m bench.bench_mail [--quick] [--messages N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from bench._common import peak_rss_mb, ratio, report, timed

TARGET_RATIO = 0.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_rss_mb() -> float:
    """This process's own peak RSS: Linux keeps ru_maxrss across exec (it would report the
    parent's), so read the high-water mark of our own memory map where there is one."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def _serve(port: int) -> None:
    """The SMTP server: accepts and counts every message, keeps none (a child process)."""
    from aiosmtpd.controller import Controller

    class Count:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Count.received += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes our input
    controller.stop()


def _settings(db: Path, port: int) -> Any:
    from app.core.config import Settings

    return Settings(
        env="test",
        database_url=f"sqlite:///{db}",
        secret_key="m" * 48,
        var_dir=db.parent,
        base_url="https://tandem.example.org",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="Tandem <tandem@example.org>",
        _env_file=None,
    )


def _queue(db: Path, port: int, count: int) -> float:
    """Seed a cohort of ``count`` and queue one invitation-like mail each; returns seconds."""
    from sqlmodel import Session, SQLModel

    import app.models  # noqa: F401  (every table on the metadata)
    from app.core.db import create_db_engine
    from app.models import Participant, Person
    from app.services import cohorts, mail

    settings = _settings(db, port)
    mail.use_mail_settings(settings)
    engine = create_db_engine(settings.database_url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        cohort = cohorts.create_cohort(session, name="Bench", start_date=date(2027, 3, 1))
        assert cohort.id is not None
        people = []
        for n in range(count):
            person = Person(email=f"p{n}@example.com", name=f"Person {n}")
            session.add(person)
            session.flush()
            assert person.id is not None
            people.append(
                Participant(
                    cohort_id=cohort.id, person_id=person.id, name=person.name, email=person.email
                )
            )
        session.add_all(people)
        session.commit()

        def queue_all() -> None:
            for p in people:
                mail.queue_mail(
                    session,
                    to=p.email,
                    kind="invitation",
                    template="smtp_check",
                    language=("en", "de", "fr", "es")[(p.id or 0) % 4],
                    context={"name": p.name, "site_url": f"{settings.base_url}/join"},
                    dedupe_key=f"bench-invite-{p.id}",
                    participant_id=p.id,
                )
            session.commit()

        _none, seconds = timed(queue_all)
    engine.dispose()
    return seconds


def _raw(db: Path, port: int) -> dict[str, float]:
    """Baseline (a child process): the same stored messages through smtplib, one connection."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT to_address, payload FROM outbox_message ORDER BY id").fetchall()

    def send() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for to, payload in rows:
                smtp.sendmail("tandem@example.org", [to], payload)

    _none, seconds = timed(send)
    return {"seconds": seconds, "sent": len(rows), "rss_mb": _peak_rss_mb()}


def _outbox(db: Path, port: int) -> dict[str, float]:
    """Ours (a child process): claim, send over one connection, record each message."""
    from app.core.db import create_db_engine
    from app.services.mail import send_queued_mail

    settings = _settings(db, port)
    engine = create_db_engine(settings.database_url)
    result, seconds = timed(lambda: send_queued_mail(engine, settings))
    return {"seconds": seconds, "sent": result.sent, "rss_mb": _peak_rss_mb()}


def _child(role: str, db: Path, port: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_mail", f"--{role}", str(db), "--port", str(port)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--outbox", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve)
        return 0
    if args.raw or args.outbox:
        run = _raw if args.raw else _outbox
        print(json.dumps(run(args.raw or args.outbox, args.port)))
        return 0

    pairs = 3 if args.quick else 7
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_mail", "--serve", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    raws: list[dict[str, float]] = []
    ours: list[dict[str, float]] = []
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory(prefix="tandem-bench-mail-") as tmp:
            queued_db = Path(tmp) / "queued.db"
            queue_seconds = _queue(queued_db, port, args.messages)
            # Raw and outbox take turns on copies of the same outbox, so that a busy moment of
            # a shared machine hurts both alike; the best of each is reported.
            for n in range(pairs):
                db = Path(tmp) / f"run-{n}.db"
                shutil.copy(queued_db, db)
                raws.append(_child("raw", db, port))
                ours.append(_child("outbox", db, port))
                assert ours[-1]["sent"] == raws[-1]["sent"] == args.messages, (n, ours, raws)
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)

    raw_rate = max(f["sent"] / f["seconds"] for f in raws)
    our_rate = max(f["sent"] / f["seconds"] for f in ours)
    print(f"  {args.messages} invitation-like mails, {pairs} turns each, best of each")
    report("queue (render + store)", args.messages / queue_seconds, "msg/s")
    report("raw smtplib, one connection", raw_rate, "msg/s")
    report("outbox -> SMTP (claim, send, record)", our_rate, "msg/s")
    good = ratio(our_rate, raw_rate) >= TARGET_RATIO
    report("ratio outbox / raw", ratio(our_rate, raw_rate), "x", target=">= 0.5", ok=good)
    report("peak RSS, outbox sender", max(f["rss_mb"] for f in ours), "MiB")
    report("peak RSS, raw sender", max(f["rss_mb"] for f in raws), "MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
