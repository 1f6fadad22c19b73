"""Outgoing mail: the outbox, addresses that bounced, and who opted out of reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow

MAIL_STATES = ("queued", "sending", "sent", "failed", "bounced")
"""queued -> sending -> sent | failed | bounced; a message whose send was interrupted goes
back from sending to queued only once its lease has run out."""


class OutboxMessage(SQLModel, table=True):
    """One message to send, kept as the exact bytes that go out until it is sent.

    The rendered message (with its Message-ID) is stored at queueing time, so every attempt
    sends the same bytes; it is deleted once the message is sent or given up, and only the
    state remains (what the facilitator sees: never the body).
    """

    __tablename__ = "outbox_message"
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40, index=True)
    template: str = Field(max_length=80)
    language: str = Field(default="en", max_length=8)
    to_address: str = Field(max_length=254, index=True)
    participant_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    cohort_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("cohort.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    message_id: str = Field(max_length=200)
    """The stable Message-ID header: a resent message is recognisably the same one."""
    payload: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    state: str = Field(default="queued", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """While sending: the claim runs out here, after which another worker may take it."""
    handed_over_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Recorded just before the message goes to the server: a claim that ran out with this
    set may have been delivered, so it is not sent again (see ``services/mail/sender.py``)."""
    last_error: str = Field(default="", max_length=300)
    """The SMTP code and class of the last failure (never any part of the message)."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MailBounce(SQLModel, table=True):
    """An address a mail server refused for good (5xx): nothing more is sent to it."""

    __tablename__ = "mail_bounce"
    address: str = Field(max_length=254, primary_key=True)
    code: int = 0
    bounced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MailOptOut(SQLModel, table=True):
    """A participant who asked for no reminder mails (invitations and links still come)."""

    __tablename__ = "mail_opt_out"
    participant_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
