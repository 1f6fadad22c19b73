"""A cohort's team: its lead (or an admin) adds facilitators, changes their role, removes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import Conflict, InvalidInput
from app.deps import CurrentFacilitator, FormId, LeadCohortDep, PathId, SessionDep
from app.models import Cohort
from app.routers.facilitator.cohorts import render_cohort_page
from app.services import accounts, cohorts

router = APIRouter(include_in_schema=False)


def _apply(
    request: Request,
    session: SessionDep,
    cohort: Cohort,
    user: CurrentFacilitator,
    change: Callable[[], object],
) -> Response:
    """Run ``change``; a refusal (the last lead, a deactivated account) shows the cohort page
    again with the reason, and nothing changes."""
    try:
        change()
    except (Conflict, InvalidInput) as exc:
        session.rollback()
        return render_cohort_page(
            request, session, cohort, user, team_problem=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/cohorts/{cohort.slug}#team", status_code=303)


@router.post("/cohorts/{slug}/team")
def add_member(
    request: Request,
    session: SessionDep,
    cohort: LeadCohortDep,
    user: CurrentFacilitator,
    facilitator_id: FormId,
    role: Annotated[str, Form(max_length=20)] = cohorts.CO_FACILITATOR,
) -> Response:
    member = accounts.get_facilitator(session, ref=facilitator_id)
    return _apply(
        request,
        session,
        cohort,
        user,
        lambda: cohorts.add_to_team(
            session, cohort=cohort, facilitator=member, role=role, actor=user
        ),
    )


@router.post("/cohorts/{slug}/team/{facilitator_id}/role")
def change_role(
    request: Request,
    session: SessionDep,
    cohort: LeadCohortDep,
    user: CurrentFacilitator,
    facilitator_id: PathId,
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    member = accounts.get_facilitator(session, ref=facilitator_id)
    return _apply(
        request,
        session,
        cohort,
        user,
        lambda: cohorts.change_team_role(
            session, cohort=cohort, facilitator=member, role=role, actor=user
        ),
    )


@router.post("/cohorts/{slug}/team/{facilitator_id}/remove")
def remove_member(
    request: Request,
    session: SessionDep,
    cohort: LeadCohortDep,
    user: CurrentFacilitator,
    facilitator_id: PathId,
) -> Response:
    member = accounts.get_facilitator(session, ref=facilitator_id)
    return _apply(
        request,
        session,
        cohort,
        user,
        lambda: cohorts.remove_from_team(session, cohort=cohort, facilitator=member, actor=user),
    )
