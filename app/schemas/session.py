"""JSON shape of the signed-in API caller."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SessionPublic(BaseModel):
    """Who is signed in, and the token their state-changing requests send back."""

    id: int
    name: str
    email: str
    is_admin: bool
    csrf_token: str = Field(
        description="Send it in the X-CSRF-Token header of every POST, PUT, PATCH and DELETE"
    )
