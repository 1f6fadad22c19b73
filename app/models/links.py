"""Personal sign-in links: a single-use, expiring, revocable token per participant and purpose,
stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class SignInLink(SQLModel, table=True):
    """One personal link. The token exists in clear only in the mail or sheet it was issued
    for; ``token_hash`` is its SHA-256."""

    __tablename__ = "signin_link"
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    )
    purpose: str = Field(default="sign-in", max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    next_path: str = Field(default="/", max_length=200)
    """Where the participant lands once signed in: an internal path from the allowed list."""
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When an invitation carrying it was queued for sending."""
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    session_id: str | None = Field(default=None, max_length=64)
    """The session it opened (a hash, like ``web_session.id``): stopping links ends it."""
