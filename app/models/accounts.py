"""Facilitator accounts, server-side sessions and sign-in throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class Facilitator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(default="facilitator", max_length=20)
    active: bool = True
    language: str = Field(default="", max_length=8)
    """The facilitator's language ("" = the browser's Accept-Language)."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class PasswordLink(SQLModel, table=True):
    """A single-use, expiring link that sets a facilitator's password (an invitation or a
    reset). Only the token's hash is stored; a new link replaces any older one."""

    __tablename__ = "password_link"
    id: str = Field(primary_key=True, max_length=64)
    facilitator_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("facilitator.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    purpose: str = Field(max_length=20)
    """"invite" or "reset"."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "web_session"
    id: str = Field(primary_key=True, max_length=64)
    facilitator_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("facilitator.id", ondelete="CASCADE"), index=True),
    )
    participant_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), index=True),
    )
    csrf_secret: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the participant last used it (at most a minute stale): the idle timeout."""
    device: str | None = Field(default=None, max_length=64, index=True)
    """Hash of the tablet's device cookie: a new sign-in there ends this session."""


class LoginAttempt(SQLModel, table=True):
    """One failed or throttled sign-in, keyed by who and from where; old rows are pruned."""

    __tablename__ = "login_attempt"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ParticipantPin(SQLModel, table=True):
    """The personal PIN a participant chooses at first sign-in; without it a card opens nothing
    once its owner has started. Stored as an HMAC (see ``signin_pin``), never in clear."""

    __tablename__ = "participant_pin"
    participant_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
        )
    )
    pin_hash: str | None = Field(default=None, max_length=64)
    """None until chosen, and again after a facilitator's reset."""
    salt: str = Field(max_length=32)
    set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    """Wrong PINs in a row since the last right one: too many lock the PIN until a reset."""
    reset_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
