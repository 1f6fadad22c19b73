"""Participant sign-in cards, answers (with versions and idempotency) and pair agreements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class SignInCard(SQLModel, table=True):
    """A printed card: a long token (the QR link) and a short typed code, stored only hashed."""

    __tablename__ = "signin_card"
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    )
    token_hash: str = Field(max_length=64, unique=True)
    code_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    """A participant's current answer to one prompt; ``version`` grows by one per save."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("participant_id", "cohort_exercise_id", "prompt_id"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    )
    cohort_exercise_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort_exercise.id", ondelete="CASCADE"), index=True)
    )
    prompt_id: str = Field(max_length=64)
    value: Any = Field(default=None, sa_type=JSONType)
    answered: bool = False
    """True when the value is not empty: progress counts this flag and never loads values."""
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SaveReceipt(SQLModel, table=True):
    """The stored result of one autosave, so that a retried request gets the same answer back."""

    __tablename__ = "save_receipt"
    __table_args__ = (UniqueConstraint("participant_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    )
    idempotency_key: str = Field(max_length=100)
    answer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    )
    version: int
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PairAgreement(SQLModel, table=True):
    """One buddy's acceptance of the group's agreement (cone of silence, respectful reading)."""

    __tablename__ = "pair_agreement"
    group_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("buddy_group.id", ondelete="CASCADE"), primary_key=True
        )
    )
    participant_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
