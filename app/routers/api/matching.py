"""JSON API for buddy matching: the same service functions as the pages and the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from app.deps import CohortDep, CurrentFacilitator, SessionDep
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors
from app.schemas.matching import MatchingResultPublic
from app.services import matching

router = api_router()


@router.get(
    "/cohorts/{slug}/matching", response_model=MatchingResultPublic, responses=COHORT_ERRORS
)
def get_matching(session: SessionDep, cohort: CohortDep) -> dict[str, Any]:
    """The pairing's state (not_paired, proposed, published), its groups, total and who has
    no buddy (after publishing: who is waiting since their pairing ended)."""
    return matching.result_to_json(
        matching.current_result(session, cohort=cohort),
        state=matching.pairing_state(session, cohort=cohort),
    )


@router.post(
    "/cohorts/{slug}/matching",
    response_model=MatchingResultPublic,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(409, 422)},
)
def run_matching(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    publish: Annotated[bool, Query(description="Publish the pairs right away")] = False,
) -> dict[str, Any]:
    """Pair everyone (keeping locked pairs); optionally publish."""
    run = matching.run_matching(session, cohort=cohort, actor=user)
    if publish:
        matching.publish(session, cohort=cohort, actor=user)
    return matching.result_to_json(run.result, state=matching.pairing_state(session, cohort=cohort))


@router.get("/cohorts/{slug}/matching/matrix", responses=COHORT_ERRORS)
def get_matrix(session: SessionDep, cohort: CohortDep) -> dict[str, Any]:
    """Every pair's score and the blocked pairs with their rule, to audit the result."""
    return matching.matrix_to_json(matching.compatibility(session, cohort=cohort))
