"""JSON shapes of sign-in cards and the progress board: dates and statuses, never content."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class CardStatusPublic(BaseModel):
    """A participant's newest card: when it was issued and expires; never its code."""

    participant_id: int
    name: str
    issued_at: datetime | None
    expires_at: datetime | None
    revoked: bool
    pin: Literal["none", "set", "locked"] = Field(
        description="none (not chosen yet), set, or locked after too many wrong tries"
    )


class RevokedPublic(BaseModel):
    revoked: int = Field(description="How many cards stopped working")


class ProgressColumnPublic(BaseModel):
    exercise_id: str
    title: str
    kind: str
    prompts: int = Field(description="How many written questions it has")


class ProgressRowPublic(BaseModel):
    participant_id: int
    name: str
    statuses: list[Literal["not_started", "in_progress", "done"] | None] = Field(
        description="One per column; null for an exercise without written questions"
    )
    agreement: Literal["no_buddy", "not_accepted", "waiting", "accepted"]


class ProgressPublic(BaseModel):
    """Who has started or finished which exercise: statuses only, never what was written."""

    columns: list[ProgressColumnPublic]
    rows: list[ProgressRowPublic]
    done: list[int] = Field(description="How many participants finished each column")
