"""What facilitators and participants see of links: states and dates, never a token."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.models import Participant, SignInLink, WebSession, utcnow
from app.services.links.tokens import SIGN_IN

LINK_STATES = ("none", "issued", "sent", "used", "expired", "revoked")


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """A participant's newest link of one purpose, as the facilitator's page shows it."""

    participant: Participant
    state: str
    """One of ``LINK_STATES``: ``issued`` is a link handed out on a sheet or the command line,
    ``sent`` one that went out in an invitation."""
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    sent_at: datetime | None = None
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MyLinks:
    """What a participant's account page says about their links."""

    unused: int
    """Links that would still open (not used, not stopped, not expired)."""
    sessions: int
    """Sessions opened with a link that are still open, this one included."""


def state_of(link: SignInLink, *, now: datetime) -> str:
    """The facilitator's word for a link's state (see ``LINK_STATES``)."""
    if link.revoked_at is not None:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return "sent" if link.sent_at is not None else "issued"


def link_statuses(
    session: Session, *, participants: Sequence[Participant], purpose: str = SIGN_IN
) -> list[LinkStatus]:
    """The newest link of ``purpose`` of each participant, in the given order."""
    ids = [p.id for p in participants if p.id is not None]
    newest: dict[int, SignInLink] = {}
    for row in session.exec(
        select(SignInLink)
        .where(col(SignInLink.participant_id).in_(ids), SignInLink.purpose == purpose)
        .order_by(col(SignInLink.id))
    ).all():
        newest[row.participant_id] = row
    now = utcnow()
    statuses = []
    for p in participants:
        link = newest.get(p.id or 0)
        if link is None:
            statuses.append(LinkStatus(p, "none"))
            continue
        statuses.append(
            LinkStatus(
                p,
                state_of(link, now=now),
                link.issued_at,
                link.expires_at,
                link.sent_at,
                link.used_at,
            )
        )
    return statuses


def my_links(session: Session, *, participant_id: int) -> MyLinks:
    """How many of the participant's links still open, and how many link sessions are open."""
    unused = session.exec(
        select(func.count())
        .select_from(SignInLink)
        .where(
            SignInLink.participant_id == participant_id,
            col(SignInLink.used_at).is_(None),
            col(SignInLink.revoked_at).is_(None),
            col(SignInLink.expires_at) > utcnow(),
        )
    ).one()
    opened = select(SignInLink.session_id).where(
        SignInLink.participant_id == participant_id, col(SignInLink.session_id).is_not(None)
    )
    sessions = session.exec(
        select(func.count())
        .select_from(WebSession)
        .where(col(WebSession.id).in_(opened), col(WebSession.expires_at) > utcnow())
    ).one()
    return MyLinks(int(unused), int(sessions))
