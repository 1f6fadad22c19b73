"""Which buddy group a participant's partnership is, and whether it is still going."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.core.errors import Conflict, NotFound
from app.core.i18n import _
from app.models import BuddyGroup, BuddyMember, Participant
from app.models.plans import Partnership
from app.services import privacy


def partnership_group_of(session: Session, *, participant: Participant) -> BuddyGroup:
    """The participant's latest published or ended buddy group (NotFound when none)."""
    group = session.exec(
        select(BuddyGroup)
        .join(BuddyMember, col(BuddyMember.group_id) == col(BuddyGroup.id))
        .where(
            BuddyMember.participant_id == participant.id,
            BuddyGroup.cohort_id == participant.cohort_id,
            col(BuddyGroup.state).in_(("published", "ended")),
        )
        .order_by(col(BuddyGroup.id).desc())
    ).first()
    if group is None:
        raise NotFound(_("You have no buddy yet."))
    return group


def partnership_row(session: Session, group: BuddyGroup) -> Partnership | None:
    return session.get(Partnership, group.id)


def partnership_state(session: Session, *, group: BuddyGroup) -> str:
    """active, paused or ended (a group ended by the facilitators counts as ended)."""
    row = partnership_row(session, group)
    if group.state == "ended" or (row is not None and row.state == "ended"):
        return "ended"
    return row.state if row is not None else "active"


def members(session: Session, group: BuddyGroup) -> list[Participant]:
    return privacy.members_of(session, group=group)


def live_group(session: Session, participant: Participant) -> BuddyGroup:
    """The participant's group while the partnership is active (Conflict when paused or ended)."""
    group = partnership_group_of(session, participant=participant)
    state = partnership_state(session, group=group)
    if state != "active":
        if state == "paused":
            raise Conflict(_("The partnership is paused."))
        raise Conflict(_("The partnership has ended."))
    return group
