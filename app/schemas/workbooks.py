"""JSON shapes of workbook exports: the request and the background job."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ExportRequest(BaseModel):
    edition: Literal["participant", "pair", "blank"] = "blank"
    paper: Literal["A4", "Letter"] = "A4"


class JobPublic(BaseModel):
    """A background job; its files can be downloaded once it is done."""

    id: int
    kind: str
    state: Literal["queued", "running", "done", "failed"]
    done: int
    total: int
    message: str = Field(description="Who was left out and why, or why it failed")
    files: list[str] = Field(description="Names under .../jobs/{job_id}/files/{name}")
    edition: str
    paper: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
