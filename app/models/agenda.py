"""The cohort's calendar, agenda items and live run-of-show state."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class AgendaDay(SQLModel, table=True):
    """A programme day's hours; a missing row means the default calendar for that day."""

    __tablename__ = "agenda_day"
    __table_args__ = (UniqueConstraint("cohort_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    day: int
    start: time
    end: time


class AgendaBlock(SQLModel, table=True):
    """A break, lunch or fixed plenary block on a day the exercises are placed around."""

    __tablename__ = "agenda_block"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    day: int
    start: time
    end: time
    title: str = Field(max_length=120)
    kind: str = Field(default="break", max_length=10)


class AgendaItem(SQLModel, table=True):
    """One exercise of the cohort's program placed on a day; pinned items survive a re-solve."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("cohort_id", "cohort_exercise_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    day: int
    start: time
    end: time
    cohort_exercise_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("cohort_exercise.id", ondelete="CASCADE"), nullable=False
        )
    )
    pinned: bool = False


class RunOfShow(SQLModel, table=True):
    """The live run of show per day; ``version`` grows on every change so tablets can follow."""

    __tablename__ = "run_of_show"
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)
    )
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
