"""Annotated dependencies: a route receives a checked object, never a bare id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import WRITE_TURN_TIMEOUT_S, session_scope, writer
from app.core.errors import Unavailable
from app.core.limits import Gate
from app.core.security import SESSION_COOKIE
from app.models import Cohort, Facilitator, Participant, WebSession
from app.models.base import MAX_DB_ID
from app.services import accounts, cohorts, privacy, tablet


@dataclass(frozen=True, slots=True)
class UserBadge:
    """What pages show of the signed-in facilitator; safe to use after a rollback."""

    id: int
    name: str
    email: str
    is_admin: bool


class NotSignedIn(Exception):
    """No valid session: pages redirect to sign-in, the API answers 401."""


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; it commits once after the route returned (the edge).

    On SQLite, writing requests take turns on an asyncio lock before they begin: SQLite has
    one writer at a time, and waiting here (in order, without holding a worker thread) hands
    the turn over at once, where SQLite's own busy handler would poll with growing sleeps.
    """
    engine: Engine = request.app.state.engine
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    turn: asyncio.Lock | None = request.app.state.write_turn if write else None
    await _take_write_turn(turn)
    try:
        session = Session(writer(engine) if write else engine, expire_on_commit=False)
        try:
            yield session
            await run_in_threadpool(session.commit)
        except BaseException:
            await run_in_threadpool(session.rollback)
            raise
        finally:
            await run_in_threadpool(session.close)
    finally:
        if turn is not None:
            turn.release()


async def _take_write_turn(turn: asyncio.Lock | None) -> None:
    if turn is None:
        return
    try:
        await asyncio.wait_for(turn.acquire(), WRITE_TURN_TIMEOUT_S)
    except TimeoutError:
        raise Unavailable("the database is busy; nothing was changed, please retry") from None


P = ParamSpec("P")
T = TypeVar("T")


async def run_reading(
    request: Request, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``fn(session, ...)`` in a worker thread on a session that only reads: no write
    turn, nothing committed. For async routes whose slow part must not block writers."""
    engine: Engine = request.app.state.engine

    def work() -> T:
        with Session(engine, expire_on_commit=False) as session:
            return fn(session, *args, **kwargs)

    return await run_in_threadpool(work)


async def run_writing(
    request: Request, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``fn(session, ...)`` in a worker thread within the write turn and commit once (the
    edge); the turn is held only for this short transaction."""
    engine: Engine = request.app.state.engine
    turn: asyncio.Lock | None = request.app.state.write_turn
    await _take_write_turn(turn)
    try:

        def work() -> T:
            with session_scope(engine) as session:
                return fn(session, *args, **kwargs)

        return await run_in_threadpool(work)
    finally:
        if turn is not None:
            turn.release()


PASSWORD_CHECK_WAIT_S = 3.0
"""How long a sign-in waits for a password check before it is told to retry (503)."""


@asynccontextmanager
async def password_check_turn(request: Request) -> AsyncIterator[None]:
    """Take one of the process's few password-check slots (waiting holds no thread); past a
    short queue, or after waiting too long, the sign-in is asked to retry."""
    slots: Gate = request.app.state.password_checks
    if not await slots.acquire(PASSWORD_CHECK_WAIT_S):
        raise Unavailable(
            "Many sign-ins are being checked right now. Please try again in a moment.",
            retry_after=5,
        )
    try:
        yield
    finally:
        slots.release()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# Ids and day numbers in addresses and forms are bounded where they are read: a number past
# what the database stores names nothing, and must be a clear 422, not an overflow deep down.
PathId = Annotated[int, Path(ge=1, le=MAX_DB_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_DB_ID)]
PathDay = Annotated[int, Path(ge=1, le=cohorts.MAX_DAYS)]
# "function" scope: commit before the response is sent, so that a 200 or a redirect always
# means the change is stored (the default would commit after the client heard "saved").
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_web_session(request: Request, session: SessionDep) -> WebSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    idle = timedelta(minutes=settings.participant_idle_minutes)
    return accounts.load_session(session, token=token, participant_idle=idle)


WebSessionDep = Annotated[WebSession | None, Depends(get_web_session)]


def get_current_facilitator(
    request: Request, session: SessionDep, web: WebSessionDep
) -> Facilitator:
    if web is None or web.facilitator_id is None:
        raise NotSignedIn
    user = session.get(Facilitator, web.facilitator_id)
    if user is None or not user.active:
        raise NotSignedIn
    assert user.id is not None
    request.state.user = UserBadge(user.id, user.name, user.email, user.is_admin)
    return user


CurrentFacilitator = Annotated[Facilitator, Depends(get_current_facilitator)]


def get_current_admin(user: CurrentFacilitator) -> Facilitator:
    """The signed-in facilitator if an admin; anyone else is told the route does not exist
    (before their input is even read)."""
    privacy.check_admin(user)
    return user


CurrentAdmin = Annotated[Facilitator, Depends(get_current_admin)]


def get_cohort_dep(slug: str, session: SessionDep, user: CurrentFacilitator) -> Cohort:
    """The cohort in the path, if this facilitator runs it (404 otherwise)."""
    return cohorts.get_cohort(session, ref=slug, viewer=user)


CohortDep = Annotated[Cohort, Depends(get_cohort_dep)]


def get_lead_cohort_dep(cohort: CohortDep, session: SessionDep, user: CurrentFacilitator) -> Cohort:
    """The cohort in the path, if this facilitator leads it or is an admin: another cohort's
    facilitator gets 404, a co-facilitator 403 (they know the cohort; they may not do this)."""
    cohorts.check_lead(session, cohort=cohort, viewer=user)
    return cohort


LeadCohortDep = Annotated[Cohort, Depends(get_lead_cohort_dep)]


@dataclass(frozen=True, slots=True)
class ParticipantBadge:
    """What tablet pages show of the signed-in participant."""

    id: int
    name: str
    cohort_name: str
    store_key: str
    """Encrypts what the tablet keeps for this participant (see ``tablet.device_store_key``)."""
    idle_seconds: int
    """After this long without reaching the server, the page leaves the screen."""


def get_current_participant(
    request: Request, session: SessionDep, web: WebSessionDep
) -> Participant:
    """The participant signed in on this tablet (NotSignedIn sends them to ``/join``)."""
    if web is None or web.participant_id is None:
        raise NotSignedIn
    participant = session.get(Participant, web.participant_id)
    cohort = session.get(Cohort, participant.cohort_id) if participant else None
    if participant is None or cohort is None or participant.id is None:
        raise NotSignedIn
    if accounts.touch_due(web):
        _touch(request, session, web)
    key = tablet.device_store_key(participant.id, secret=request.app.state.secret_key)
    idle = request.app.state.settings.participant_idle_minutes * 60
    request.state.participant = ParticipantBadge(
        participant.id, participant.name, cohort.name, key, idle
    )
    return participant


def _touch(request: Request, session: Session, web: WebSession) -> None:
    """Keep a participant's session alive when they use it: a save or a page they open.

    Background requests (the "now" panel's polling, its event stream) do not count, or a
    tablet left open would never time out. A writing request updates its own transaction; a
    page view writes in a short transaction of its own, best effort: it is retried a minute
    later if the database is busy.
    """
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        accounts.touch_session(session, session_id=web.id)
        return
    mode = request.headers.get("sec-fetch-mode")
    navigating = mode == "navigate" or (
        mode is None and "text/html" in request.headers.get("accept", "")
    )
    if not navigating:
        return
    engine: Engine = request.app.state.engine
    try:
        with Session(writer(engine)) as own:
            accounts.touch_session(own, session_id=web.id)
            own.commit()
    except OperationalError:
        pass


CurrentParticipant = Annotated[Participant, Depends(get_current_participant)]
