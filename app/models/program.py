"""What a cohort runs: its frozen copy of the exercise library."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class CohortExercise(SQLModel, table=True):
    """One exercise as the cohort runs it: a snapshot, so later YAML edits change nothing here."""

    __tablename__ = "cohort_exercise"
    __table_args__ = (UniqueConstraint("cohort_id", "exercise_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    exercise_id: str = Field(max_length=80)
    version: int
    content_hash: str = Field(max_length=64)
    spec: dict[str, Any] = Field(sa_type=JSONType)
    position: int = 0
    selected: bool = True
    bound_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
