"""Facilitator accounts, sign-in with throttling, and server-side sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, delete, func, select, update

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.i18n import gettext as _
from app.core.i18n import ngettext, pgettext
from app.models import Facilitator, LoginAttempt, WebSession, utcnow
from app.services.ops import record_event

_hasher = PasswordHasher()
# A real hash to verify against when the e-mail is unknown, so that timing does not reveal
# which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f\s]")
"""Control characters and spaces: no address has them, and PostgreSQL refuses NUL outright."""


class Throttled(Exception):
    """Too many failed attempts; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            ngettext(
                "too many attempts; try again in %(num)s second",
                "too many attempts; try again in %(num)s seconds",
                retry_after,
            )
        )
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


def email_problem(email: str) -> Problem | None:
    """What is wrong with a normalised e-mail address as an account's, if anything."""
    if "@" in email and len(email) <= 254 and not _CONTROL.search(email):
        return None
    label = pgettext("form field", "email")
    return Problem(label, _("is not a valid e-mail address"), "email")


def hash_password(password: str) -> str:
    """The argon2 hash stored for a password."""
    return _hasher.hash(password)


def create_facilitator(
    session: Session, *, email: str, name: str, password: str, admin: bool = False
) -> Facilitator:
    """Create a facilitator (or admin) account with an argon2 password hash."""
    email = normalise_email(email)
    problems = [p for p in (email_problem(email),) if p is not None]
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem(
                pgettext("form field", "password"),
                _("must be at least %(min)s characters", min=MIN_PASSWORD_LENGTH),
                "password",
            )
        )
    if problems:
        raise InvalidInput(_("the account cannot be created"), problems)
    if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
        raise Conflict(_("an account for %(email)s already exists", email=email))
    user = Facilitator(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
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


LOGIN_KEY_PREFIX = "login|"
"""Facilitator sign-in failures are keyed ``login|e-mail|client``; the prefix counts them all."""
PASSWORD_CHECKS_AT_ONCE = 1
"""Password checks one web process runs at the same time. Each costs ~180 ms of CPU and 64 MiB
(argon2): unbounded, a flood of sign-ins takes every core and worker thread from the tablets."""
PASSWORD_CHECKS_WAITING = 8
"""Sign-ins that may wait for a password check; more are asked at once to retry."""


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Failed sign-ins allowed per window: per e-mail and client, and from everyone together
    (a flood of random e-mails never repeats a key)."""

    per_key: int
    overall: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class CheckedLogin:
    """What a password check decided, to be written afterwards in a short transaction."""

    key: str
    facilitator_id: int | None
    """None when the e-mail or the password is wrong, or the account is switched off."""
    new_hash: str | None = None
    """A stronger hash of the same password, when the stored one uses older parameters."""


def _throttle_key(email: str, client: str) -> str:
    return f"{login_throttle_prefix(email)}{client}"


def login_throttle_prefix(email: str) -> str:
    """The start of every sign-in throttle row that names ``email`` (erasure removes them)."""
    return f"{LOGIN_KEY_PREFIX}{normalise_email(email)}|"


def check_login_throttle(session: Session, *, email: str, client: str, limits: LoginLimits) -> None:
    """Raise ``Throttled`` when this e-mail and client, or everyone together, failed too often
    within the window. Reads only."""
    since = utcnow() - timedelta(seconds=limits.window_seconds)
    recent = select(func.count()).select_from(LoginAttempt).where(col(LoginAttempt.at) >= since)
    mine = session.exec(recent.where(LoginAttempt.key == _throttle_key(email, client))).one()
    if mine >= limits.per_key:
        raise Throttled(limits.window_seconds)
    everyone = session.exec(
        recent.where(col(LoginAttempt.key).startswith(LOGIN_KEY_PREFIX, autoescape=True))
    ).one()
    if everyone >= limits.overall:
        raise Throttled(limits.window_seconds)


def check_password(
    session: Session, *, email: str, password: str, client: str, limits: LoginLimits
) -> CheckedLogin:
    """Check a facilitator's password on a read-only session (the slow part of signing in
    holds no write lock); raise ``Throttled`` after too many failures."""
    check_login_throttle(session, email=email, client=client, limits=limits)
    user = session.exec(
        select(Facilitator).where(Facilitator.email == normalise_email(email))
    ).first()
    try:
        # An unknown e-mail, or an invited account with no password yet, costs the same check.
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user = None
    if user is not None and not user.password_hash:
        user = None
    key = _throttle_key(email, client)
    if user is None or not user.active:
        return CheckedLogin(key, None)
    rehash = _hasher.hash(password) if _hasher.check_needs_rehash(user.password_hash) else None
    return CheckedLogin(key, user.id, rehash)


def record_login(
    session: Session, *, checked: CheckedLogin, hours: int, window_seconds: int
) -> NewSession | None:
    """Write what ``check_password`` decided: count a failure (and return None), or open a
    session and forget this e-mail's failures. Attempts older than the window are pruned."""
    since = utcnow() - timedelta(seconds=window_seconds)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < since))
    user = session.get(Facilitator, checked.facilitator_id) if checked.facilitator_id else None
    if user is None or not user.active:
        session.add(LoginAttempt(key=checked.key))
        session.flush()
        return None
    if checked.new_hash is not None:
        user.password_hash = checked.new_hash
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.key) == checked.key))
    return start_session(session, hours=hours, facilitator_id=user.id)


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
