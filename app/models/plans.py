"""Development plans, buddy comments on them, and the partnership after the program."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow

PLAN_PARTS = ("aspiration", "goals", "strengths", "obstacles")
PARTNERSHIP_STATES = ("active", "paused", "ended")
PARTNERSHIP_REASONS = (
    "completed",
    "no_time",
    "new_role",
    "roles_overlap",
    "prefer_not_to_say",
)
CHECKIN_STATES = ("upcoming", "held", "moved", "missed")


def _fk(target: str, *, index: bool = True, nullable: bool = False) -> Any:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), index=index, nullable=nullable)


class Plan(SQLModel, table=True):
    """A participant's development plan; ``version`` grows by one per save."""

    __tablename__ = "plan"
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    version: int = 0
    shared_parts: list[str] = Field(default_factory=list, sa_type=JSONType)
    """Which parts the current buddy may read: none until the owner shares one."""
    started: bool = False
    """True once anything was written: the facilitators' overview counts this, never content."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanVersion(SQLModel, table=True):
    """A snapshot of a plan: one per writing session, so earlier versions can be read back."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    version: int
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanSaveReceipt(SQLModel, table=True):
    """The stored result of one plan autosave, returned again when the request is retried."""

    __tablename__ = "plan_save_receipt"
    __table_args__ = (UniqueConstraint("participant_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(sa_column=_fk("participant.id"))
    idempotency_key: str = Field(max_length=100)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanComment(SQLModel, table=True):
    """A buddy's "have you thought about...?" on one shared part of a plan."""

    __tablename__ = "plan_comment"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    author_id: int = Field(sa_column=_fk("participant.id"))
    part: str = Field(max_length=20)
    text: str = Field(max_length=4000)
    resolved: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CheckInPlan(SQLModel, table=True):
    """The rhythm a buddy group agreed for after the program, and its dates."""

    __tablename__ = "checkin_plan"
    group_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("buddy_group.id", ondelete="CASCADE"), primary_key=True
        )
    )
    rhythm: str = Field(max_length=20)
    dates: list[str] = Field(default_factory=list, sa_type=JSONType)
    """ISO dates of the check-ins."""
    proposed_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="SET NULL"), nullable=True),
    )
    agreed_by: list[int] = Field(default_factory=list, sa_type=JSONType)
    """Participant ids of the members who agreed; the rhythm holds once all have."""
    at: time = Field(default=time(10, 0))
    """The time of day the check-ins start, in the cohort's timezone."""
    series: int = 1
    """Which series of check-ins this rhythm makes: renewing the rhythm starts the next one."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CheckIn(SQLModel, table=True):
    """One check-in of a pair: an appointment that can move, and whether they met.

    ``sequence`` rises each time the date moves, so every calendar that holds the event (same
    UID) replaces it in place; reminders are keyed by it, so a moved check-in is reminded anew.
    """

    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("group_id", "series", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(sa_column=_fk("buddy_group.id"))
    series: int = 1
    number: int
    day: date
    """The local day in the cohort's timezone."""
    at: time
    """The local start time in the cohort's timezone."""
    state: str = Field(default="upcoming", max_length=10)
    sequence: int = 0
    reminded_sequence: int | None = None
    """The sequence the last reminder was queued for (None: not yet reminded)."""
    changed_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="SET NULL"), nullable=True),
    )
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CheckInNote(SQLModel, table=True):
    """A participant's private note for one check-in: nobody else ever reads it."""

    __tablename__ = "checkin_note"
    __table_args__ = (UniqueConstraint("participant_id", "group_id", "checkin_date"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(sa_column=_fk("participant.id"))
    group_id: int = Field(sa_column=_fk("buddy_group.id"))
    checkin_date: date
    text: str = Field(default="", max_length=20_000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgreedStep(SQLModel, table=True):
    """A next step the buddies agreed together; both read it."""

    __tablename__ = "agreed_step"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(sa_column=_fk("buddy_group.id"))
    text: str = Field(max_length=2000)
    created_by: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("participant.id", ondelete="SET NULL"), index=True, nullable=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When a member ticked the step done (None: still to do)."""
    done_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="SET NULL"), nullable=True),
    )


class Partnership(SQLModel, table=True):
    """Whether a buddy group keeps going after the program; no row means active.

    ``reason`` is shown only to whoever set it: the other buddy learns "paused" or "ended".
    """

    __tablename__ = "partnership"
    group_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("buddy_group.id", ondelete="CASCADE"), primary_key=True
        )
    )
    state: str = Field(default="active", max_length=10)
    reason: str = Field(default="", max_length=30)
    changed_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="SET NULL"), nullable=True),
    )
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
