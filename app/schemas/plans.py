"""JSON shape of the plans overview: counts and flags, never what anyone wrote."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class PlanStatePublic(BaseModel):
    participant_id: int
    name: str
    started: bool
    shared: bool = Field(description="Shares some part with their buddy")
    reviewed: bool = Field(description="The buddy has commented")


class PartnershipCounts(BaseModel):
    active: int
    paused: int
    ended: int


class PlansOverviewPublic(BaseModel):
    rows: list[PlanStatePublic]
    started: int
    shared: int
    reviewed: int
    partnerships: PartnershipCounts
    purge_due: date = Field(description="The first day the cohort's content may be purged")
