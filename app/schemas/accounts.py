"""JSON shapes of facilitator accounts, set-password links and a cohort's team."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.models.base import MAX_DB_ID

AccountState = Literal["active", "invited", "deactivated"]
TeamRole = Literal["lead", "co-facilitator"]


class FacilitatorPublic(BaseModel):
    id: int
    email: str
    name: str
    admin: bool = Field(description="May see and run every cohort and manage accounts")
    state: AccountState = Field(
        description="invited: no password chosen yet; deactivated: cannot sign in"
    )


class FacilitatorInvite(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(default="", max_length=200, description="Defaults to the e-mail's local part")
    admin: bool = False


class SetPasswordLinkPublic(BaseModel):
    """A single-use link that sets the account's password; shown once, never stored."""

    facilitator: FacilitatorPublic
    set_password_url: str = Field(description="Hand it to its owner; it works once")
    expires_at: datetime


class TeamMemberPublic(BaseModel):
    facilitator_id: int
    email: str
    name: str
    role: TeamRole
    active: bool = Field(description="False when the account is deactivated")


class TeamMemberCreate(BaseModel):
    facilitator_id: int = Field(ge=1, le=MAX_DB_ID)
    role: TeamRole = "co-facilitator"


class TeamMemberUpdate(BaseModel):
    role: TeamRole
