"""JSON API for the roster's participants: read, edit, remove, export."""

from __future__ import annotations

from starlette.responses import Response

from app.deps import CohortDep, CurrentFacilitator, LeadCohortDep, PathId, SessionDep
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors, file_answer
from app.schemas.cohorts import ParticipantPublic, ParticipantUpdate
from app.services import roster

router = api_router("participants")
EDITABLE = (
    "name",
    "title",
    "level",
    "function",
    "region",
    "tenure_years",
    "manager_email",
    "languages",
    "tags",
    "avoid",
    "conflict_group",
)


@router.get(
    "/cohorts/{slug}/participants/{participant_id}",
    response_model=ParticipantPublic,
    responses={**COHORT_ERRORS, **errors(422)},
)
def get_participant(
    session: SessionDep, cohort: CohortDep, participant_id: PathId
) -> ParticipantPublic:
    """One participant of the roster."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    return ParticipantPublic.model_validate(person)


@router.patch(
    "/cohorts/{slug}/participants/{participant_id}",
    response_model=ParticipantPublic,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(422)},
)
def update_participant(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    participant_id: PathId,
    body: ParticipantUpdate,
) -> ParticipantPublic:
    """Change some of a participant's roster fields (null or absent: unchanged), checked like
    an imported row."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    values = {key: getattr(person, key) for key in EDITABLE}
    values.update(body.model_dump(exclude_none=True))
    roster.update_participant(session, cohort=cohort, participant=person, actor=user, values=values)
    return ParticipantPublic.model_validate(person)


@router.delete(
    "/cohorts/{slug}/participants/{participant_id}",
    status_code=204,
    response_class=Response,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(422), 204: {"description": "Removed"}},
)
def remove_participant(
    session: SessionDep, cohort: LeadCohortDep, user: CurrentFacilitator, participant_id: PathId
) -> Response:
    """Take a participant off the roster (their person and pairing history stay)."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    roster.remove_participant(session, cohort=cohort, participant=person, actor=user)
    return Response(status_code=204)


@router.get(
    "/cohorts/{slug}/roster.csv",
    response_class=Response,
    responses={**COHORT_ERRORS, **file_answer("The roster", "text/csv")},
)
def export_roster(session: SessionDep, cohort: CohortDep) -> Response:
    """The roster as CSV, safe to open in a spreadsheet (formula injection neutralised)."""
    return Response(
        roster.export_roster(session, cohort=cohort).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{cohort.slug}-roster.csv"'},
    )
