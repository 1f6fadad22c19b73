"""JSON API for plans (counts and flags, never content) and the data rights (admins only)."""

from __future__ import annotations

from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import JSONResponse

from app.core.db import checkpoint_erasure
from app.deps import CohortDep, CurrentAdmin, PathId, SessionDep, SettingsDep
from app.models import utcnow
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors
from app.schemas.plans import PlansOverviewPublic
from app.schemas.privacy import DeletedPublic, EraseRequest
from app.services import plans, privacy, workbooks
from app.services.matching import participant_by_id

router = api_router("plans and data rights")
ADMIN_ERRORS = {
    **COHORT_ERRORS,
    **WRITE_ERRORS,
    **errors(409, 422),
}


@router.get("/cohorts/{slug}/plans", response_model=PlansOverviewPublic, responses=COHORT_ERRORS)
def plans_overview(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep
) -> PlansOverviewPublic:
    """How many plans are started, shared and reviewed, and partnerships by state."""
    overview = plans.plans_overview(session, cohort=cohort)
    return PlansOverviewPublic.model_validate(
        {
            "rows": [
                {
                    "participant_id": r.participant_id,
                    "name": r.name,
                    "started": r.started,
                    "shared": r.shared,
                    "reviewed": r.reviewed,
                }
                for r in overview.rows
            ],
            "started": overview.started,
            "shared": overview.shared,
            "reviewed": overview.reviewed,
            "partnerships": overview.partnerships,
            "purge_due": privacy.purge_due(cohort, retention_days=settings.retention_days),
        }
    )


def _deleted(request: Request, counts: dict[str, int]) -> JSONResponse:
    # The checkpoint runs once the erasure is committed (after the session dependency).
    return JSONResponse(
        DeletedPublic(deleted=counts).model_dump(),
        background=BackgroundTask(checkpoint_erasure, request.app.state.engine),
    )


@router.post(
    "/cohorts/{slug}/participants/{participant_id}/erase",
    response_model=DeletedPublic,
    responses=ADMIN_ERRORS,
)
def erase_participant(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentAdmin,
    participant_id: PathId,
    body: EraseRequest,
) -> JSONResponse:
    """Admins: delete everything about a participant (the audit keeps a pseudonym)."""
    person = participant_by_id(session, cohort=cohort, participant_id=participant_id)
    privacy.confirm_erasure(person, confirm=body.confirm)
    counts = workbooks.erase_participant_everywhere(
        session,
        settings=settings,
        cohort=cohort,
        participant=person,
        actor=f"facilitator:{user.id}",
    )
    return _deleted(request, counts)


@router.post("/cohorts/{slug}/purge", response_model=DeletedPublic, responses=ADMIN_ERRORS)
def purge_cohort(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentAdmin,
) -> JSONResponse:
    """Admins: delete what the participants wrote once the retention period is over (409
    before); the roster and the pairs stay."""
    counts = workbooks.purge_cohort_everywhere(
        session,
        settings=settings,
        cohort=cohort,
        today=utcnow().date(),
        actor=f"facilitator:{user.id}",
    )
    return _deleted(request, counts)
