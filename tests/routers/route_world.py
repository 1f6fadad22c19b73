"""A populated database built once and copied per request, plus one signed-in client per viewer.

Used by the permission matrix and the canary sweep: every viewer gets its own server-side
session and CSRF pair, exactly as a browser would after signing in.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

import app.models  # noqa: F401  (every table on the metadata)
from app.core.config import Settings
from app.core.db import create_db_engine
from app.core.security import CSRF_COOKIE, SESSION_COOKIE, csrf_token_for
from app.main import create_app
from app.models import RosterImport
from app.services import mail
from app.services.accounts import deactivate_facilitator
from app.services.accounts import service as accounts
from app.services.cohorts import service as cohorts
from app.services.plans import checkins, partnership, steps
from app.services.plans import service as plans
from app.services.tablet import signin
from tests.conftest import build_schema
from tests.services.tablet.factories import make_world

SECRET = "x" * 48
VIEWERS = (
    "anonymous",
    "self",
    "buddy",
    "stranger",
    "outsider",
    "other_facilitator",
    "deactivated",
    "co_facilitator",
    "facilitator",
    "admin",
)
"""``facilitator`` leads Ana's cohort, ``co_facilitator`` co-facilitates it, ``deactivated``
led it until an admin switched the account off (its cookie is still in the browser)."""


@dataclass
class RouteWorld:
    path: Path
    params: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    """Viewer -> session cookie value (absent for anonymous)."""


def all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, walking included routers."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[object], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.extend((m, prefix + route.path) for m in sorted(route.methods))
            elif hasattr(route, "original_router"):
                walk(
                    route.original_router.routes,  # type: ignore[attr-defined]
                    prefix + route.include_context.prefix,
                )  # type: ignore[attr-defined]

    walk(list(app.routes), "")
    return [(m, p) for m, p in found if m != "HEAD"]


def settings_for(path: Path, var: Path) -> Settings:
    return Settings(
        env="test",
        database_url=f"sqlite:///{path}",
        secret_key=SECRET,
        var_dir=var,
        base_url="http://testserver",
        _env_file=None,
    )  # type: ignore[call-arg]


def build_route_world(folder: Path) -> RouteWorld:
    path = folder / "world.db"
    build_schema(f"sqlite:///{path}")
    engine = create_db_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        w = make_world(session)
        fac = accounts.create_facilitator(
            session, email="fac@example.com", name="Fac", password="long enough password"
        )
        other = accounts.create_facilitator(
            session, email="oth@example.com", name="Oth", password="long enough password"
        )
        admin = accounts.create_facilitator(
            session,
            email="adm@example.com",
            name="Adm",
            password="long enough password",
            admin=True,
        )
        cohorts.assign_facilitator(session, cohort=w.cohort, facilitator=fac)
        co = accounts.create_facilitator(
            session, email="co@example.com", name="Co", password="long enough password"
        )
        cohorts.assign_facilitator(session, cohort=w.cohort, facilitator=co, role="co-facilitator")
        gone = accounts.create_facilitator(
            session, email="gone@example.com", name="Gone", password="long enough password"
        )
        cohorts.assign_facilitator(session, cohort=w.cohort, facilitator=gone)
        deactivate_facilitator(session, facilitator=gone)
        other_cohort = cohorts.get_cohort(session, ref=w.eve.cohort_id, viewer=None)
        cohorts.assign_facilitator(session, cohort=other_cohort, facilitator=other)
        [card] = signin.issue_cards(
            session, cohort=w.cohort, participants=[w.ana], secret=SECRET, followup_days=180
        )
        assert w.cohort.id is not None
        pending = RosterImport(
            cohort_id=w.cohort.id, filename="x.csv", data=b"Name,Email\nZoe,zoe@example.com\n"
        )
        session.add(pending)
        session.flush()
        # An empty plan whose goals Ana shared is enough for a buddy's comment.
        plans.set_shared_parts(session, participant=w.ana, parts=["goals"])
        comment = plans.add_plan_comment(
            session, author=w.ben, owner=w.ana, part="goals", text="Which team first?"
        )
        partnership.propose_rhythm(session, participant=w.ana, rhythm="30-60-90")
        partnership.agree_rhythm(session, participant=w.ben)
        partnership.propose_rhythm(session, participant=w.cai, rhythm="monthly-6")
        first_checkin = checkins.group_checkins(session, group=w.group)[0]
        step = steps.add_agreed_step(session, participant=w.ana, text="Call each other")
        tokens = {}
        for name, kwargs in (
            ("self", {"participant_id": w.ana.id}),
            ("buddy", {"participant_id": w.ben.id}),
            ("stranger", {"participant_id": w.cai.id}),
            ("outsider", {"participant_id": w.eve.id}),
            ("facilitator", {"facilitator_id": fac.id}),
            ("other_facilitator", {"facilitator_id": other.id}),
            ("co_facilitator", {"facilitator_id": co.id}),
            # Deactivating ended its sessions; a cookie kept from before must open nothing.
            ("deactivated", {"facilitator_id": gone.id}),
            ("admin", {"facilitator_id": admin.id}),
        ):
            tokens[name] = accounts.start_session(session, hours=1, **kwargs).token  # type: ignore[arg-type]
        session.commit()
        params = {
            "slug": w.cohort.slug,
            "participant_id": str(w.ana.id),
            "import_id": str(pending.id),
            "group_id": str(w.group.id),
            "exercise_id": "meet-your-buddy",
            "prompt_id": "curious-about",
            "token": card.token,
            "day": "1",
            "action": "start",
            "job_id": "999999",
            "name": "missing.pdf",
            "comment_id": str(comment.id),
            "checkin_id": str(first_checkin.id),
            "step_id": str(step.id),
            "mail_token": mail.unsubscribe_token(settings_for(path, path.parent), w.ana.id or 0),
            "facilitator_id": str(co.id),
        }
    engine.dispose()
    return RouteWorld(path, params, tokens)


@contextmanager
def app_for(world: RouteWorld, folder: Path) -> Iterator[FastAPI]:
    """The app on a fresh copy of the world."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "copy.db"
    shutil.copy(world.path, db)
    application = create_app(settings_for(db, folder))
    try:
        yield application
    finally:
        application.state.engine.dispose()


@contextmanager
def client_for(world: RouteWorld, viewer: str, application: FastAPI) -> Iterator[TestClient]:
    """A client of ``application`` signed in as ``viewer``."""
    client = TestClient(application, follow_redirects=False)
    cookie = secrets.token_urlsafe(16)
    client.cookies.set(CSRF_COOKIE, cookie)
    if viewer in world.tokens:
        client.cookies.set(SESSION_COOKIE, world.tokens[viewer])
    client.headers["X-CSRF-Token"] = csrf_token_for(SECRET, cookie)
    try:
        yield client
    finally:
        client.close()
