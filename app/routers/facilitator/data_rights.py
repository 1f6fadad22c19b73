"""Admins only: erase a participant, purge a cohort's content after the retention period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from app.core.db import checkpoint_erasure
from app.deps import CohortDep, CurrentFacilitator, PathId, SessionDep, SettingsDep
from app.models import utcnow
from app.services import privacy, workbooks
from app.services.matching import participant_by_id

router = APIRouter(include_in_schema=False)


def _erased(request: Request, cohort_slug: str) -> Response:
    # The checkpoint runs once the erasure is committed (after the session dependency).
    return RedirectResponse(
        f"/cohorts/{cohort_slug}/plans#data-rights",
        status_code=303,
        background=BackgroundTask(checkpoint_erasure, request.app.state.engine),
    )


@router.post("/cohorts/{slug}/participants/{participant_id}/erase")
def erase_participant(
    request: Request,
    participant_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    confirm: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    privacy.check_admin(user)
    person = participant_by_id(session, cohort=cohort, participant_id=participant_id)
    privacy.confirm_erasure(person, confirm=confirm)
    workbooks.erase_participant_everywhere(
        session,
        settings=settings,
        cohort=cohort,
        participant=person,
        actor=f"facilitator:{user.id}",
    )
    return _erased(request, cohort.slug)


@router.post("/cohorts/{slug}/purge")
def purge_cohort(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
) -> Response:
    privacy.check_admin(user)
    workbooks.purge_cohort_everywhere(
        session,
        settings=settings,
        cohort=cohort,
        today=utcnow().date(),
        actor=f"facilitator:{user.id}",
    )
    return _erased(request, cohort.slug)
