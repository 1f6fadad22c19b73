"""What a participant says before day one: the intake answers and private avoid requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class IntakeAnswer(SQLModel, table=True):
    """One participant's intake: tag choices, languages, and free text only they may read."""

    __tablename__ = "intake_answer"
    participant_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
        )
    )
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    offers: list[str] = Field(default_factory=list, sa_type=JSONType)
    wants: list[str] = Field(default_factory=list, sa_type=JSONType)
    languages: list[str] = Field(default_factory=list, sa_type=JSONType)
    notes: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    """Free text by question id: read by its writer only (``privacy.visibility``)."""
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IntakeAvoid(SQLModel, table=True):
    """A private request not to be paired with someone; nobody else learns who asked."""

    __tablename__ = "intake_avoid"
    participant_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
        )
    )
    avoided_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
