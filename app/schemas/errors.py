"""The one shape of every error the JSON API answers, whatever the status code."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProblemPublic(BaseModel):
    """One thing wrong with the input, located precisely enough to fix it."""

    where: str = Field(description='Where, in words: "start_date", "row 4, column Email"')
    field: str | None = Field(description="The input field, when there is one")
    message: str


class ErrorPublic(BaseModel):
    """``detail`` says what happened in a sentence; invalid input (422) lists every problem."""

    detail: str
    problems: list[ProblemPublic] | None = Field(
        default=None, description="Every problem found (422 only)"
    )
