"""JSON shapes of cohorts, participants and roster imports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.models.cohorts import EARLIEST_START, LATEST_START


def _date_text_only(value: Any) -> Any:
    # Pydantic reads a number as seconds since 1970: "start_date": 0 must be refused, not 1970.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a date like 2027-03-01")
    return value


def _within_calendar(value: date) -> date:
    if not EARLIEST_START <= value <= LATEST_START:
        raise ValueError(f"must be between {EARLIEST_START} and {LATEST_START}")
    return value


CohortDate = Annotated[
    date,
    BeforeValidator(_date_text_only),
    AfterValidator(_within_calendar),
    Field(description=f"A date like 2027-03-01, from {EARLIEST_START} to {LATEST_START}"),
]


class CohortCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    start_date: CohortDate
    days: int = Field(default=4, ge=1, le=14)
    timezone: str = Field(default="UTC", max_length=64)
    location: str = Field(default="", max_length=200)


class CohortPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    start_date: date
    days: int
    timezone: str
    location: str
    status: str


class ParticipantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str
    title: str
    level: str
    function: str
    region: str
    tenure_years: float | None
    manager_email: str
    languages: list[str]
    tags: list[str]
    avoid: list[str]
    conflict_group: str
    excluded: bool


class RowChangePublic(BaseModel):
    email: str
    name: str
    changes: dict[str, list[object]] = Field(default_factory=dict)


class ProblemPublic(BaseModel):
    where: str
    field: str | None = None
    message: str


class ImportResult(BaseModel):
    dry_run: bool
    applied: bool
    added: list[RowChangePublic]
    updated: list[RowChangePublic]
    removed: list[RowChangePublic]
    unchanged: int
    ignored_columns: list[str]
    encoding: str
    delimiter: str
    date_format: str | None = Field(
        default=None, description='"dmy" or "mdy" when some date depended on the order'
    )
    warnings: list[ProblemPublic] = Field(
        default_factory=list,
        description="Values to check (e.g. formula-like names); applying needs accept_warnings",
    )
