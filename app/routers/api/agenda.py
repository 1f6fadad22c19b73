"""JSON API for agendas: the same service functions as the pages and the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.responses import Response

from app.deps import CohortDep, CurrentFacilitator, SessionDep
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors
from app.schemas.errors import ErrorPublic
from app.services import agenda

router = api_router()


@router.get("/cohorts/{slug}/agenda", responses=COHORT_ERRORS)
def get_agenda(session: SessionDep, cohort: CohortDep) -> dict[str, Any]:
    """The agenda per day (exercises and blocks), its conflicts and unscheduled exercises."""
    return agenda.agenda_to_json(agenda.get_agenda(session, cohort=cohort))


@router.post(
    "/cohorts/{slug}/agenda/build",
    responses={
        **COHORT_ERRORS,
        **WRITE_ERRORS,
        **errors(409),
        422: {
            "model": ErrorPublic,
            "description": "The agenda cannot be built, or a parameter is invalid: every reason",
        },
    },
)
def build_agenda(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    time_limit_s: Annotated[float, Query(gt=0, le=30, description="Solver time limit")] = 3.0,
) -> dict[str, Any]:
    """Build (or re-solve around the pins) the agenda; binds the program if it has none."""
    result = agenda.build_agenda(
        session, cohort=cohort, actor=f"facilitator:{user.id}", time_limit_s=time_limit_s
    )
    return {
        **agenda.agenda_to_json(result.agenda),
        "status": result.status,
        "warnings": result.warnings,
        "solve_s": round(result.solve_s, 3),
    }


@router.get(
    "/cohorts/{slug}/agenda.ics",
    response_class=Response,
    responses={**COHORT_ERRORS, 200: {"content": {"text/calendar": {}}}},
)
def agenda_ics(session: SessionDep, cohort: CohortDep) -> Response:
    """The agenda as an iCalendar file in the cohort's timezone."""
    return Response(
        agenda.build_cohort_ics(session, cohort=cohort),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{cohort.slug}.ics"'},
    )
