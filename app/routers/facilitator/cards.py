"""Sign-in cards: the cohort's card page, printing new cards (PDF), re-issue, revoke,
and resetting a participant's PIN."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, PathId, SessionDep, SettingsDep
from app.models import Cohort
from app.services import roster, tablet
from app.services.tablet import render_cards_pdf

router = APIRouter(include_in_schema=False)


def _pdf(cohort: Cohort, issued: list[tablet.IssuedCard], base_url: str, name: str) -> Response:
    return Response(
        render_cards_pdf(cohort.name, tablet.cards_of(issued, cohort, base_url)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/cohorts/{slug}/cards")
def cards_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    people = roster.list_participants(session, cohort=cohort)
    return render(
        request,
        "facilitator/cards.html",
        {
            "cohort": cohort,
            "cards": tablet.card_statuses(session, participants=people),
        },
    )


@router.post("/cohorts/{slug}/cards.pdf")
def print_all_cards(
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    cohort: CohortDep,
    user: CurrentFacilitator,
) -> Response:
    # Only hashes are kept, so printing means issuing: every older card stops working.
    issued = tablet.issue_cards(
        session,
        cohort=cohort,
        participants=roster.list_participants(session, cohort=cohort),
        secret=request.app.state.secret_key,
        followup_days=settings.followup_days,
        actor=f"facilitator:{user.id}",
    )
    return _pdf(cohort, issued, settings.base_url, f"{cohort.slug}-cards.pdf")


@router.post("/cohorts/{slug}/cards/{participant_id}/reissue")
def reissue_card(
    participant_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    cohort: CohortDep,
    user: CurrentFacilitator,
) -> Response:
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


@router.post("/cohorts/{slug}/cards/{participant_id}/revoke")
def revoke_card(
    participant_id: PathId, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    tablet.revoke_card(session, participant=person, actor=f"facilitator:{user.id}")
    return RedirectResponse(f"/cohorts/{cohort.slug}/cards", status_code=303)


@router.post("/cohorts/{slug}/cards/{participant_id}/reset-pin")
def reset_pin(
    participant_id: PathId, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    tablet.reset_pin(session, participant=person, actor=f"facilitator:{user.id}")
    return RedirectResponse(f"/cohorts/{cohort.slug}/cards", status_code=303)
