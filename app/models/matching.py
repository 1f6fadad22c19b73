"""Buddy groups (pairs, at most one trio per cohort) and the pairing history across cohorts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    UniqueConstraint,
    event,
    select,
)
from sqlmodel import Field, SQLModel

from app.core.messages import MessageList
from app.models.base import UTCDateTime, utcnow

GROUP_STATES = ("proposed", "published", "ended")
END_REASONS = ("completed", "left_program", "conflict_of_interest", "other")


# A person is never in two live (proposed or published) groups, and the database says so:
# ``live`` is TRUE on a live group and NULL on an ended one; each membership copies it through
# a foreign key that follows the group (ON UPDATE CASCADE), and (participant, live) is unique.
# NULLs never collide, so ended memberships are unlimited while live ones are one per person.
LIVE_CONSTRAINT = "uq_buddy_member_participant_id"


class BuddyGroup(SQLModel, table=True):
    __tablename__ = "buddy_group"
    # A unique index rather than a constraint: SQLite adds it without rebuilding the table
    # (a rebuild would cascade-delete every row that points at a group).
    __table_args__ = (Index("ix_buddy_group_id_live", "id", "live", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    score: float = 0.0
    # Stored as messages (id + values), so each reader reads them in their own language.
    reasons: list[str] = Field(default_factory=list, sa_type=MessageList)
    """For facilitators: likeness and difference, never content."""
    participant_reasons: list[str] = Field(default_factory=list, sa_type=MessageList)
    """For the buddies: reveals nothing about constraints, avoid lists or conflict groups."""
    locked: bool = False
    state: str = Field(default="proposed", max_length=20)
    end_reason: str = Field(default="", max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    live: bool | None = Field(default=True, sa_column=Column(Boolean, nullable=True))
    """TRUE while proposed or published, NULL once ended (kept in step with ``state``)."""


@event.listens_for(BuddyGroup, "before_insert")
@event.listens_for(BuddyGroup, "before_update")
def _live_follows_state(_mapper: Any, _connection: Any, target: BuddyGroup) -> None:
    # At flush rather than on assignment: a constructor sets ``live``'s default after
    # ``state``, and any code path that ends a group gets its memberships released.
    target.live = None if target.state == "ended" else True


class BuddyMember(SQLModel, table=True):
    __tablename__ = "buddy_member"
    __table_args__ = (
        UniqueConstraint("participant_id", "live"),
        ForeignKeyConstraint(
            ["group_id", "live"],
            ["buddy_group.id", "buddy_group.live"],
            name="fk_buddy_member_live_buddy_group",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
    )
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
    live: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))
    """The group's ``live``: copied on insert, then kept by the database; never set by hand."""


@event.listens_for(BuddyMember, "before_insert")
def _member_copies_live(_mapper: Any, connection: Any, target: BuddyMember) -> None:
    table = BuddyGroup.__table__  # type: ignore[attr-defined]
    target.live = connection.scalar(select(table.c.live).where(table.c.id == target.group_id))


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
