"""The cohort's intake status: who has answered and when, never what; reminders."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, SessionDep, SettingsDep
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
            "reminded": _count(request, "reminded"),
            "already": _count(request, "already"),
        },
    )


def _count(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else None


@router.post("/cohorts/{slug}/intake/remind")
def remind(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    """Mail a reminder, with a fresh personal link, to everyone who has not answered."""
    done = intake.send_intake_reminders(
        session, cohort=cohort, base_url=settings.base_url, actor=f"facilitator:{user.id}"
    )
    where = f"/cohorts/{cohort.slug}/intake?reminded={done.queued}&already={done.already}"
    return RedirectResponse(where, status_code=303)
