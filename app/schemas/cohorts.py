"""JSON shapes of cohorts, participants and roster imports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

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


LanguageCode = Literal["en", "de", "fr", "es"]


class CohortUpdate(BaseModel):
    """The fields to change; the others keep their value (the slug never changes)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    start_date: CohortDate | None = None
    days: int | None = Field(default=None, ge=1, le=14)
    timezone: str | None = Field(default=None, max_length=64)
    location: str | None = Field(default=None, max_length=200)
    language: LanguageCode | None = Field(
        default=None, description="What participants without a language of their own read"
    )


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
    language: str = Field(description="The cohort's default language: en, de, fr or es")


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
    language: str = Field(description='The language they read Tandem in ("" = the cohort\'s)')


class ParticipantUpdate(BaseModel):
    """The roster fields to change; the others keep their value."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=200)
    function: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=200)
    tenure_years: float | None = Field(default=None, ge=0, le=70)
    manager_email: str | None = Field(default=None, max_length=254)
    languages: list[Annotated[str, Field(max_length=40)]] | None = Field(
        default=None, max_length=20, description="Languages spoken (for matching)"
    )
    tags: list[Annotated[str, Field(max_length=80)]] | None = Field(default=None, max_length=50)
    avoid: list[Annotated[str, Field(max_length=254)]] | None = Field(
        default=None, max_length=50, description="E-mail addresses never to pair with"
    )
    conflict_group: str | None = Field(default=None, max_length=200)
    language: Literal["", "en", "de", "fr", "es"] | None = Field(
        default=None, description='The language they read Tandem in ("" = the cohort\'s)'
    )


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
