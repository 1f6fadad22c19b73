"""Participant sign-in cards: issue, revoke, redeem (typed code or QR link), rate-limited.

A card carries two secrets: a long random token (inside the QR link) and a short code a
participant can type. Only their hashes are stored, so a card can be printed once, at the
moment it is issued; printing again means issuing new cards, which retires the old ones.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, func, select

from app.models import Cohort, LoginAttempt, Participant, ParticipantPin, WebSession, utcnow
from app.models.tablet import SignInCard
from app.services.accounts import Throttled, hash_token
from app.services.cohorts import cohort_end_date
from app.services.ops import record_event

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No I, L, O, 0 or 1: they are misread on paper and mistyped on glass."""
CODE_LENGTH = 8
PIN_LOCK_AFTER = 10
"""Wrong PINs in a row after which only a facilitator's reset opens the account again."""


class CardRejected(Exception):
    """The code or link is unknown, revoked or expired (deliberately not saying which)."""


@dataclass(frozen=True, slots=True)
class IssuedCard:
    """A freshly issued card: the only moment its token and code exist in clear."""

    participant: Participant
    token: str
    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CardStatus:
    """What the facilitator sees of a participant's card: dates only, never the secrets."""

    participant: Participant
    issued_at: datetime | None
    expires_at: datetime | None
    revoked: bool
    pin: str = "none"
    """``none`` (not chosen yet), ``set``, or ``locked`` after too many wrong tries."""


def format_code(raw: str) -> str:
    """Group an 8-character code as ABCD-EFGH for printing."""
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(typed: str) -> str:
    """The code as stored: upper case, without spaces and hyphens."""
    return re.sub(r"[^A-Z0-9]", "", typed.upper())


def code_digest(code: str, *, secret: str) -> str:
    """HMAC of a normalised code with the app secret: 40 bits of code are too few for a bare
    hash, which anyone holding the database could reverse by trying them all."""
    return hmac.new(secret.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


def card_expiry(cohort: Cohort, *, followup_days: int) -> datetime:
    """Cards stay valid until the end of the follow-up period after the last day."""
    last = cohort_end_date(cohort) + timedelta(days=followup_days)
    return datetime.combine(last, time(23, 59, 59), ZoneInfo(cohort.timezone))


def device_store_key(participant_id: int, *, secret: str) -> str:
    """The key a tablet encrypts this participant's unsent words with (hex, 256 bits).

    It is handed only to pages of the participant's own sessions, so the next person on a
    shared tablet finds ciphertext; it stays the same across sessions, so the words wait,
    locked, until their writer signs in on that tablet again and they are sent.
    """
    message = f"tablet-store|{participant_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _active_cards(session: Session, participant_ids: Sequence[int]) -> list[SignInCard]:
    return list(
        session.exec(
            select(SignInCard).where(
                col(SignInCard.participant_id).in_(participant_ids),
                col(SignInCard.revoked_at).is_(None),
            )
        ).all()
    )


def issue_cards(
    session: Session,
    *,
    cohort: Cohort,
    participants: Sequence[Participant],
    secret: str,
    followup_days: int,
    actor: str = "system",
) -> list[IssuedCard]:
    """Issue one new card per participant; their older cards stop working at once."""
    now = utcnow()
    ids = [p.id for p in participants if p.id is not None]
    for old in _active_cards(session, ids):
        old.revoked_at = now
        session.add(old)
    # A reprint retires the old cards; tablets signed in with them must not stay open.
    session.exec(delete(WebSession).where(col(WebSession.participant_id).in_(ids)))
    expires = card_expiry(cohort, followup_days=followup_days)
    issued = []
    for participant in participants:
        assert participant.id is not None
        assert participant.cohort_id == cohort.id
        token = secrets.token_urlsafe(32)
        code = _new_code()
        while (
            session.exec(
                select(SignInCard.id).where(
                    SignInCard.code_hash == code_digest(code, secret=secret)
                )
            ).first()
            is not None
        ):
            code = _new_code()
        session.add(
            SignInCard(
                participant_id=participant.id,
                token_hash=hash_token(token),
                code_hash=code_digest(code, secret=secret),
                issued_at=now,
                expires_at=expires,
            )
        )
        issued.append(IssuedCard(participant, token, format_code(code), expires))
    session.flush()
    record_event(
        session,
        actor=actor,
        action="cards.issue",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"cards": len(issued)},
    )
    return issued


def reissue_card(
    session: Session,
    *,
    cohort: Cohort,
    participant: Participant,
    secret: str,
    followup_days: int,
    actor: str = "system",
) -> list[IssuedCard]:
    """Replace a participant's card: the old one stops working and its tablets are signed
    out (a lost card is a key in a stranger's hand), then a new card is issued."""
    revoke_card(session, participant=participant, actor=actor)
    return issue_cards(
        session,
        cohort=cohort,
        participants=[participant],
        secret=secret,
        followup_days=followup_days,
        actor=actor,
    )


def revoke_card(session: Session, *, participant: Participant, actor: str = "system") -> int:
    """Retire a participant's cards and sign out their tablets (a lost card is a key in a
    stranger's hand); returns how many cards were revoked."""
    assert participant.id is not None
    cards = _active_cards(session, [participant.id])
    for card in cards:
        card.revoked_at = utcnow()
        session.add(card)
    session.exec(delete(WebSession).where(col(WebSession.participant_id) == participant.id))
    session.flush()
    record_event(
        session,
        actor=actor,
        action="cards.revoke",
        object_type="participant",
        object_id=participant.id,
        cohort_id=participant.cohort_id,
        detail={"cards": len(cards)},
    )
    return len(cards)


def card_statuses(session: Session, *, participants: Sequence[Participant]) -> list[CardStatus]:
    """The newest card of each participant (issued, expiry, revoked), in the given order."""
    ids = [p.id for p in participants if p.id is not None]
    newest: dict[int, SignInCard] = {}
    for card in session.exec(
        select(SignInCard)
        .where(col(SignInCard.participant_id).in_(ids))
        .order_by(col(SignInCard.id))
    ).all():
        newest[card.participant_id] = card
    pins = {
        row.participant_id: row
        for row in session.exec(
            select(ParticipantPin).where(col(ParticipantPin.participant_id).in_(ids))
        )
    }
    statuses = []
    for p in participants:
        last = newest.get(p.id or 0)
        pin = pins.get(p.id or 0)
        statuses.append(
            CardStatus(
                p,
                last.issued_at if last else None,
                last.expires_at if last else None,
                bool(last and last.revoked_at is not None),
                "none"
                if pin is None or pin.pin_hash is None
                else "locked"
                if pin.failures >= PIN_LOCK_AFTER
                else "set",
            )
        )
    return statuses


@dataclass(frozen=True, slots=True)
class Attempt:
    """Where a sign-in attempt comes from: the tablet (its device cookie, hashed) and the
    network address, which a whole room of tablets shares."""

    device: str
    address: str
    window_seconds: int
    per_device: int = 10
    per_address: int = 300

    def keys(self, extra: Sequence[tuple[str, int]] = ()) -> list[tuple[str, int]]:
        """Each throttle key with its limit: this tablet, this address, and ``extra``."""
        return [
            (f"card-device|{self.device}", self.per_device),
            (f"card-address|{self.address}", self.per_address),
            *extra,
        ]


def check_throttle(
    session: Session, *, attempt: Attempt, extra: Sequence[tuple[str, int]] = ()
) -> None:
    """Raise Throttled when this tablet, this address or an ``extra`` key (a card) has failed
    too often within the window: one person mistyping locks only their own tablet."""
    since = utcnow() - timedelta(seconds=attempt.window_seconds)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < since))
    for key, limit in attempt.keys(extra):
        failures = session.exec(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key)
        ).one()
        if failures >= limit:
            raise Throttled(attempt.window_seconds)


def count_failure(
    session: Session, *, attempt: Attempt, extra: Sequence[tuple[str, int]] = ()
) -> None:
    """Count one failed attempt against every key it is throttled by."""
    for key, _ in attempt.keys(extra):
        session.add(LoginAttempt(key=key))
    session.flush()


def redeem_card(
    session: Session,
    *,
    attempt: Attempt,
    secret: str,
    code: str | None = None,
    token: str | None = None,
) -> SignInCard:
    """The live card behind a typed code or a QR token; a miss is counted against the tablet
    and the address (CardRejected), too many misses raise Throttled."""
    check_throttle(session, attempt=attempt)
    card = None
    if code is not None and len(normalise_code(code)) == CODE_LENGTH:
        card = session.exec(
            select(SignInCard).where(SignInCard.code_hash == code_digest(code, secret=secret))
        ).first()
    elif token is not None and 0 < len(token) <= 100:
        card = session.exec(
            select(SignInCard).where(SignInCard.token_hash == hash_token(token))
        ).first()
    if card is None or not card_is_live(session, card):
        count_failure(session, attempt=attempt)
        record_event(
            session,
            actor="tablet",
            action="signin.refused",
            object_type="card",
            detail={"step": "code" if code is not None else "link"},
        )
        raise CardRejected("that code is not valid")
    return card


def card_is_live(session: Session, card: SignInCard) -> bool:
    """True while the card is neither revoked nor expired and its participant exists."""
    return (
        card.revoked_at is None
        and card.expires_at > utcnow()
        and session.get(Participant, card.participant_id) is not None
    )


TICKET_SECONDS = 300
"""How long a card shown on a tablet waits for its PIN."""


def _ticket_mac(secret: str, card_id: int, expires: int, device: str) -> str:
    message = f"signin|{card_id}|{expires}|{device}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def pending_ticket(card: SignInCard, *, device: str, secret: str) -> str:
    """A signed note that ``card`` was shown on the tablet ``device``: it lets that tablet,
    and no other, ask for the card's PIN for the next five minutes."""
    assert card.id is not None
    expires = int(utcnow().timestamp()) + TICKET_SECONDS
    return f"{card.id}.{expires}.{_ticket_mac(secret, card.id, expires, device)}"


def pending_card(session: Session, *, ticket: str, device: str, secret: str) -> SignInCard | None:
    """The live card behind a ticket from ``pending_ticket``, or None when it is forged, from
    another tablet, expired, or its card no longer works."""
    parts = ticket.split(".")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) > 12:
        return None
    card_id, expires = int(parts[0]), int(parts[1])
    mac = _ticket_mac(secret, card_id, expires, device)
    if not hmac.compare_digest(mac, parts[2]) or expires < utcnow().timestamp():
        return None
    card = session.get(SignInCard, card_id)
    return card if card is not None and card_is_live(session, card) else None
