"""Personal sign-in links: issue, revoke, redeem, use; rate-limited like the cards.

A link is an out-of-band verifier sent to one participant (an invitation mail, a sheet an
organisation mails itself). Its token has 256 bits from ``secrets`` and is stored only as its
SHA-256, so a copy of the database opens nothing. It works once, until it expires, and only
while it is the newest link of its purpose: issuing a new one retires the old. Opening it
still asks for the participant's PIN (chosen at the first sign-in, as with a card), because
facilitators hold the sheets and a forwarded mail is a key in a stranger's hand.

Against OWASP ASVS 4 V2.5-V2.7 (out-of-band verifiers): single use (2.7.3, a conditional
update spends it), only a hash at rest (2.7.5), 256 random bits (2.6.2, 2.7.6), throttled per
device and network address with the PIN throttled per participant (2.2.1), stopped by its
owner or a facilitator, and every sign-in shown on the owner's home page (2.5.5). The
lifetime is the deliberate exception to 2.7.2's ten minutes: an invitation is read days
before the program, so it lasts two weeks; the PIN still guards it, and a link asked for on
the sign-in page lasts an hour. A made-up token and a stopped one read alike, so the pages
say nothing about which links exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, delete, select, update

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import _
from app.models import Participant, SignInLink, WebSession, utcnow
from app.services.accounts import hash_token
from app.services.ops import record_event
from app.services.tablet import Attempt, check_throttle, count_failure

SIGN_IN = "sign-in"
"""The purpose of invitations and of the link sheet: they replace each other."""
DEFAULT_TTL = timedelta(days=14)
"""Long enough for an invitation sent before day one; a link still works only once."""
MAX_TTL = timedelta(days=90)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{40,64}")
PURPOSE_SHAPE = re.compile(r"[a-z][a-z0-9-]{0,31}")
LINK_PATH = "/link/"
NEXT_PREFIXES = ("/p", "/intake")
"""Where a link may land besides ``/``: participant pages only, as path prefixes. A feature
that sends links to a new participant page adds its prefix here."""
_NEXT_SHAPE = re.compile(r"/[A-Za-z0-9/_.-]{0,150}(\?[A-Za-z0-9=&_.-]{0,40})?")


class LinkRejected(Exception):
    """The link does not open anything. ``reason`` is ``expired`` or ``used`` when the link
    was real, else ``unknown`` (revoked and forged links read alike)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the link is {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A freshly issued link: the only moment its URL exists in clear."""

    participant_id: int
    link_id: int
    purpose: str
    url: str
    expires_at: datetime


def check_next_path(path: str) -> str:
    """The landing page of a link if it is an allowed internal path (InvalidInput otherwise):
    no scheme, no host, no ``//`` or ``..``, and under ``/`` or a ``NEXT_PREFIXES`` entry."""
    allowed = path == "/" or any(
        path == prefix or path.startswith((prefix + "/", prefix + "?")) for prefix in NEXT_PREFIXES
    )
    if not (_NEXT_SHAPE.fullmatch(path) and "//" not in path and ".." not in path and allowed):
        raise InvalidInput(
            _("that page cannot be opened from a sign-in link"),
            [Problem("next_path", _("not an allowed page: %(path)s", path=path[:80]), "next_path")],
        )
    return path


def _check_purpose(purpose: str) -> str:
    if not PURPOSE_SHAPE.fullmatch(purpose):
        raise InvalidInput(
            _("unknown link purpose"), [Problem("purpose", _("unknown link purpose"), "purpose")]
        )
    return purpose


def _check_ttl(ttl: timedelta | None) -> timedelta:
    ttl = DEFAULT_TTL if ttl is None else ttl
    if not timedelta(minutes=1) <= ttl <= MAX_TTL:
        raise InvalidInput(
            _("a link lasts from a minute to %(days)s days", days=MAX_TTL.days),
            [Problem("ttl", _("a link lasts from a minute to %(days)s days", days=MAX_TTL.days))],
        )
    return ttl


def link_url(base_url: str, token: str) -> str:
    """The address a participant opens: ``{base_url}/link/{token}``."""
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def _unused(purpose: str | None, participant_ids: Sequence[int]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        col(SignInLink.participant_id).in_(participant_ids),
        col(SignInLink.revoked_at).is_(None),
        col(SignInLink.used_at).is_(None),
    ]
    if purpose is not None:
        conditions.append(col(SignInLink.purpose) == purpose)
    return conditions


def issue_link(
    session: Session,
    participant_id: int,
    *,
    base_url: str,
    next_path: str = "/",
    purpose: str = SIGN_IN,
    ttl: timedelta | None = None,
) -> IssuedLink:
    """Issue a new personal link; the participant's older unused links of the same purpose
    stop working at once. Sessions they already opened stay open."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("no such participant")
    check_next_path(next_path)
    _check_purpose(purpose)
    lifetime = _check_ttl(ttl)
    now = utcnow()
    session.exec(
        update(SignInLink).where(*_unused(purpose, [participant_id])).values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    row = SignInLink(
        participant_id=participant_id,
        purpose=purpose,
        token_hash=hash_token(token),
        next_path=next_path,
        issued_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    record_event(
        session,
        actor="system",
        action="link.issue",
        object_type="participant",
        object_id=participant_id,
        cohort_id=participant.cohort_id,
        detail={"link": row.id, "purpose": purpose},
    )
    return IssuedLink(participant_id, row.id, purpose, link_url(base_url, token), row.expires_at)


def revoke_links(
    session: Session, participant_id: int, *, purpose: str | None = None, by: str
) -> int:
    """Stop the participant's unused links (of ``purpose``, or all) and end the sessions links
    opened (a leaked link may already have been used); returns how many links stopped."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("no such participant")
    now = utcnow()
    stopped = session.exec(
        update(SignInLink).where(*_unused(purpose, [participant_id])).values(revoked_at=now)
    ).rowcount
    opened = select(SignInLink.session_id).where(
        col(SignInLink.participant_id) == participant_id,
        col(SignInLink.session_id).is_not(None),
        *([col(SignInLink.purpose) == purpose] if purpose is not None else []),
    )
    ended = session.exec(
        delete(WebSession).where(
            col(WebSession.participant_id) == participant_id, col(WebSession.id).in_(opened)
        )
    ).rowcount
    session.flush()
    record_event(
        session,
        actor=by,
        action="link.revoke",
        object_type="participant",
        object_id=participant_id,
        cohort_id=participant.cohort_id,
        detail={"purpose": purpose or "all", "links": stopped, "sessions": ended},
    )
    return int(stopped)


def _state(link: SignInLink, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return "live"


def redeem_link(session: Session, *, token: str, attempt: Attempt) -> SignInLink:
    """The live link behind ``token``. A miss is counted against the device and the address
    (LinkRejected, with the reason a real holder may read); too many raise Throttled."""
    check_throttle(session, attempt=attempt)
    link = None
    if TOKEN_SHAPE.fullmatch(token):
        digest = hash_token(token)
        found = session.exec(select(SignInLink).where(SignInLink.token_hash == digest)).first()
        # The lookup is by hash; comparing again in constant time costs nothing.
        if found is not None and hmac.compare_digest(found.token_hash, digest):
            link = found
    state = _state(link, utcnow()) if link is not None else "unknown"
    owner = session.get(Participant, link.participant_id) if link is not None else None
    if link is not None and state == "live" and owner is not None:
        return link
    count_failure(session, attempt=attempt)
    reason = state if state in ("expired", "used") else "unknown"
    record_event(
        session,
        actor="link",
        action="link.refused",
        object_type="participant" if link is not None else "link",
        object_id=link.participant_id if link is not None else "",
        detail={"reason": state if link is not None else "unknown"},
    )
    raise LinkRejected(reason)


def use_link(session: Session, *, link: SignInLink) -> bool:
    """Spend the link, once: True for the one request that does, False when another got there
    first or it stopped working meanwhile (a conditional update, safe under concurrency)."""
    now = utcnow()
    spent = session.exec(
        update(SignInLink)
        .where(
            col(SignInLink.id) == link.id,
            col(SignInLink.used_at).is_(None),
            col(SignInLink.revoked_at).is_(None),
            col(SignInLink.expires_at) > now,
        )
        .values(used_at=now)
    ).rowcount
    session.flush()
    if spent:
        session.refresh(link)
    return bool(spent)


def bind_session(session: Session, *, link: SignInLink, session_id: str) -> None:
    """Remember which session the link opened, so that stopping links can end it."""
    link.session_id = session_id
    session.add(link)
    session.flush()


TICKET_SECONDS = 300
"""How long an opened link waits for its PIN."""


def _ticket_mac(secret: str, link_id: int, expires: int, device: str) -> str:
    message = f"link|{link_id}|{expires}|{device}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def link_ticket(link: SignInLink, *, device: str, secret: str) -> str:
    """A signed note that ``link`` was opened on ``device``: that device, and no other, may
    ask for its PIN for the next five minutes."""
    assert link.id is not None
    expires = int(utcnow().timestamp()) + TICKET_SECONDS
    return f"{link.id}.{expires}.{_ticket_mac(secret, link.id, expires, device)}"


def pending_link(session: Session, *, ticket: str, device: str, secret: str) -> SignInLink | None:
    """The live link behind a ticket from ``link_ticket``, or None when the ticket is forged,
    from another device or expired, or the link no longer works."""
    parts = ticket.split(".")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) > 12:
        return None
    link_id, expires = int(parts[0]), int(parts[1])
    mac = _ticket_mac(secret, link_id, expires, device)
    if not hmac.compare_digest(mac, parts[2]) or expires < utcnow().timestamp():
        return None
    link = session.get(SignInLink, link_id)
    if link is None or _state(link, utcnow()) != "live":
        return None
    return link
