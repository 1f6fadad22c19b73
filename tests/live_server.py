"""The real server in a child process (``tandem serve``), for tests that must see what an
operator sees: every byte it prints, its processes, how it stops."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlmodel import Session

from app.core.db import create_db_engine
from app.core.security import csrf_token_for
from app.services.accounts import service as accounts
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster
from app.services.tablet import signin
from bench._room import free_port, seat_tablets

SECRET = "s" * 48
TANDEM = Path(sys.executable).parent / "tandem"


@dataclass
class Card:
    participant_id: int
    token: str
    code: str


@dataclass
class LiveWorld:
    """What the tests seeded: a facilitator session, a cohort and its participants' cards."""

    slug: str
    facilitator_token: str
    cards: list[Card]
    tablets: list[tuple[int, str]]


def seed_world(db_url: str, *, people: int = 3) -> LiveWorld:
    """A facilitator, a cohort on the shipped program, ``people`` participants with cards."""
    engine = create_db_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.create_facilitator(
            session,
            email="live@example.com",
            name="Live",
            password="live-password-123",
            admin=True,
        )
        cohort = cohorts.create_cohort(
            session, name="Live", start_date=date(2027, 3, 1), actor=user
        )
        tablets, _ = seat_tablets(
            session, cohort, exercises=("meet-your-buddy",), count=people, hours=4
        )
        participants = roster.list_participants(session, cohort=cohort)
        issued = signin.issue_cards(
            session, cohort=cohort, participants=participants, secret=SECRET, followup_days=30
        )
        token = accounts.start_session(session, hours=4, facilitator_id=user.id).token
        session.commit()
        cards = [Card(c.participant.id or 0, c.token, c.code.replace("-", "")) for c in issued]
    engine.dispose()
    return LiveWorld(cohort.slug, token, cards, tablets)


@dataclass
class LiveServer:
    """``tandem serve`` on a free port, its standard output and error kept in files."""

    db_url: str
    var: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stdout_path(self) -> Path:
        return self.var / "server.out"

    @property
    def stderr_path(self) -> Path:
        return self.var / "server.err"

    def start(self, timeout_s: float = 60.0) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "TANDEM_DATABASE_URL": self.db_url,
            "TANDEM_SECRET_KEY": SECRET,
            "TANDEM_VAR_DIR": str(self.var),
            "TANDEM_ENV": "test",
            "TANDEM_BASE_URL": self.base,
            "TANDEM_LOG_LEVEL": "INFO",
            **self.env,
        }
        self.proc = subprocess.Popen(
            [str(TANDEM), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=self.stdout_path.open("wb"),
            stderr=self.stderr_path.open("wb"),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited at start:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.output()}")

    def output(self) -> str:
        """Everything the server printed, standard output then standard error."""
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(
            errors="replace"
        )

    def terminate(self, timeout_s: float = 30.0) -> int:
        """Send SIGTERM to the server process only (as an init system does); its exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        finally:
            self.kill()

    def kill(self) -> None:
        """Make sure nothing of the server's process group is left (test clean-up)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, **kwargs)  # type: ignore[arg-type]


def facilitator_client(server: LiveServer, world: LiveWorld) -> tuple[httpx.Client, str]:
    """A client carrying the facilitator's session and a CSRF cookie; its CSRF token."""
    cookie = "c" * 32
    client = server.client(
        cookies={"tandem_session": world.facilitator_token, "tandem_csrf": cookie}
    )
    return client, csrf_token_for(SECRET, cookie)
