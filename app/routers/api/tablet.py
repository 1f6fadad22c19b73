"""JSON API for sign-in cards and the progress board (statuses, never content)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from app.deps import CohortDep, CurrentFacilitator, PathId, SessionDep, SettingsDep
from app.models import Cohort
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors, file_answer
from app.schemas.tablet import CardStatusPublic, ProgressPublic, RevokedPublic
from app.services import roster, tablet

router = api_router("cards and progress")
PDF = file_answer("Printable sign-in cards", "application/pdf")
CARD_ERRORS = {**COHORT_ERRORS, **WRITE_ERRORS, **errors(422)}


def _pdf(cohort: Cohort, issued: list[tablet.IssuedCard], base_url: str, name: str) -> Response:
    return Response(
        tablet.render_cards_pdf(cohort.name, tablet.cards_of(issued, cohort, base_url)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/cohorts/{slug}/cards", response_model=list[CardStatusPublic], responses=COHORT_ERRORS)
def list_cards(session: SessionDep, cohort: CohortDep) -> list[CardStatusPublic]:
    """Each participant's newest card (issued, expiry, revoked) and PIN state; no codes."""
    people = roster.list_participants(session, cohort=cohort)
    return [
        CardStatusPublic(
            participant_id=c.participant.id or 0,
            name=c.participant.name,
            issued_at=c.issued_at,
            expires_at=c.expires_at,
            revoked=c.revoked,
            pin=c.pin,
        )
        for c in tablet.card_statuses(session, participants=people)
    ]


@router.post(
    "/cohorts/{slug}/cards.pdf",
    response_class=Response,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **PDF},
)
def issue_cards(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
) -> Response:
    """Issue new cards for the whole roster and download them; every older card stops
    working (only hashes are kept, so printing means issuing)."""
    issued = tablet.issue_cards(
        session,
        cohort=cohort,
        participants=roster.list_participants(session, cohort=cohort),
        secret=request.app.state.secret_key,
        followup_days=settings.followup_days,
        actor=f"facilitator:{user.id}",
    )
    return _pdf(cohort, issued, settings.base_url, f"{cohort.slug}-cards.pdf")


@router.post(
    "/cohorts/{slug}/cards/{participant_id}/reissue",
    response_class=Response,
    responses={**CARD_ERRORS, **PDF},
)
def reissue_card(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    participant_id: PathId,
) -> Response:
    """Replace one participant's card (the old one stops working) and download the new one."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    issued = tablet.reissue_card(
        session,
        cohort=cohort,
        participant=person,
        secret=request.app.state.secret_key,
        followup_days=settings.followup_days,
        actor=f"facilitator:{user.id}",
    )
    return _pdf(cohort, issued, settings.base_url, f"{cohort.slug}-card-{participant_id}.pdf")


@router.post(
    "/cohorts/{slug}/cards/{participant_id}/revoke",
    response_model=RevokedPublic,
    responses=CARD_ERRORS,
)
def revoke_card(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, participant_id: PathId
) -> RevokedPublic:
    """Stop a participant's cards from working and sign out their tablets (a lost card)."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    count = tablet.revoke_card(session, participant=person, actor=f"facilitator:{user.id}")
    return RevokedPublic(revoked=count)


@router.post(
    "/cohorts/{slug}/cards/{participant_id}/reset-pin",
    status_code=204,
    response_class=Response,
    responses={**CARD_ERRORS, 204: {"description": "The PIN is forgotten"}},
)
def reset_pin(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, participant_id: PathId
) -> Response:
    """Forget the PIN: the participant chooses a new one at next sign-in."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    tablet.reset_pin(session, participant=person, actor=f"facilitator:{user.id}")
    return Response(status_code=204)


@router.get("/cohorts/{slug}/progress", response_model=ProgressPublic, responses=COHORT_ERRORS)
def get_progress(session: SessionDep, cohort: CohortDep) -> ProgressPublic:
    """Who has started or finished which exercise, and the pair agreements: statuses only."""
    board = tablet.progress_board(session, cohort=cohort)
    return ProgressPublic.model_validate(board, from_attributes=True)
