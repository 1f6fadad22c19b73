"""Personal PINs: chosen at first sign-in, asked at every later one, reset by a facilitator.

A printed card alone must not open what its owner wrote: facilitators print the cards, and a
card can be lost. The PIN is stored as an HMAC keyed with the app secret, with a salt per
participant, like the card codes, and not with argon2 like passwords, because:

- a 4-8 digit PIN has at most 10**8 values, which any offline search finds whatever the hash
  costs; what makes a stolen database useless is a key that is not in it;
- the answers the PIN guards live in the same database in clear, so a slow hash would protect
  nothing there;
- a whole room signs in at nine o'clock, and on SQLite each ~150 ms argon2 check would hold
  the write lock that every tablet's autosave waits for.

Online guessing is what is left, and it is throttled: per card, per tablet and per address,
and ten wrong PINs in a row lock the PIN until a facilitator resets it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from app.core.errors import InvalidInput, Problem
from app.core.i18n import N_, SOURCE_LANGUAGE, _, use_locale
from app.models import AuditEvent, Cohort, Participant, ParticipantPin, WebSession, utcnow
from app.services.ops import record_event
from app.services.tablet import signin

PIN_MIN, PIN_MAX = 4, 8
PIN_LOCK_AFTER = 10
PIN_ATTEMPTS_PER_WINDOW = 5
"""Wrong PINs per card and throttle window, wherever they are typed."""
"""Wrong PINs in a row after which only a facilitator's reset opens the account again."""


class PinRejected(Exception):
    """The PIN typed is not the participant's."""


class PinLocked(Exception):
    """Too many wrong PINs in a row: a facilitator must reset the PIN."""


@dataclass(frozen=True, slots=True)
class SignInRecord:
    """One sign-in as the participant sees it: when, on what, and after how many wrong PINs."""

    at: datetime
    device: str
    this_tablet: bool
    wrong_pins_before: int


@dataclass(frozen=True, slots=True)
class AccountActivity:
    """What the participant is shown about their own account."""

    signins: list[SignInRecord]
    pin_reset_at: datetime | None


def _actor(participant: Participant) -> str:
    return f"participant:{participant.id}"


def pin_digest(pin: str, *, salt: str, participant_id: int, secret: str) -> str:
    """HMAC of a PIN, bound to its participant and salt (equal PINs never look equal)."""
    message = f"pin|{participant_id}|{salt}|{pin}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def pin_row(session: Session, *, participant: Participant) -> ParticipantPin:
    """The participant's PIN row, created empty (no PIN yet) on first use."""
    assert participant.id is not None
    row = session.get(ParticipantPin, participant.id)
    if row is None:
        row = ParticipantPin(participant_id=participant.id, salt=secrets.token_hex(16))
        session.add(row)
        session.flush()
    return row


def needs_new_pin(session: Session, *, participant: Participant) -> bool:
    """True at first sign-in and after a facilitator's reset."""
    assert participant.id is not None
    row = session.get(ParticipantPin, participant.id)
    return row is None or row.pin_hash is None


def pin_reset_at(session: Session, *, participant: Participant) -> datetime | None:
    """When a facilitator last reset this participant's PIN, if ever."""
    assert participant.id is not None
    row = session.get(ParticipantPin, participant.id)
    return row.reset_at if row else None


def _weak(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def set_pin(
    session: Session, *, participant: Participant, pin: str, again: str, secret: str
) -> None:
    """Store the PIN chosen at first sign-in (or after a reset); refuse a weak or mistyped one."""
    problems = []
    if not re.fullmatch(rf"[0-9]{{{PIN_MIN},{PIN_MAX}}}", pin):
        problems.append(
            Problem(
                "pin",
                _("The PIN must be %(min)s to %(max)s digits.", min=PIN_MIN, max=PIN_MAX),
                "pin",
            )
        )
    elif _weak(pin):
        problems.append(
            Problem("pin", _("The PIN is too easy to guess: avoid 1234 or 1111."), "pin")
        )
    elif pin != again:
        problems.append(
            Problem("pin_again", _("The PIN does not match the first one."), "pin_again")
        )
    if problems:
        raise InvalidInput(_("the PIN was not set"), problems)
    if not needs_new_pin(session, participant=participant):
        raise PinRejected("a PIN is already set")
    row = pin_row(session, participant=participant)
    row.salt = secrets.token_hex(16)
    assert participant.id is not None
    row.pin_hash = pin_digest(pin, salt=row.salt, participant_id=participant.id, secret=secret)
    row.set_at = utcnow()
    row.failures = 0
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=_actor(participant),
        action="participant.pin_set",
        object_type="participant",
        object_id=participant.id,
        cohort_id=participant.cohort_id,
    )


def verify_pin(
    session: Session,
    *,
    participant: Participant,
    pin: str,
    secret: str,
    attempt: signin.Attempt,
) -> int:
    """Check the PIN; returns how many wrong PINs came before it. A wrong one is counted
    against the card, the tablet and the address (PinRejected); ten in a row lock the PIN
    (PinLocked); too many per window raise Throttled."""
    assert participant.id is not None
    card_key = [(f"pin|{participant.id}", PIN_ATTEMPTS_PER_WINDOW)]
    signin.check_throttle(session, attempt=attempt, extra=card_key)
    row = pin_row(session, participant=participant)
    if row.failures >= PIN_LOCK_AFTER:
        raise PinLocked("the PIN is locked")
    digest = pin_digest(pin[:PIN_MAX], salt=row.salt, participant_id=participant.id, secret=secret)
    if row.pin_hash is not None and hmac.compare_digest(row.pin_hash, digest):
        before, row.failures = row.failures, 0
        session.add(row)
        session.flush()
        return before
    row.failures += 1
    session.add(row)
    signin.count_failure(session, attempt=attempt, extra=card_key)
    record_event(
        session,
        actor="tablet",
        action="participant.signin_failed",
        object_type="participant",
        object_id=participant.id,
        cohort_id=participant.cohort_id,
        detail={"step": "pin", "in_a_row": row.failures},
    )
    if row.failures >= PIN_LOCK_AFTER:
        raise PinLocked("the PIN is locked")
    raise PinRejected("wrong PIN")


def reset_pin(session: Session, *, participant: Participant, actor: str) -> None:
    """Forget the PIN so that the participant chooses a new one at next sign-in. Nothing they
    wrote is touched; their open sessions end, and they are told at next sign-in."""
    row = pin_row(session, participant=participant)
    row.pin_hash = None
    row.failures = 0
    row.reset_at = utcnow()
    session.add(row)
    session.exec(delete(WebSession).where(col(WebSession.participant_id) == participant.id))
    session.flush()
    record_event(
        session,
        actor=actor,
        action="participant.pin_reset",
        object_type="participant",
        object_id=participant.id or "",
        cohort_id=participant.cohort_id,
    )


def record_signin(
    session: Session,
    *,
    participant: Participant,
    device: str,
    device_summary: str,
    via: str,
    wrong_pins_before: int,
    device_kind: tuple[str, str] | None = None,
) -> None:
    """Append the sign-in to the audit trail: when, which tablet (hash), what browser."""
    record_event(
        session,
        actor=_actor(participant),
        action="participant.signin",
        object_type="participant",
        object_id=participant.id or "",
        cohort_id=participant.cohort_id,
        detail={
            "via": via,
            "device": device_summary,
            # Codes, so that the participant reads the summary in their own language later.
            **(
                {"browser": device_kind[0], "system": device_kind[1]}
                if device_kind is not None
                else {}
            ),
            "tablet": device[:16],
            "wrong_pins_before": wrong_pins_before,
        },
    )


def cohort_zone(session: Session, participant: Participant) -> ZoneInfo:
    """The time zone the participant's cohort runs in: times are shown in it."""
    cohort = session.get(Cohort, participant.cohort_id)
    return ZoneInfo(cohort.timezone if cohort else "UTC")


def account_activity(
    session: Session, *, participant: Participant, device: str, limit: int = 3
) -> AccountActivity:
    """The participant's latest sign-ins (newest first) and their PIN's last reset, in the
    cohort's time zone."""
    zone = cohort_zone(session, participant)
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.action == "participant.signin",
            AuditEvent.object_type == "participant",
            AuditEvent.object_id == str(participant.id),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(limit)
    ).all()
    records = [
        SignInRecord(
            at=e.at.astimezone(zone),
            device=device_label(str(e.detail.get("browser", "")), str(e.detail["system"]))
            if "system" in e.detail
            else str(e.detail.get("device") or _("an unknown browser")),
            this_tablet=bool(device) and e.detail.get("tablet") == device[:16],
            wrong_pins_before=int(e.detail.get("wrong_pins_before", 0)),
        )
        for e in events
    ]
    reset = pin_reset_at(session, participant=participant)
    return AccountActivity(records, reset.astimezone(zone) if reset else None)


# Browser and product names are not translated; the phrases around them are (see below).
_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPad", "ipad"),
    ("iPhone", "iphone"),
    ("CrOS", "chromebook"),
    ("Windows", "windows"),
    ("Macintosh", "mac"),
    ("Linux", "linux"),
)
SYSTEM_NAMES = {
    "ipad": N_("an iPad"),
    "iphone": N_("an iPhone"),
    "chromebook": N_("a Chromebook"),
    "windows": N_("Windows"),
    "mac": N_("a Mac"),
    "linux": N_("Linux"),
    "android-phone": N_("an Android phone"),
    "android-tablet": N_("an Android tablet"),
}


def device_parts(user_agent: str) -> tuple[str, str]:
    """The browser's name ("" when unknown) and a key of ``SYSTEM_NAMES`` ("" when unknown)."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    if "Android" in user_agent:
        system = "android-phone" if "Mobile" in user_agent else "android-tablet"
    else:
        system = next((key for mark, key in _SYSTEMS if mark in user_agent), "")
    return browser, system


def device_label(browser: str, system: str) -> str:
    """ "Chrome on an iPad" in the reader's language (browser names stay as they are)."""
    where = _(SYSTEM_NAMES[system]) if system in SYSTEM_NAMES else ""
    if browser and where:
        # Translators: a browser on a device, e.g. "Chrome on an iPad".
        return _("%(browser)s on %(system)s", browser=browser, system=where)
    if where:
        return _("a browser on %(system)s", system=where)
    return browser or _("a browser")


def describe_device(user_agent: str) -> str:
    """A coarse summary such as "Chrome on an Android tablet": enough for a participant to
    tell their own sign-ins from someone else's, without keeping a fingerprint. Written in
    the source language (it is kept in the audit trail); pages show :func:`device_label`."""
    with use_locale(SOURCE_LANGUAGE):
        return device_label(*device_parts(user_agent))
