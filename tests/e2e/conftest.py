"""Browser fixtures: the real app under uvicorn in a thread, and headless system Chromium.

Reusable by any browser test: ``live_server`` (base URL, app, engine), ``browser`` and
``tablet_page`` (a 10-inch portrait tablet with touch).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from app.core.config import Settings
from app.main import create_app
from tests.conftest import build_schema, need

CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABLET = {"width": 820, "height": 1180}
SECRET = "e" * 48


@dataclass
class LiveServer:
    base_url: str
    app: FastAPI
    engine: Engine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a SQLite file, served by uvicorn in a background thread."""
    db = tmp_path / "live.db"
    build_schema(f"sqlite:///{db}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{db}",
        secret_key=SECRET,
        var_dir=tmp_path,
        base_url=base,
        _env_file=None,
    )  # type: ignore[call-arg]
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(base, app, app.state.engine)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless system Chromium (never a downloaded one).

    Module-scoped: Playwright's sync API keeps an event loop running on the main thread while
    it is open, and tests elsewhere that call ``asyncio.run`` must not find one.
    """
    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (set TANDEM_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


PIN = "2580"


def sign_in_tablet(page: Any, live: LiveServer, code: str, pin: str = PIN) -> None:
    """Sign ``page`` in as a participant does: the card's code, then the PIN (chosen at the
    first sign-in, typed at every later one)."""
    page.goto(f"{live.base_url}/join")
    page.fill("#code", code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live.base_url}/join/pin")
    page.fill("#pin", pin)
    if page.locator("#pin_again").count():
        page.fill("#pin_again", pin)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live.base_url}/p")


@pytest.fixture
def tablet_page(browser: Any) -> Iterator[Any]:
    """A fresh page on a 10-inch tablet in portrait, with touch."""
    context = browser.new_context(viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
