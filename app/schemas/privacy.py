"""JSON shapes of the data rights: erasing a participant, purging a cohort."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EraseRequest(BaseModel):
    confirm: str = Field(max_length=254, description="The participant's e-mail address, to confirm")


class DeletedPublic(BaseModel):
    """How many rows of each kind were deleted (counts only)."""

    deleted: dict[str, int]
