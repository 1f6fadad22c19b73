"""Managing facilitator accounts: invitations and resets by single-use set-password links,
switching accounts off and on again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import gettext as _
from app.core.i18n import pgettext
from app.models import Facilitator, PasswordLink, WebSession, utcnow
from app.services.accounts.service import (
    MIN_PASSWORD_LENGTH,
    email_problem,
    hash_password,
    hash_token,
    normalise_email,
)
from app.services.ops import record_event

PASSWORD_LINK_HOURS = 72
"""How long an invitation or reset link sets a password; after that the admin issues a new one."""
PASSWORD_LINK_PATH = "/password/"  # noqa: S105  (a path, not a password)
"""Where a set-password link points; its last segment is the secret (redacted in logs)."""
ACCOUNT_STATES = ("active", "invited", "deactivated")
MAX_ACCOUNT_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A set-password link, shown once to whoever issued it: only its hash is stored."""

    facilitator: Facilitator
    token: str
    expires_at: datetime

    def url(self, base_url: str) -> str:
        """The link to hand over."""
        return f"{base_url.rstrip('/')}{PASSWORD_LINK_PATH}{self.token}"


def account_state(facilitator: Facilitator) -> str:
    """``deactivated``, ``invited`` (no password set yet) or ``active``."""
    if not facilitator.active:
        return "deactivated"
    return "active" if facilitator.password_hash else "invited"


def list_facilitators(session: Session) -> list[Facilitator]:
    """Every account, by e-mail."""
    return list(session.exec(select(Facilitator).order_by(col(Facilitator.email))).all())


def get_facilitator(session: Session, *, ref: str | int) -> Facilitator:
    """An account by id or e-mail; NotFound otherwise."""
    user = None
    if isinstance(ref, int) or (ref.isascii() and ref.isdigit() and len(ref) < 19):
        # Account ids are 32-bit on PostgreSQL: a larger one names nothing (and must not
        # reach the database, which refuses to compare it).
        user = session.get(Facilitator, int(ref)) if int(ref) <= MAX_ACCOUNT_ID else None
    else:
        email = normalise_email(ref)
        user = session.exec(select(Facilitator).where(Facilitator.email == email)).first()
    if user is None:
        raise NotFound(_("no such facilitator"))
    return user


def invite_facilitator(
    session: Session,
    *,
    email: str,
    name: str = "",
    admin: bool = False,
    actor: Facilitator | None = None,
) -> IssuedLink:
    """Create an account without a password and a link that lets its owner choose one."""
    email = normalise_email(email)
    problem = email_problem(email)
    if problem is None and len(name) > 200:
        problem = Problem(
            pgettext("form field", "name"), _("is longer than 200 characters"), "name"
        )
    if problem is not None:
        raise InvalidInput(_("the invitation cannot be made"), [problem])
    if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
        raise Conflict(_("an account for %(email)s already exists", email=email))
    user = Facilitator(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash="",
        role="admin" if admin else "facilitator",
    )
    session.add(user)
    session.flush()
    issued = _issue_link(session, user, purpose="invite")
    _record(session, actor, "facilitator.invite", user)
    return issued


def reset_facilitator(
    session: Session, *, facilitator: Facilitator, actor: Facilitator | None = None
) -> IssuedLink:
    """Void the password and every open session, and issue a new set-password link."""
    if not facilitator.active:
        raise Conflict(_("the account is deactivated; reactivate it first"))
    facilitator.password_hash = ""
    session.add(facilitator)
    _end_sessions(session, facilitator)
    issued = _issue_link(session, facilitator, purpose="reset")
    _record(session, actor, "facilitator.reset", facilitator)
    return issued


def deactivate_facilitator(
    session: Session, *, facilitator: Facilitator, actor: Facilitator | None = None
) -> None:
    """Switch an account off: it cannot sign in, its sessions and links stop working."""
    if actor is not None and actor.id == facilitator.id:
        raise Conflict(_("you cannot deactivate your own account"))
    if facilitator.is_admin and facilitator.active and _active_admins(session) <= 1:
        raise Conflict(_("this is the last active admin; make another admin first"))
    if not facilitator.active:
        return
    facilitator.active = False
    session.add(facilitator)
    _end_sessions(session, facilitator)
    session.exec(delete(PasswordLink).where(col(PasswordLink.facilitator_id) == facilitator.id))
    _record(session, actor, "facilitator.deactivate", facilitator)


def reactivate_facilitator(
    session: Session, *, facilitator: Facilitator, actor: Facilitator | None = None
) -> None:
    """Switch an account on again (with the password it had; a reset issues a new one)."""
    if facilitator.active:
        return
    facilitator.active = True
    session.add(facilitator)
    session.flush()
    _record(session, actor, "facilitator.reactivate", facilitator)


def check_password_link(session: Session, *, token: str) -> Facilitator:
    """The account a set-password link is for; NotFound when it is unknown, used or expired."""
    link = session.get(PasswordLink, hash_token(token))
    user = session.get(Facilitator, link.facilitator_id) if link else None
    if link is None or user is None or link.expires_at <= utcnow() or not user.active:
        raise NotFound(_("this link has expired or was already used; ask an admin for a new one"))
    return user


def set_password_with_link(session: Session, *, token: str, password: str) -> Facilitator:
    """Set the password a link was issued for, once: the link is spent afterwards."""
    user = check_password_link(session, token=token)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("the password was not set"),
            [
                Problem(
                    pgettext("form field", "password"),
                    _("must be at least %(min)s characters", min=MIN_PASSWORD_LENGTH),
                    "password",
                )
            ],
        )
    user.password_hash = hash_password(password)
    session.add(user)
    session.exec(delete(PasswordLink).where(col(PasswordLink.facilitator_id) == user.id))
    _end_sessions(session, user)
    _record(session, None, "facilitator.set_password", user, actor_label=f"facilitator:{user.id}")
    return user


def _issue_link(session: Session, user: Facilitator, *, purpose: str) -> IssuedLink:
    # One live link per account: a new one voids the link handed over before.
    session.exec(delete(PasswordLink).where(col(PasswordLink.facilitator_id) == user.id))
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=PASSWORD_LINK_HOURS)
    session.add(
        PasswordLink(
            id=hash_token(token), facilitator_id=user.id, purpose=purpose, expires_at=expires_at
        )
    )
    session.flush()
    return IssuedLink(user, token, expires_at)


def _end_sessions(session: Session, user: Facilitator) -> None:
    session.exec(delete(WebSession).where(col(WebSession.facilitator_id) == user.id))


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(Facilitator)
    return session.exec(
        query.where(Facilitator.role == "admin", col(Facilitator.active).is_(True))
    ).one()


def _record(
    session: Session,
    actor: Facilitator | None,
    action: str,
    user: Facilitator,
    *,
    actor_label: str | None = None,
) -> None:
    # Ids and the action only: never the address, a password or a link.
    record_event(
        session,
        actor=actor_label or (f"facilitator:{actor.id}" if actor is not None else "cli"),
        action=action,
        object_type="facilitator",
        object_id=user.id or "",
    )
