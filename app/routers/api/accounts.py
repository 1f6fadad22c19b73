"""JSON API for facilitator accounts (admins) and each cohort's team (its lead, or an admin):
the same service functions as the pages and the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.deps import (
    CohortDep,
    CurrentAdmin,
    CurrentFacilitator,
    LeadCohortDep,
    PathId,
    SessionDep,
    SettingsDep,
)
from app.models import Facilitator
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, errors
from app.schemas.accounts import (
    FacilitatorInvite,
    FacilitatorPublic,
    SetPasswordLinkPublic,
    TeamMemberCreate,
    TeamMemberPublic,
    TeamMemberUpdate,
)
from app.schemas.errors import ErrorPublic
from app.services import accounts, cohorts

router = APIRouter()


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {404: _error("Not found (admins only)")}
ACCOUNT_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _error("No such facilitator (or you are not an admin)"),
    **errors(422),
}
"""What a route under ``/facilitators/{facilitator_id}`` may answer (422: an id that is no id)."""
LEAD_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    403: _error(
        "Only the cohort's lead or an admin may change its team (or a missing or wrong CSRF token)"
    ),
}
TEAM_MEMBER_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _error("No such cohort or facilitator, or the facilitator is not on its team"),
    **errors(422),
}


def _public(user: Facilitator) -> FacilitatorPublic:
    assert user.id is not None
    return FacilitatorPublic(
        id=user.id,
        email=user.email,
        name=user.name,
        admin=user.is_admin,
        state=accounts.account_state(user),
    )


def _link(issued: accounts.IssuedLink, base_url: str) -> SetPasswordLinkPublic:
    return SetPasswordLinkPublic(
        facilitator=_public(issued.facilitator),
        set_password_url=issued.url(base_url),
        expires_at=issued.expires_at,
    )


def _member(member: cohorts.TeamMember) -> TeamMemberPublic:
    user = member.facilitator
    assert user.id is not None
    return TeamMemberPublic(
        facilitator_id=user.id,
        email=user.email,
        name=user.name,
        role=member.role,
        active=user.active,
    )


@router.get("/facilitators", response_model=list[FacilitatorPublic], responses=ADMIN_ERRORS)
def list_facilitators(session: SessionDep, admin: CurrentAdmin) -> list[FacilitatorPublic]:
    """Every facilitator account (admins only)."""
    return [_public(f) for f in accounts.list_facilitators(session)]


@router.post(
    "/facilitators",
    response_model=SetPasswordLinkPublic,
    status_code=201,
    responses={**WRITE_ERRORS, **ADMIN_ERRORS, **errors(409, 422)},
)
def invite_facilitator(
    body: FacilitatorInvite, session: SessionDep, settings: SettingsDep, admin: CurrentAdmin
) -> SetPasswordLinkPublic:
    """Invite a facilitator: the account and its single-use set-password link (no mail is
    sent; hand the link over)."""
    issued = accounts.invite_facilitator(
        session, email=body.email, name=body.name, admin=body.admin, actor=admin
    )
    return _link(issued, settings.base_url)


@router.get(
    "/facilitators/{facilitator_id}", response_model=FacilitatorPublic, responses=ACCOUNT_ERRORS
)
def get_facilitator(
    session: SessionDep, admin: CurrentAdmin, facilitator_id: PathId
) -> FacilitatorPublic:
    """One facilitator account (admins only)."""
    return _public(accounts.get_facilitator(session, ref=facilitator_id))


@router.post(
    "/facilitators/{facilitator_id}/deactivate",
    response_model=FacilitatorPublic,
    responses={**WRITE_ERRORS, **ACCOUNT_ERRORS, **errors(409)},
)
def deactivate_facilitator(
    session: SessionDep, admin: CurrentAdmin, facilitator_id: PathId
) -> FacilitatorPublic:
    """Switch an account off: it cannot sign in, and its open sessions end."""
    user = accounts.get_facilitator(session, ref=facilitator_id)
    accounts.deactivate_facilitator(session, facilitator=user, actor=admin)
    return _public(user)


@router.post(
    "/facilitators/{facilitator_id}/reactivate",
    response_model=FacilitatorPublic,
    responses={**WRITE_ERRORS, **ACCOUNT_ERRORS},
)
def reactivate_facilitator(
    session: SessionDep, admin: CurrentAdmin, facilitator_id: PathId
) -> FacilitatorPublic:
    """Switch an account on again."""
    user = accounts.get_facilitator(session, ref=facilitator_id)
    accounts.reactivate_facilitator(session, facilitator=user, actor=admin)
    return _public(user)


@router.post(
    "/facilitators/{facilitator_id}/reset",
    response_model=SetPasswordLinkPublic,
    responses={**WRITE_ERRORS, **ACCOUNT_ERRORS, **errors(409)},
)
def reset_facilitator(
    session: SessionDep, settings: SettingsDep, admin: CurrentAdmin, facilitator_id: PathId
) -> SetPasswordLinkPublic:
    """Void the password and the open sessions; a new single-use set-password link."""
    user = accounts.get_facilitator(session, ref=facilitator_id)
    return _link(
        accounts.reset_facilitator(session, facilitator=user, actor=admin), settings.base_url
    )


@router.get("/cohorts/{slug}/team", response_model=list[TeamMemberPublic], responses=COHORT_ERRORS)
def list_team(session: SessionDep, cohort: CohortDep) -> list[TeamMemberPublic]:
    """Who facilitates the cohort, leads first."""
    return [_member(m) for m in cohorts.list_team(session, cohort=cohort)]


@router.post(
    "/cohorts/{slug}/team",
    response_model=TeamMemberPublic,
    status_code=201,
    responses={**LEAD_WRITE_ERRORS, **TEAM_MEMBER_ERRORS, **errors(409, 422)},
)
def add_team_member(
    body: TeamMemberCreate, session: SessionDep, cohort: LeadCohortDep, user: CurrentFacilitator
) -> TeamMemberPublic:
    """Put an active facilitator on the team as lead or co-facilitator."""
    member = accounts.get_facilitator(session, ref=body.facilitator_id)
    return _member(
        cohorts.add_to_team(session, cohort=cohort, facilitator=member, role=body.role, actor=user)
    )


@router.put(
    "/cohorts/{slug}/team/{facilitator_id}",
    response_model=TeamMemberPublic,
    responses={**LEAD_WRITE_ERRORS, **TEAM_MEMBER_ERRORS, **errors(409, 422)},
)
def change_team_role(
    body: TeamMemberUpdate,
    session: SessionDep,
    cohort: LeadCohortDep,
    user: CurrentFacilitator,
    facilitator_id: PathId,
) -> TeamMemberPublic:
    """Make a team member the lead or a co-facilitator (409 for the cohort's last lead)."""
    member = accounts.get_facilitator(session, ref=facilitator_id)
    return _member(
        cohorts.change_team_role(
            session, cohort=cohort, facilitator=member, role=body.role, actor=user
        )
    )


@router.delete(
    "/cohorts/{slug}/team/{facilitator_id}",
    status_code=204,
    response_class=Response,
    responses={**LEAD_WRITE_ERRORS, **TEAM_MEMBER_ERRORS, **errors(409)},
)
def remove_team_member(
    session: SessionDep, cohort: LeadCohortDep, user: CurrentFacilitator, facilitator_id: PathId
) -> Response:
    """Take a facilitator off the team (409 for the cohort's last lead)."""
    member = accounts.get_facilitator(session, ref=facilitator_id)
    cohorts.remove_from_team(session, cohort=cohort, facilitator=member, actor=user)
    return Response(status_code=204)
