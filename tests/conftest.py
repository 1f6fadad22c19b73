"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when configured),
the app on it, and a signed-in browser-like client."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine.url import make_url
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (every table on the metadata)
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine
from app.core.migrations import alembic_config
from app.main import create_app
from app.models import Facilitator
from app.services.accounts import service as accounts

REQUIRE_ALL = os.environ.get("TANDEM_REQUIRE_ALL") == "1"
PG_URL = os.environ.get("TANDEM_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"


def need(condition: bool, reason: str) -> None:
    """Skip locally when a component is missing; CI (TANDEM_REQUIRE_ALL=1) fails instead."""
    if not condition:
        if REQUIRE_ALL:
            pytest.fail(f"required component missing: {reason}")
        pytest.skip(reason)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Tests read the catalogs in the tree: compile every ``.po`` newer than its ``.mo`` (once,
    in the controlling process), as ``make install`` does."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from app.core.i18n import LOCALE_DIR

    for po in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``one_database`` run on SQLite only: deselected, not skipped, on PostgreSQL."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        param = callspec.params.get("db_url") if callspec else None
        if item.get_closest_marker("one_database") and param == "postgresql":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under TANDEM_REQUIRE_ALL=1: {report.longrepr}"


def build_schema(url: str) -> None:
    # Tests build the schema from the models; test_migrations proves that the migrations
    # produce exactly the same schema, on both databases.
    engine = create_db_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
            )
        )
        conn.execute(text("DELETE FROM alembic_version"))
        for head in ScriptDirectory.from_config(alembic_config(url)).get_heads():
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the whole schema, copied for every test (cheaper than building it)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    build_schema(f"sqlite:///{path}")
    return path


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own beside the configured one
    (``test`` -> ``test_gw0``), created when missing: the workers rebuild schemas freely."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    mine = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": mine.database}
        ).first()
        if exists is None:
            conn.execute(text(f'CREATE DATABASE "{mine.database}"'))
    engine.dispose()
    return mine.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_ready() -> str:
    """The PostgreSQL test database, migrated once from empty for the whole run."""
    need(bool(PG_URL), "TANDEM_TEST_DATABASE_URL is not set")
    url = _worker_database(PG_URL)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    build_schema(url)
    return url


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """Every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "tandem.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_ready")
    yield url
    engine = create_db_engine(url)
    _truncate_all(engine)
    engine.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Iterator[Settings]:
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    s = Settings(
        env="test",
        database_url=db_url,
        secret_key="x" * 48,
        var_dir=var,
        base_url="http://testserver",
        _env_file=None,  # type: ignore[call-arg]
    )
    get_settings.cache_clear()
    yield s
    get_settings.cache_clear()


@pytest.fixture
def web_app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(web_app: FastAPI) -> Engine:
    e: Engine = web_app.state.engine
    return e


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database; tests commit explicitly when the app must see data."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, follow_redirects=False) as c:
        yield c


def make_facilitator(session: Session, email: str, *, admin: bool = False) -> Facilitator:
    user = accounts.create_facilitator(
        session, email=email, name=email.split("@")[0].title(), password=PASSWORD, admin=admin
    )
    session.commit()
    return user


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page hands out (what a browser's form would send back)."""
    page = client.get(path)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the CSRF token valid for the new session."""
    token = csrf_of(client)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return csrf_of(client, "/cohorts")


TABLET_PIN = "2580"


def join_tablet(client: TestClient, code: str, pin: str = TABLET_PIN) -> str:
    """Sign a tablet in through the real pages: the card's code, then the PIN (chosen at the
    first sign-in). Returns the CSRF token of the signed-in tablet page."""
    response = client.post("/join", data={"code": code, "csrf_token": csrf_of(client, "/join")})
    assert (response.status_code, response.headers.get("location")) == (303, "/join/pin")
    page = client.get("/join/pin")
    data = {"pin": pin, "csrf_token": csrf_of(client, "/join/pin")}
    if 'name="pin_again"' in page.text:
        data["pin_again"] = pin
    response = client.post("/join/pin", data=data)
    assert (response.status_code, response.headers.get("location")) == (303, "/p"), response.text
    return csrf_of(client, "/p")


@pytest.fixture
def facilitator(session: Session) -> Facilitator:
    return make_facilitator(session, "fran@example.com")


@pytest.fixture
def admin(session: Session) -> Facilitator:
    return make_facilitator(session, "ada@example.com", admin=True)


@pytest.fixture
def signed_in(client: TestClient, facilitator: Facilitator) -> str:
    """A client signed in as ``facilitator``; the value is its CSRF token."""
    return sign_in(client, facilitator.email)
