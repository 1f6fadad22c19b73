"""JSON shapes of a buddy-matching result and the proof that comes with it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class GroupPublic(BaseModel):
    members: list[str] = Field(description="The members' e-mails (two, or three in the trio)")
    score: float
    reasons: list[str] = Field(description="Likeness and difference, in the reader's language")


class MatchProblemPublic(BaseModel):
    people: list[str]
    message: str
    relaxations: list[str] = Field(description="What would let these people be paired")


class MatchingResultPublic(BaseModel):
    state: Literal["not_paired", "proposed", "published"]
    groups: list[GroupPublic]
    total: float
    unpaired: list[str]
    problems: list[MatchProblemPublic]
    bound: float | None = Field(
        description="A proven upper bound on the best possible total under the same rules; "
        "null before a run and after changes by hand (swap, exclusion, an ended pairing)"
    )
    gap: float | None = Field(
        description="(bound - total) / bound: how far the total may lie below the best "
        "possible, 0.0 when optimal; null without a bound"
    )
    optimal: bool = Field(description="No grouping under the same rules scores more")
