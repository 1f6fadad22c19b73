"""Autosave under a full room: 200 tablets saving at a steady ~40 saves/s against the real
server (uvicorn on SQLite), open-loop; p50/p99 latency, and lost writes checked against a
ledger of acknowledged saves read back from the database. Baseline: raw SQLite writes of the
same rows in the same run.

    uv run python -m bench.bench_autosave [--quick] [--seconds N]

Even the quick version (``make bench``) saves for a full minute; the full version for three.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from sqlmodel import Session, SQLModel, select

import app.models  # noqa: F401  (every table on the metadata)
from app.core.db import create_db_engine
from app.core.security import csrf_token_for
from app.models import CohortExercise
from app.models.tablet import Answer, SaveReceipt
from app.services import cohorts
from bench._room import free_port, seat_tablets

TABLETS = int(os.environ.get("BENCH_TABLETS", "200"))
RATE = float(os.environ.get("BENCH_RATE", "40"))
SECRET = "b" * 48
TARGETS = [("arrival-check-in", None), ("career-lifeline", None), ("meet-your-buddy", None)]


@dataclass
class Ack:
    participant_id: int
    exercise: str
    prompt: str
    version: int
    value: str
    key: str


def _seed(db: Path) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    engine = create_db_engine(f"sqlite:///{db}")
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        cohort = cohorts.create_cohort(session, name="Bench", start_date=date(2027, 3, 1))
        tablets, prompts = seat_tablets(
            session, cohort, exercises={t for t, _ in TARGETS}, count=TABLETS, hours=2
        )
        session.commit()
    engine.dispose()
    return tablets, prompts


def _start_server(db: Path, var: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": f"sqlite:///{db}",
        "TANDEM_SECRET_KEY": SECRET,
        "TANDEM_VAR_DIR": str(var),
        "TANDEM_ENV": "test",
        "TANDEM_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = (var / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start:\n" + (var / "server.log").read_text()[-2000:])


async def _run(
    port: int, tablets: list[tuple[int, str]], prompts: list[tuple[str, str]], seconds: float
) -> tuple[list[float], list[Ack], int, int]:
    csrf_cookie = secrets.token_urlsafe(16)
    csrf = csrf_token_for(SECRET, csrf_cookie)
    versions: dict[tuple[int, str, str], int] = {}
    latencies: list[float] = []
    acks: list[Ack] = []
    errors = 0
    replays_ok = 0
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=30, limits=httpx.Limits(max_connections=100)
    ) as client:

        async def one(n: int, due: float) -> None:
            nonlocal errors, replays_ok
            pid, token = tablets[n % TABLETS]
            exercise, prompt = prompts[(n // TABLETS) % len(prompts)]
            slot = (pid, exercise, prompt)
            base = versions.get(slot, 0)
            value = f"tablet {pid} save {n}: " + "words " * 40
            key = f"bench-{n:06d}"
            headers = {
                "Cookie": f"tandem_session={token}; tandem_csrf={csrf_cookie}",
                "X-CSRF-Token": csrf,
                "Accept": "application/json",
            }
            body = {"value": value, "base_version": base, "idempotency_key": key}
            url = f"/p/api/answers/{exercise}/{prompt}"
            try:
                response = await client.put(url, headers=headers, json=body)
            except httpx.HTTPError:
                # Unacknowledged: a tablet would retry it from its queue; it is not in the ledger.
                errors += 1
                return
            latencies.append(time.perf_counter() - due)
            if response.status_code != 200:
                errors += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                return
            version = response.json()["version"]
            versions[slot] = max(versions.get(slot, 0), version)
            acks.append(Ack(pid, exercise, prompt, version, value, key))
            if n % 20 == 0:
                # A retry of an acknowledged save must return the stored result, unchanged.
                again = await client.put(url, headers=headers, json=body)
                replays_ok += again.status_code == 200 and again.json()["version"] == version

        start = time.perf_counter()
        tasks = []
        total = int(seconds * RATE)
        for n in range(total):
            due = start + n / RATE
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n, due)))
        await asyncio.gather(*tasks)
    if statuses:
        print(f"  refused by status: {statuses}")
    return latencies, acks, errors, replays_ok


def _lost_writes(db: Path, acks: list[Ack]) -> int:
    engine = create_db_engine(f"sqlite:///{db}")
    lost = 0
    with Session(engine) as session:
        names = {c.id: c.exercise_id for c in session.exec(select(CohortExercise))}
        rows = {
            (a.participant_id, names[a.cohort_exercise_id], a.prompt_id): a
            for a in session.exec(select(Answer))
        }
        receipts = {
            (r.participant_id, r.idempotency_key): r.version
            for r in session.exec(select(SaveReceipt))
        }
        latest: dict[tuple[int, str, str], Ack] = {}
        for ack in acks:
            slot = (ack.participant_id, ack.exercise, ack.prompt)
            if slot not in latest or ack.version > latest[slot].version:
                latest[slot] = ack
            if receipts.get((ack.participant_id, ack.key)) != ack.version:
                lost += 1
        for slot, ack in latest.items():
            row = rows.get(slot)
            if row is None or row.version != ack.version or row.value != ack.value:
                lost += 1
    engine.dispose()
    return lost


def _baseline(db: Path, count: int) -> list[float]:
    """Raw SQLite: the same UPDATE + receipt INSERT per save, one transaction each."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    ids = [r[0] for r in conn.execute("SELECT id FROM answer")]
    latencies = []
    for n in range(count):
        answer_id = ids[n % len(ids)]
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE answer SET value = ?, version = version + 1 WHERE id = ?",
            (json.dumps(f"raw {n} " + "words " * 40), answer_id),
        )
        conn.execute(
            "INSERT INTO save_receipt (participant_id, idempotency_key, answer_id, "
            "version, result, created_at) SELECT participant_id, ?, id, version, '{}', "
            "CURRENT_TIMESTAMP FROM answer WHERE id = ?",
            (f"raw-{n}", answer_id),
        )
        conn.execute("COMMIT")
        latencies.append(time.perf_counter() - started)
    conn.close()
    return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 s instead of 180 s")
    parser.add_argument("--seconds", type=float, help="how long the tablets keep saving")
    args = parser.parse_args()
    seconds = args.seconds or (60.0 if args.quick else 180.0)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        tablets, prompts = _seed(db)
        port = free_port()
        server = _start_server(db, Path(folder), port)
        try:
            latencies, acks, errors, replays = asyncio.run(_run(port, tablets, prompts, seconds))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        lost = _lost_writes(db, acks)
        raw = _baseline(db, len(acks))
    p50, p99 = _pct(latencies, 0.5), _pct(latencies, 0.99)
    r50, r99 = _pct(raw, 0.5), _pct(raw, 0.99)
    print(
        f"autosave: {TABLETS} tablets, {len(latencies)} saves in {seconds:.0f} s "
        f"({len(latencies) / seconds:.1f}/s open-loop), {errors} refused, "
        f"{replays} retries replayed"
    )
    print(
        f"  server   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   mean "
        f"{statistics.mean(latencies) * 1000:.2f} ms"
    )
    print(f"  raw SQL  p50 {r50:7.2f} ms   p99 {r99:7.2f} ms")
    print(f"  ratio    p50 {p50 / r50:7.1f} x    p99 {p99 / r99:7.1f} x")
    print(f"  lost writes: {lost} (of {len(acks)} acknowledged)")
    if lost or errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
