"""Load and fault harness: tablets autosaving against the real server, open-loop, with a ledger
of every acknowledged save checked against the database afterwards.

    uv run python -m bench.bench_load [--quick] [SCENARIO ...]

Scenarios: nominal (200 tablets, changed-only autosave every 5 s plus page loads), stress
(400 tablets saving every 3 s), export (nominal plus a whole-cohort workbook export), crash
(the server is killed at random moments and restarted, 20 times), locked (another connection
holds an exclusive lock for 10 s), login-flood (saves alone, then while 80 anonymous sign-ins
with random e-mails arrive every second: the saves' p99 is printed as a ratio of the first),
pg-nominal and pg-crash (PostgreSQL, two worker processes; need TANDEM_BENCH_PG_URL or
TANDEM_TEST_DATABASE_URL). Each prints p50/p99
latency, responses by status and lost acknowledged writes, which must be 0; a 500 fails the
scenario: overload must show as 503 with Retry-After, or 409.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

import app.models  # noqa: F401  (every table on the metadata)
from app.core.db import create_db_engine
from app.core.security import csrf_token_for
from app.models import CohortExercise, Job
from app.models.tablet import Answer, SaveReceipt
from app.services import accounts, cohorts
from bench._room import free_port, seat_tablets

SECRET = "l" * 48
EXERCISES = ("arrival-check-in", "career-lifeline", "meet-your-buddy")


@dataclass
class World:
    url: str
    slug: str
    tablets: list[tuple[int, str]]
    prompts: list[tuple[str, str]]
    facilitator_token: str


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    unreachable: int = 0
    acks: dict[tuple[int, str, str], tuple[int, str]] = field(default_factory=dict)
    """Latest acknowledged (version, value) per tablet and prompt."""
    retry_after_missing: int = 0
    receipts: set[tuple[int, str]] = field(default_factory=set)
    """Every acknowledged save as (tablet, idempotency key): the ledger."""
    save_latencies: list[float] = field(default_factory=list)
    save_statuses: Counter[int] = field(default_factory=Counter)


def _seed(url: str, tablets: int) -> World:
    engine = create_db_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
            )
        )
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.create_facilitator(
            session,
            email="bench@example.com",
            name="Bench",
            password="bench-password-123",  # noqa: S106  (a scratch database)
            admin=True,
        )
        cohort = cohorts.create_cohort(
            session, name="Load", start_date=date(2027, 3, 1), actor=user
        )
        people, prompts = seat_tablets(session, cohort, exercises=EXERCISES, count=tablets, hours=4)
        token = accounts.start_session(session, hours=4, facilitator_id=user.id).token
        session.commit()
    engine.dispose()
    return World(url, cohort.slug, people, prompts, token)


class Server:
    """The real app under uvicorn in a child process, restartable."""

    def __init__(self, url: str, var: Path, *, workers: int = 1) -> None:
        self.url, self.var, self.workers = url, var, workers
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        env = {
            **os.environ,
            "TANDEM_DATABASE_URL": self.url,
            "TANDEM_SECRET_KEY": SECRET,
            "TANDEM_VAR_DIR": str(self.var),
            "TANDEM_ENV": "test",
            "TANDEM_BASE_URL": self.base,
            "TANDEM_LOG_LEVEL": os.environ.get("BENCH_SERVER_LOG_LEVEL", "WARNING"),
        }
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.var / "server.log").open("ab"),
            start_new_session=True,
        )
        while time.perf_counter() - started < 120:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit(
            "the server did not start:\n" + (self.var / "server.log").read_text()[-2000:]
        )

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.proc = None


async def _load(
    server: Server,
    world: World,
    tally: Tally,
    *,
    seconds: float,
    save_every: float,
    page_every: float,
    versions: dict[tuple[int, str, str], int] | None = None,
) -> None:
    """Open-loop: each tablet's requests are due on a fixed schedule, whatever the replies.
    ``versions`` carries the answers' versions over from an earlier load on the same world."""
    cookie = secrets.token_urlsafe(16)
    csrf = csrf_token_for(SECRET, cookie)
    versions = {} if versions is None else versions
    counters: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def save(pid: int, token: str, due: float) -> None:
            n = counters[pid] = counters[pid] + 1
            exercise, prompt = world.prompts[n % len(world.prompts)]
            slot = (pid, exercise, prompt)
            value = f"tablet {pid} edit {n}: " + "a thought worth keeping " * 12
            body = {
                "value": value,
                "base_version": versions.get(slot, 0),
                "idempotency_key": f"s-{pid}-{n}-{secrets.token_hex(4)}",
            }
            headers = {
                "Cookie": f"tandem_session={token}; tandem_csrf={cookie}",
                "X-CSRF-Token": csrf,
                "Accept": "application/json",
            }
            try:
                r = await client.put(
                    f"{server.base}/p/api/answers/{exercise}/{prompt}", headers=headers, json=body
                )
            except httpx.HTTPError:
                tally.unreachable += 1  # not acknowledged: the tablet keeps it queued
                return
            tally.latencies.append(time.perf_counter() - due)
            tally.statuses[r.status_code] += 1
            tally.save_latencies.append(time.perf_counter() - due)
            tally.save_statuses[r.status_code] += 1
            if r.status_code == 503 and "retry-after" not in r.headers:
                tally.retry_after_missing += 1
            if r.status_code == 409:
                versions[slot] = int(r.json().get("server", {}).get("version", 0))
            if r.status_code == 200:
                tally.receipts.add((pid, str(body["idempotency_key"])))
                version = int(r.json()["version"])
                versions[slot] = version
                previous = tally.acks.get(slot)
                if previous is None or previous[0] < version:
                    tally.acks[slot] = (version, value)

        async def page(token: str, due: float) -> None:
            try:
                r = await client.get(
                    f"{server.base}/p",
                    headers={"Cookie": f"tandem_session={token}; tandem_csrf={cookie}"},
                )
            except httpx.HTTPError:
                tally.unreachable += 1
                return
            tally.latencies.append(time.perf_counter() - due)
            tally.statuses[r.status_code] += 1

        schedule: list[tuple[float, bool, int, str]] = []
        rng = random.Random(7)
        for pid, token in world.tablets:
            offset = rng.uniform(0, save_every)
            t = offset
            while t < seconds:
                schedule.append((t, True, pid, token))
                t += save_every
            t = rng.uniform(0, page_every)
            while t < seconds:
                schedule.append((t, False, pid, token))
                t += page_every
        schedule.sort()
        start = time.perf_counter()
        tasks = []
        for at, is_save, pid, token in schedule:
            due = start + at
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(
                asyncio.create_task(save(pid, token, due) if is_save else page(token, due))
            )
        await asyncio.gather(*tasks)


def _lost(url: str, tally: Tally) -> int:
    """Acknowledged saves the database does not hold (a newer version may replace one)."""
    engine = create_db_engine(url)
    lost = 0
    with Session(engine) as session:
        names = {c.id: c.exercise_id for c in session.exec(select(CohortExercise))}
        rows = {
            (a.participant_id, names[a.cohort_exercise_id], a.prompt_id): a
            for a in session.exec(select(Answer))
        }
        for slot, (version, value) in tally.acks.items():
            row = rows.get(slot)
            if (
                row is None
                or row.version < version
                or (row.version == version and row.value != value)
            ):
                lost += 1
        stored = set(
            session.exec(select(SaveReceipt.participant_id, SaveReceipt.idempotency_key)).all()
        )
    engine.dispose()
    return lost + len(tally.receipts - stored)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def _report(name: str, tally: Tally, lost: int, extra: str = "") -> bool:
    ok = lost == 0 and tally.statuses[500] == 0 and tally.retry_after_missing == 0
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
    print(
        f"{name:<11} p50 {_pct(tally.latencies, 0.5):7.1f} ms  "
        f"p99 {_pct(tally.latencies, 0.99):8.1f} ms  "
        f"[{statuses}; unreachable: {tally.unreachable}]  lost acknowledged writes: "
        f"{lost}{'  ' + extra if extra else ''}  {'ok' if ok else 'FAILED'}",
        flush=True,
    )
    return ok


def _run_plain(
    url: str, var: Path, *, tablets: int, seconds: float, save_every: float, workers: int = 1
) -> tuple[Tally, int]:
    world = _seed(url, tablets)
    server = Server(url, var, workers=workers)
    server.start()
    tally = Tally()
    try:
        asyncio.run(
            _load(server, world, tally, seconds=seconds, save_every=save_every, page_every=30.0)
        )
    finally:
        server.stop()
    return tally, _lost(url, tally)


def scenario_export(url: str, var: Path, *, tablets: int, seconds: float) -> bool:
    world = _seed(url, tablets)
    server = Server(url, var)
    server.start()
    tally = Tally()
    cookie = secrets.token_urlsafe(16)
    started = time.perf_counter()
    response = httpx.post(
        f"{server.base}/cohorts/{world.slug}/workbooks",
        data={"edition": "blank", "paper": "A4", "csrf_token": csrf_token_for(SECRET, cookie)},
        cookies={"tandem_session": world.facilitator_token, "tandem_csrf": cookie},
        timeout=30,
    )
    assert response.status_code == 303, response.text[:300]
    try:
        asyncio.run(_load(server, world, tally, seconds=seconds, save_every=5.0, page_every=30.0))
        engine = create_db_engine(url)
        state = "running"
        while state in ("queued", "running") and time.perf_counter() - started < 1800:
            with Session(engine) as s:
                job = s.exec(select(Job)).first()
                state = job.state if job else "missing"
            time.sleep(1)
        engine.dispose()
    finally:
        server.stop()
    took = time.perf_counter() - started
    return (
        _report(
            "export",
            tally,
            _lost(url, tally),
            f"export of {tablets} workbooks: {state} in {took:.0f} s",
        )
        and state == "done"
    )


def scenario_crash(
    url: str, var: Path, *, tablets: int, crashes: int, workers: int = 1, name: str = "crash"
) -> bool:
    world = _seed(url, tablets)
    server = Server(url, var, workers=workers)
    server.start()
    tally = Tally()
    restarts: list[float] = []
    rng = random.Random(11)
    done = threading.Event()

    def killer() -> None:
        for _ in range(crashes):
            if done.wait(rng.uniform(1.5, 4.0)):
                return
            server.kill()
            restarts.append(server.start())

    thread = threading.Thread(target=killer)
    thread.start()
    seconds = crashes * 6.0 + 5
    try:
        asyncio.run(_load(server, world, tally, seconds=seconds, save_every=5.0, page_every=30.0))
    finally:
        done.set()
        thread.join()
        server.stop()
    mean = sum(restarts) / len(restarts) if restarts else 0.0
    return _report(
        name, tally, _lost(url, tally), f"{len(restarts)} kills, restart {mean:.1f} s on average"
    )


def scenario_locked(url: str, var: Path, *, tablets: int) -> bool:
    world = _seed(url, tablets)
    server = Server(url, var)
    server.start()
    tally = Tally()
    path = url.removeprefix("sqlite:///")

    def hold_lock() -> None:
        time.sleep(3)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(10)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        asyncio.run(_load(server, world, tally, seconds=20, save_every=5.0, page_every=30.0))
    finally:
        holder.join()
        server.stop()
    return _report("locked", tally, _lost(url, tally), "10 s exclusive lock")


@dataclass
class FloodResult:
    """Saves measured alone, then while anonymous sign-ins flood the server, in one run."""

    nominal: Tally
    flooded: Tally
    logins: Counter[int]
    lost: int

    @property
    def ratio(self) -> float:
        """The saves' p99 during the flood against their p99 without it."""
        return _pct(self.flooded.save_latencies, 0.99) / max(
            _pct(self.nominal.save_latencies, 0.99), 1e-3
        )

    @property
    def ok(self) -> bool:
        """No 500 and no lost save, and the flood sheds no more saves than the same machine
        shed without it (one point of slack: a loaded machine sheds a few either way)."""
        no_500 = self.nominal.statuses[500] + self.flooded.statuses[500] + self.logins[500] == 0
        return (
            no_500
            and self.lost == 0
            and _shed(self.flooded.save_statuses) <= _shed(self.nominal.save_statuses) + 0.01
        )


def _shed(statuses: Counter[int]) -> float:
    """The share of requests answered 503 (or not at all)."""
    total = sum(statuses.values())
    return statuses[503] / total if total else 0.0


async def _login_flood(base: str, *, seconds: float, burst: int) -> Counter[int]:
    """Every second, ``burst`` sign-ins at once with random e-mails and wrong passwords;
    returns their statuses (0: no answer)."""
    logins: Counter[int] = Counter()
    cookie = secrets.token_urlsafe(16)
    form = {"password": "not-the-password", "csrf_token": csrf_token_for(SECRET, cookie)}
    limits = httpx.Limits(max_connections=burst, max_keepalive_connections=burst)
    async with httpx.AsyncClient(
        timeout=30, limits=limits, cookies={"tandem_csrf": cookie}
    ) as client:

        async def one() -> None:
            email = f"{secrets.token_hex(6)}@flood.example"
            try:
                r = await client.post(f"{base}/login", data={**form, "email": email})
            except httpx.HTTPError:
                logins[0] += 1
                return
            logins[r.status_code] += 1

        started = time.perf_counter()
        waves = []
        while time.perf_counter() - started < seconds:
            waves.append(asyncio.gather(*(one() for _ in range(burst))))
            await asyncio.sleep(1.0)
        await asyncio.gather(*waves)
    return logins


def _flood_process(base: str, seconds: float, burst: int, out: Connection) -> None:
    out.send(dict(asyncio.run(_login_flood(base, seconds=seconds, burst=burst))))
    out.close()


def scenario_login_flood(
    url: str, var: Path, *, tablets: int, seconds: float, burst: int = 80
) -> FloodResult:
    """Tablets save for ``seconds`` alone, then as long again while ``burst`` anonymous
    sign-ins arrive every second (same server, same run, so the ratio is fair). The flood
    comes from a process of its own: sharing the tablets' event loop, its requests would
    delay theirs and be counted as the server's latency."""
    world = _seed(url, tablets)
    server = Server(url, var)
    server.start()
    nominal, flooded = Tally(), Tally()
    versions: dict[tuple[int, str, str], int] = {}

    def load(tally: Tally) -> None:
        asyncio.run(
            _load(
                server,
                world,
                tally,
                seconds=seconds,
                save_every=5.0,
                page_every=30.0,
                versions=versions,
            )
        )

    receive, send = get_context("spawn").Pipe(duplex=False)
    flood = get_context("spawn").Process(
        target=_flood_process, args=(server.base, seconds, burst, send)
    )
    try:
        load(nominal)
        flood.start()
        load(flooded)
        if not receive.poll(seconds + 120):
            raise SystemExit("the sign-in flood process did not report back")
        logins = Counter[int](receive.recv())
        flood.join()
    finally:
        if flood.is_alive():
            flood.kill()
        server.stop()
    everything = Tally(
        receipts=nominal.receipts | flooded.receipts, acks={**nominal.acks, **flooded.acks}
    )
    return FloodResult(nominal, flooded, logins, _lost(url, everything))


def _report_flood(result: FloodResult) -> bool:
    def listed(statuses: Counter[int]) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))

    print(
        f"{'login-flood':<11} saves p99 {_pct(result.nominal.save_latencies, 0.99):7.1f} ms "
        f"alone [{listed(result.nominal.save_statuses)}], "
        f"{_pct(result.flooded.save_latencies, 0.99):7.1f} ms during the flood "
        f"[{listed(result.flooded.save_statuses)}] (ratio {result.ratio:.2f})  "
        f"sign-ins [{listed(result.logins)}]  "
        f"lost acknowledged writes: {result.lost}  {'ok' if result.ok else 'FAILED'}",
        flush=True,
    )
    return result.ok


def _pg_url() -> str | None:
    return os.environ.get("TANDEM_BENCH_PG_URL") or os.environ.get("TANDEM_TEST_DATABASE_URL")


def _ensure_database(url: str) -> str | None:
    """Create the scratch PostgreSQL database when it does not exist yet; return why it cannot
    be used, or None."""
    target = make_url(url)
    try:
        engine = create_engine(
            target.set(database="postgres"), isolation_level="AUTOCOMMIT", pool_pre_ping=True
        )
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        engine.dispose()
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return f"cannot use {target.render_as_string(hide_password=True)}: {reason}"
    return None


def main() -> None:
    names = (
        "nominal",
        "stress",
        "export",
        "crash",
        "locked",
        "login-flood",
        "pg-nominal",
        "pg-crash",
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short versions")
    parser.add_argument("scenarios", nargs="*", help=f"some of: {', '.join(names)}")
    parser.add_argument("--workdir", type=Path, help="keep databases and server logs here")
    args = parser.parse_args()
    chosen = args.scenarios or list(names)
    q = args.quick
    results = []
    with tempfile.TemporaryDirectory() as folder:
        var = args.workdir or Path(folder)
        var.mkdir(parents=True, exist_ok=True)
        lite = f"sqlite:///{var / 'load.db'}"
        for name in chosen:
            if name == "nominal":
                tally, lost = _run_plain(
                    lite, var, tablets=200, seconds=20 if q else 600, save_every=5.0
                )
                results.append(_report(name, tally, lost))
            elif name == "stress":
                tally, lost = _run_plain(
                    lite, var, tablets=400, seconds=15 if q else 120, save_every=3.0
                )
                results.append(_report(name, tally, lost))
            elif name == "export":
                results.append(
                    scenario_export(lite, var, tablets=30 if q else 200, seconds=20 if q else 120)
                )
            elif name == "crash":
                results.append(scenario_crash(lite, var, tablets=200, crashes=3 if q else 20))
            elif name == "locked":
                results.append(scenario_locked(lite, var, tablets=200))
            elif name == "login-flood":
                flood = scenario_login_flood(lite, var, tablets=200, seconds=15 if q else 60)
                results.append(_report_flood(flood))
            elif name.startswith("pg-"):
                pg = _pg_url()
                if pg is None:
                    print(
                        f"{name:<11} skipped: set TANDEM_BENCH_PG_URL to a scratch PostgreSQL "
                        "database (it is emptied)"
                    )
                    continue
                problem = _ensure_database(pg)
                if problem is not None:
                    print(f"{name:<11} failed: {problem}")
                    results.append(False)
                    continue
                if name == "pg-nominal":
                    tally, lost = _run_plain(
                        pg, var, tablets=200, seconds=20 if q else 600, save_every=5.0, workers=2
                    )
                    results.append(_report(name, tally, lost, "2 workers"))
                else:
                    results.append(
                        scenario_crash(
                            pg, var, tablets=200, crashes=3 if q else 20, workers=2, name=name
                        )
                    )
            else:
                parser.error(f"unknown scenario {name}")
    if not all(results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
