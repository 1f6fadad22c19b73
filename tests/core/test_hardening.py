"""Edge protections every request passes through (host check, body and field size limits,
the sign-in throttles, security headers) and a server process that ends cleanly."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.limits import Gate
from app.main import create_app
from app.models import Facilitator
from tests.conftest import csrf_of, need
from tests.live_server import LiveServer, facilitator_client, seed_world


def test_untrusted_host_header_is_refused(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Host": "evil.example"})

    assert (response.status_code, response.text) == (400, "Invalid host header")


def test_configured_host_is_served(client: TestClient) -> None:
    assert client.get("/healthz", headers={"Host": "testserver"}).status_code == 200


def test_declared_oversized_body_is_refused_with_413(client: TestClient, web_app: FastAPI) -> None:
    limit = web_app.state.settings.max_body_bytes

    response = client.post("/login", content=b"x" * (limit + 1))

    assert response.status_code == 413


def test_streamed_oversized_body_is_refused_with_413(client: TestClient, web_app: FastAPI) -> None:
    limit = web_app.state.settings.max_body_bytes
    chunks = (b"x" * 1_000_000 for _ in range(limit // 1_000_000 + 2))

    response = client.post(
        "/login", content=chunks, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 413


def test_oversized_form_field_is_refused_with_422(
    client: TestClient, facilitator: Facilitator
) -> None:
    token = csrf_of(client)

    response = client.post(
        "/login",
        data={"email": "a" * 300 + "@example.com", "password": "x", "csrf_token": token},
        headers={"Accept": "application/json"},
    )

    assert (response.status_code, response.json()["problems"][0]["field"]) == (422, "email")


def test_facilitator_sign_in_is_throttled_after_the_limit(
    client: TestClient, facilitator: Facilitator, web_app: FastAPI
) -> None:
    limit = web_app.state.settings.login_attempts_per_window
    token = csrf_of(client)
    form = {"email": facilitator.email, "password": "wrong", "csrf_token": token}

    statuses = [client.post("/login", data=form).status_code for _ in range(limit + 1)]

    assert statuses[-1] == 429
    assert set(statuses[:-1]) != {429}


@pytest.mark.parametrize("attempts", [31])
def test_card_sign_in_is_throttled_after_the_limit(client: TestClient, attempts: int) -> None:
    token = csrf_of(client, "/join")

    statuses = [
        client.post("/join", data={"code": "ABCD-EFGH", "csrf_token": token}).status_code
        for _ in range(attempts)
    ]

    assert (statuses[0], statuses[-1]) == (400, 429)


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc: Linux, like the servers we run on)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pids: set[int], *, within_s: float) -> set[int]:
    deadline = time.monotonic() + within_s
    while True:
        left = {p for p in pids if Path(f"/proc/{p}").exists()}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.one_database
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_render_workers_end_with_the_server(db_url: str, tmp_path: Path, stop: int) -> None:
    need(Path("/proc/self/stat").exists(), "needs /proc to find the server's child processes")
    world = seed_world(db_url)
    server = LiveServer(db_url, tmp_path / "var")
    server.start()
    try:
        client, csrf = facilitator_client(server, world)
        with client:
            printed = client.post(f"/cohorts/{world.slug}/cards.pdf", data={"csrf_token": csrf})
        assert (printed.status_code, printed.content[:5]) == (200, b"%PDF-")
        assert server.proc is not None
        workers = _children(server.proc.pid)
        assert len(workers) >= 2  # TANDEM_WORKBOOK_WORKERS render processes

        server.proc.send_signal(stop)
        server.proc.wait(timeout=30)

        assert _alive(workers, within_s=5.0) == set()
    finally:
        server.kill()


@pytest.mark.parametrize(
    ("base_url", "scheme", "hsts"),
    [
        ("https://tandem.example.org", "http", "max-age=31536000; includeSubDomains"),
        ("http://testserver", "https", "max-age=31536000; includeSubDomains"),
        ("http://testserver", "http", None),
    ],
    ids=["https-base-url-behind-a-proxy", "tls-connection", "plain-http"],
)
def test_hsts_is_sent_when_served_over_https(
    settings: Settings, base_url: str, scheme: str, hsts: str | None
) -> None:
    app = create_app(settings.model_copy(update={"base_url": base_url}))
    with TestClient(app, base_url=f"{scheme}://testserver") as client:
        response = client.get("/login")

    assert (response.status_code, response.headers.get("strict-transport-security")) == (
        200,
        hsts,
    )
    app.state.engine.dispose()


def test_hsts_can_be_switched_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"hsts_seconds": 0}))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/login")

    assert "strict-transport-security" not in response.headers
    app.state.engine.dispose()


def test_a_gate_with_a_full_queue_refuses_at_once_and_serves_its_queue() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        gate = Gate(1, queue=1)
        assert await gate.acquire(1.0)
        queued = asyncio.create_task(gate.acquire(5.0))
        await asyncio.sleep(0)
        started = time.monotonic()
        refused = await gate.acquire(5.0)
        quick = time.monotonic() - started < 0.5
        gate.release()
        return refused, await queued, quick

    assert asyncio.run(scenario()) == (False, True, True)
