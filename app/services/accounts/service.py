"""Facilitator accounts, sign-in with throttling, and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, delete, func, select, update

from app.core.errors import Conflict, InvalidInput, Problem
from app.models import Facilitator, LoginAttempt, WebSession, utcnow
from app.services.ops import record_event

_hasher = PasswordHasher()
# A real hash to verify against when the e-mail is unknown, so that timing does not reveal
# which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10


class SignInError(Exception):
    """Wrong e-mail or password (deliberately not saying which)."""


class Throttled(Exception):
    """Too many failed attempts; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    """The cookie value; only its hash is stored."""
    session: WebSession


def normalise_email(email: str) -> str:
    """Lower-case and strip an e-mail address so one human has one identity."""
    return email.strip().lower()


def hash_token(token: str) -> str:
    """The stored form of a bearer token (cookie, sign-in card)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_facilitator(
    session: Session, *, email: str, name: str, password: str, admin: bool = False
) -> Facilitator:
    """Create a facilitator (or admin) account with an argon2 password hash."""
    email = normalise_email(email)
    problems = []
    if "@" not in email or len(email) > 254:
        problems.append(Problem("email", "is not a valid e-mail address", "email"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters", "password")
        )
    if problems:
        raise InvalidInput("the account cannot be created", problems)
    if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
        raise Conflict(f"an account for {email} already exists")
    user = Facilitator(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=_hasher.hash(password),
        role="admin" if admin else "facilitator",
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor="cli",
        action="facilitator.create",
        object_type="facilitator",
        object_id=user.id or "",
    )
    return user


def _throttle_key(email: str, client: str) -> str:
    return f"{normalise_email(email)}|{client}"


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    client: str,
    max_attempts: int,
    window_seconds: int,
) -> Facilitator:
    """Check a password; raise ``Throttled`` after too many failures, ``SignInError`` if wrong."""
    key = _throttle_key(email, client)
    since = utcnow() - timedelta(seconds=window_seconds)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < since))
    failures = session.exec(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key)
    ).one()
    if failures >= max_attempts:
        raise Throttled(window_seconds)
    user = session.exec(
        select(Facilitator).where(Facilitator.email == normalise_email(email))
    ).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        session.add(LoginAttempt(key=key))
        session.flush()
        raise SignInError("wrong e-mail or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.key) == key))
    return user


def start_session(
    session: Session,
    *,
    hours: int,
    facilitator_id: int | None = None,
    participant_id: int | None = None,
    expires_at: datetime | None = None,
) -> NewSession:
    """Open a server-side session for a facilitator or a participant."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        id=hash_token(token),
        facilitator_id=facilitator_id,
        participant_id=participant_id,
        csrf_secret=secrets.token_urlsafe(32),
        expires_at=expires_at or utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return NewSession(token=token, session=row)


TOUCH_EVERY = timedelta(minutes=1)
"""A participant session's last use is written at most this often: idle time is measured to
the minute without a database write on every request."""


def start_participant_session(
    session: Session,
    *,
    participant_id: int,
    device: str,
    card_expires_at: datetime,
    hours: int,
    replacing: str | None = None,
) -> NewSession:
    """Open a participant session on a tablet; any session still open on that tablet (the
    previous participant's, or the one in its cookie, ``replacing``) ends first."""
    ended = delete(WebSession).where(
        col(WebSession.device) == device, col(WebSession.participant_id).is_not(None)
    )
    session.exec(ended)
    if replacing:
        end_session(session, token=replacing)
    now = utcnow()
    opened = start_session(
        session,
        hours=hours,
        participant_id=participant_id,
        expires_at=min(card_expires_at, now + timedelta(hours=hours)),
    )
    opened.session.device = device
    opened.session.last_seen_at = now
    session.add(opened.session)
    session.flush()
    return opened


def load_session(
    session: Session, *, token: str, participant_idle: timedelta | None = None
) -> WebSession | None:
    """The live session behind a cookie value, or None when unknown, expired, or (for a
    participant) unused for longer than ``participant_idle``."""
    row = session.get(WebSession, hash_token(token))
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    if (
        row.participant_id is not None
        and participant_idle is not None
        and (row.last_seen_at or row.created_at) + participant_idle <= now
    ):
        return None
    return row


def touch_due(row: WebSession) -> bool:
    """True when a participant session's last use is more than a minute old."""
    seen = row.last_seen_at or row.created_at
    return row.participant_id is not None and utcnow() - seen >= TOUCH_EVERY


def touch_session(session: Session, *, session_id: str) -> None:
    """Record that a participant session was used just now."""
    session.exec(
        update(WebSession).where(col(WebSession.id) == session_id).values(last_seen_at=utcnow())
    )


def end_session(session: Session, *, token: str) -> None:
    """End a session on the server: the cookie is worthless afterwards."""
    session.exec(delete(WebSession).where(col(WebSession.id) == hash_token(token)))
