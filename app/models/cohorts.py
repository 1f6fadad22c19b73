"""Cohorts, the people in them and who facilitates them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow

COHORT_STATUSES = ("draft", "paired", "scheduled", "live", "closed")
TEAM_ROLES = ("lead", "co-facilitator")
"""A facilitator's part in a cohort's team: the lead manages the team and does what cannot be
undone; a co-facilitator runs the room and edits (see ``cohorts.team``)."""
EARLIEST_START = date(2000, 1, 1)
LATEST_START = date(2199, 12, 31)
"""The dates a cohort may start on: its program, follow-up check-ins, card expiry and the
retention period all lie months or years after the start and must stay within the calendar."""


class Cohort(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    start_date: date
    days: int = 4
    timezone: str = Field(default="UTC", max_length=64)
    location: str = Field(default="", max_length=200)
    status: str = Field(default="draft", max_length=20)
    roster_version: int = 0
    weights: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    language: str = Field(default="en", max_length=8)
    """The cohort's default language: participants without one of their own read this."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CohortFacilitator(SQLModel, table=True):
    __tablename__ = "cohort_facilitator"
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)
    )
    facilitator_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("facilitator.id", ondelete="CASCADE"), primary_key=True
        )
    )
    role: str = Field(default="lead", max_length=20)
    """One of ``TEAM_ROLES``."""


class Person(SQLModel, table=True):
    """One human across cohorts, identified by a normalised e-mail; keeps pairing history."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Participant(SQLModel, table=True):
    """A Person in a Cohort, with the roster attributes used for matching."""

    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    person_id: int = Field(sa_column=Column(Integer, ForeignKey("person.id"), index=True))
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    title: str = Field(default="", max_length=200)
    level: str = Field(default="", max_length=200)
    function: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=200)
    tenure_years: float | None = None
    hire_date: date | None = None
    manager_email: str = Field(default="", max_length=254)
    languages: list[str] = Field(default_factory=list, sa_type=JSONType)
    language: str = Field(default="", max_length=8)
    """The language this participant reads Tandem in ("" = the cohort's default)."""
    tags: list[str] = Field(default_factory=list, sa_type=JSONType)
    avoid: list[str] = Field(default_factory=list, sa_type=JSONType)
    conflict_group: str = Field(default="", max_length=200)
    excluded: bool = False
    print_answers: bool = False
    """The participant agreed that facilitators may print their filled workbook."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RosterImport(SQLModel, table=True):
    """An uploaded roster waiting between preview and confirm (kept so nothing is re-uploaded)."""

    __tablename__ = "roster_import"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    )
    filename: str = Field(default="", max_length=255)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    mapping: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    date_format: str = Field(default="", max_length=3)
    """"dmy" or "mdy" when the facilitator chose how this file's dates read."""
    encoding: str = Field(default="", max_length=20)
    """The encoding the facilitator chose for this file, if any."""
    base_roster_version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RosterProfile(SQLModel, table=True):
    """How a cohort's roster files are read, remembered from its last applied import.

    Re-importing the same file then reads every column, date and character as before.
    """

    __tablename__ = "roster_profile"
    cohort_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)
    )
    mapping: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    date_format: str = Field(default="", max_length=3)
    encoding: str = Field(default="", max_length=20)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
