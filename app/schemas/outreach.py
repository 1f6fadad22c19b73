"""JSON shapes of reaching participants outside the room: personal links, invitations, the
intake's status and the mail's status (states and counts, never what anyone wrote)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.base import MAX_DB_ID

LinkState = Literal["none", "issued", "sent", "used", "expired", "revoked"]


class LinkStatusPublic(BaseModel):
    """A participant's newest personal link, as the facilitator sees it (never the link)."""

    participant_id: int
    name: str
    state: LinkState
    issued_at: datetime | None
    expires_at: datetime | None
    sent_at: datetime | None
    used_at: datetime | None


class InviteRequest(BaseModel):
    """Whom to invite: everyone with an e-mail address, or these participants."""

    model_config = ConfigDict(extra="forbid", strict=True)

    participant_ids: list[Annotated[int, Field(ge=1, le=MAX_DB_ID)]] | None = Field(
        default=None,
        min_length=1,
        max_length=20_000,
        description="Participants of the cohort to invite; leave out to invite everyone",
    )


class InvitationPublic(BaseModel):
    queued: int = Field(description="Invitation mails on their way, each with a fresh link")
    without_address: list[str] = Field(description="Names of participants with no e-mail address")
    refused: list[str] = Field(description="Names of participants whose address bounced before")


class RevokedPublic(BaseModel):
    revoked: int = Field(description="How many unused links stopped working")


class IntakeRowPublic(BaseModel):
    participant_id: int
    name: str
    submitted_at: datetime | None = Field(description="When they first answered (null: not yet)")
    updated_at: datetime | None


class IntakeStatusPublic(BaseModel):
    """Who has answered the intake and when, never what."""

    open: bool = Field(description="Answers may change until the pairs are published")
    answered: int
    rows: list[IntakeRowPublic]


class RemindedPublic(BaseModel):
    queued: int = Field(description="Reminder mails queued now")
    already: int = Field(description="People already reminded today")
    opted_out: int = Field(description="People who turned reminders off")


class ParticipantMailPublic(BaseModel):
    participant_id: int
    name: str
    email: str
    last_kind: str | None
    last_state: str | None
    last_at: datetime | None
    bounced: bool
    reminders_off: bool


class MailStatusPublic(BaseModel):
    """The cohort's mail by state, each participant's last mail, refused addresses."""

    counts: dict[str, int] = Field(description="Messages per state")
    bounced_addresses: list[str]
    rows: list[ParticipantMailPublic]
