"""JSON shapes of the agenda: days and entries, hand edits, and the live run of show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.errors import ProblemPublic

Clock = str
"""A local time written ``09:30``."""
CLOCK = Field(min_length=1, max_length=8, description="A local time like 09:30")
MAX_DAYS = 14


class SpanPublic(BaseModel):
    start: Clock = Field(description="09:30")
    end: Clock = Field(description="10:15")


class EntryPublic(SpanPublic):
    kind: str = Field(description="exercise, break, lunch or fixed")
    title: str
    exercise_id: str | None
    pinned: bool


class DayPublic(BaseModel):
    day: int
    date: date
    start: Clock
    end: Clock
    edited: bool = Field(description="The hours or blocks were changed by hand")
    entries: list[EntryPublic]
    free: list[SpanPublic] = Field(description="Free time between the entries")


class AgendaPublic(BaseModel):
    """The agenda per day, its conflicts, and the selected exercises not on it."""

    built: bool
    has_trio: bool
    days: list[DayPublic]
    conflicts: list[ProblemPublic]
    unscheduled: list[str] = Field(description="Exercise ids not on the agenda")
    off_their_day: dict[str, str] = Field(
        description="Exercise id -> why it is not on the day it asks for"
    )


class BuildPublic(AgendaPublic):
    status: str = Field(description="The solver's status: optimal or feasible")
    warnings: list[str]
    solve_s: float


class HoursUpdate(BaseModel):
    start: Clock = CLOCK
    end: Clock = CLOCK


class BlockCreate(HoursUpdate):
    title: str = Field(min_length=1, max_length=200)
    kind: Literal["break", "lunch", "fixed"] = "break"


class MoveRequest(BaseModel):
    day: int = Field(ge=1, le=MAX_DAYS)
    start: Clock = CLOCK
    force: bool = Field(default=False, description="Place it even where it conflicts")


class PinRequest(BaseModel):
    pinned: bool = True


class ExerciseAdd(BaseModel):
    exercise_id: str = Field(min_length=1, max_length=80)
    day: int | None = Field(default=None, ge=1, le=MAX_DAYS, description="Else the solver picks")
    start: Clock | None = Field(default=None, max_length=8)
    force: bool = False


class ConflictsPublic(BaseModel):
    """What a hand edit left in conflict (empty when the agenda is consistent)."""

    conflicts: list[ProblemPublic]


class ShowItemPublic(BaseModel):
    id: str
    title: str
    start: Clock
    end: Clock
    kind: str


class RestLinePublic(BaseModel):
    id: str
    title: str
    start: Clock
    end: Clock


class LogLinePublic(BaseModel):
    kind: str
    title: str
    at: Clock
    minutes: int
    overrun_s: int


class RunPublic(BaseModel):
    """One day of the live run of show: what runs now, time left, and the rest re-timed."""

    day: int
    started: bool
    finished: bool
    current: ShowItemPublic | None
    ends_at: datetime | None
    time_left_s: int | None
    overrun_s: int
    next: ShowItemPublic | None
    rest: list[RestLinePublic]
    warnings: list[str]
    log: list[LogLinePublic]
    version: int


class RunActionRequest(BaseModel):
    day: int | None = Field(default=None, ge=1, le=MAX_DAYS, description="start: which day")
    minutes: int = Field(default=0, ge=-24 * 60, le=24 * 60, description="extend: by how much")
    other_date: bool = Field(
        default=False, description="start: confirm starting a day on a date not its own"
    )
