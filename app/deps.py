"""Annotated dependencies: a route receives a checked object, never a bare id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import write_turn, writer
from app.core.security import SESSION_COOKIE
from app.models import Cohort, Facilitator, Participant, WebSession
from app.services import accounts, cohorts


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


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; it commits once after the route returned (the edge)."""
    engine: Engine = request.app.state.engine
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    with (
        write_turn(engine) if write else nullcontext(),
        Session(writer(engine) if write else engine, expire_on_commit=False) as session,
    ):
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_web_session(request: Request, session: SessionDep) -> WebSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    return accounts.load_session(session, token=token) if token else None


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


def get_cohort_dep(slug: str, session: SessionDep, user: CurrentFacilitator) -> Cohort:
    """The cohort in the path, if this facilitator runs it (404 otherwise)."""
    return cohorts.get_cohort(session, ref=slug, viewer=user)


CohortDep = Annotated[Cohort, Depends(get_cohort_dep)]


@dataclass(frozen=True, slots=True)
class ParticipantBadge:
    """What tablet pages show of the signed-in participant."""

    id: int
    name: str
    cohort_name: str


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
    request.state.participant = ParticipantBadge(participant.id, participant.name, cohort.name)
    return participant


CurrentParticipant = Annotated[Participant, Depends(get_current_participant)]
