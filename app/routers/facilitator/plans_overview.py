"""Plans and partnerships for facilitators: counts and states, never what anyone wrote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, SessionDep, SettingsDep
from app.services import plans, privacy

router = APIRouter(include_in_schema=False)


@router.get("/cohorts/{slug}/plans")
def plans_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
) -> Response:
    return render(
        request,
        "facilitator/plans_overview.html",
        {
            "cohort": cohort,
            "overview": plans.plans_overview(session, cohort=cohort),
            "is_admin": user.is_admin,
            "purge_due": privacy.purge_due(cohort, retention_days=settings.retention_days),
        },
    )
