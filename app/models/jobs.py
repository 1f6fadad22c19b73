"""Long work (cohort workbook exports) tracked so that pages and the CLI can show progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    kind: str = Field(max_length=40)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    state: str = Field(default="queued", max_length=20)
    done: int = 0
    total: int = 0
    message: str = Field(default="", max_length=500)
    files: list[str] = Field(default_factory=list, sa_type=JSONType)
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
