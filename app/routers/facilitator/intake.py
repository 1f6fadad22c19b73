"""The cohort's intake status: who has answered and when, never what; reminders."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.templating import render
from app.deps import CohortDep, SessionDep
from app.services import intake

router = APIRouter(include_in_schema=False)


@router.get("/cohorts/{slug}/intake")
def intake_status_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return render(
        request,
        "facilitator/intake.html",
        {
            "cohort": cohort,
            "status": intake.intake_status(session, cohort=cohort),
            "reminded": request.query_params.get("reminded"),
        },
    )
