"""Buddy groups (pairs, at most one trio per cohort) and the pairing history across cohorts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow

GROUP_STATES = ("proposed", "published", "ended")
END_REASONS = ("completed", "left_program", "conflict_of_interest", "other")


class BuddyGroup(SQLModel, table=True):
    __tablename__ = "buddy_group"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    score: float = 0.0
    reasons: list[str] = Field(default_factory=list, sa_type=JSONType)
    """For facilitators: likeness and difference, never content."""
    participant_reasons: list[str] = Field(default_factory=list, sa_type=JSONType)
    """For the buddies: reveals nothing about constraints, avoid lists or conflict groups."""
    locked: bool = False
    state: str = Field(default="proposed", max_length=20)
    end_reason: str = Field(default="", max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BuddyMember(SQLModel, table=True):
    __tablename__ = "buddy_member"
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


class PairingHistory(SQLModel, table=True):
    """Two people who were published buddies; kept per Person so later cohorts avoid repeats."""

    __tablename__ = "pairing_history"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id", "cohort_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_a_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), index=True)
    )
    person_b_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), index=True)
    )
    cohort_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
