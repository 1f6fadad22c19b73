"""JSON shapes of buddy matching: the result, the groups, the matrix and the changes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.models.base import MAX_DB_ID

PairingStateName = Literal["not_paired", "proposed", "published"]
HistoryModeName = Literal["forbid", "penalty"]
EndReason = Literal["completed", "left_program", "conflict_of_interest", "other"]


class ResultGroupPublic(BaseModel):
    members: list[str] = Field(description="The members' e-mail addresses")
    score: float
    reasons: list[str] = Field(description="Likeness and difference, for facilitators")


class MatchProblemPublic(BaseModel):
    people: list[str] = Field(description="Whom the problem concerns (e-mail addresses)")
    message: str
    relaxations: list[str] = Field(description="Which rule changes would let them be placed")


class MatchingResultPublic(BaseModel):
    """The pairing: its groups, total score, who is left without a buddy and why."""

    state: PairingStateName = Field(description="not_paired, proposed or published")
    groups: list[ResultGroupPublic]
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


class BlockedPairPublic(BaseModel):
    a: str
    b: str
    rule: str


class MatrixPublic(BaseModel):
    participants: list[str] = Field(description="E-mail addresses, in the order of the rows")
    scores: list[list[float]]
    blocked: list[BlockedPairPublic]


class MemberPublic(BaseModel):
    id: int
    name: str
    email: str


class GroupPublic(BaseModel):
    """A buddy group with the ids needed to lock, end or join it."""

    id: int
    state: Literal["proposed", "published", "ended"]
    locked: bool
    score: float
    members: list[MemberPublic]
    reasons: list[str]
    end_reason: str = Field(description="Why it ended (empty while it runs)")
    published_at: datetime | None
    ended_at: datetime | None


class LockRequest(BaseModel):
    locked: bool = True


class PairRequest(BaseModel):
    """Two participants of the cohort, by id."""

    a: int = Field(ge=1, le=MAX_DB_ID)
    b: int = Field(ge=1, le=MAX_DB_ID)


class ExcludeRequest(BaseModel):
    participant_id: int = Field(ge=1, le=MAX_DB_ID)
    excluded: bool = True


class WhyNotPublic(BaseModel):
    a: MemberPublic
    b: MemberPublic
    reasons: list[str] = Field(description="Each blocking rule, or how they would score")


class EndRequest(BaseModel):
    reason: EndReason


class JoinRequest(BaseModel):
    participant_id: int = Field(ge=1, le=MAX_DB_ID)


class WeightsPublic(BaseModel):
    """How much each likeness or difference counts, and how earlier pairings count."""

    similar_level: float
    different_function: float
    different_region: float
    different_tenure: float
    complementary_tags: float
    shared_tags: float
    shared_language: float
    complement: float = Field(description="What one wants to learn that the other offers")
    history_penalty: float
    history_mode: HistoryModeName


class WeightsUpdate(BaseModel):
    """The weights to change (the others stay) and, optionally, the history rule."""

    model_config = {"extra": "forbid"}

    similar_level: float | None = Field(default=None, ge=0, le=1000)
    different_function: float | None = Field(default=None, ge=0, le=1000)
    different_region: float | None = Field(default=None, ge=0, le=1000)
    different_tenure: float | None = Field(default=None, ge=0, le=1000)
    complementary_tags: float | None = Field(default=None, ge=0, le=1000)
    shared_tags: float | None = Field(default=None, ge=0, le=1000)
    shared_language: float | None = Field(default=None, ge=0, le=1000)
    complement: float | None = Field(default=None, ge=0, le=1000)
    history_penalty: float | None = Field(default=None, ge=0, le=1000)
    history_mode: HistoryModeName | None = None


class PublishedPublic(BaseModel):
    published: int = Field(description="How many groups were published")
