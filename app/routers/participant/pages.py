"""The tablet pages: home, one exercise, the buddies' shared answers, the agreement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.templating import render
from app.deps import CurrentParticipant, SessionDep
from app.models import utcnow
from app.routers.participant.join import device_of
from app.services import agenda, links, tablet
from app.services.library import AGREEMENT_ID

router = APIRouter(include_in_schema=False)


@router.get("/p")
def home(request: Request, session: SessionDep, participant: CurrentParticipant) -> Response:
    view = tablet.participant_home(session, participant=participant, now=utcnow())
    # Without an agenda there is no NowInfo, yet the tablet must still learn when one starts.
    version = (
        view.now.version
        if view.now is not None
        else agenda.follow_version(session, cohort_id=participant.cohort_id)
    )
    device, _ = device_of(request)
    account = tablet.account_activity(session, participant=participant, device=device)
    assert participant.id is not None
    return render(
        request,
        "participant/home.html",
        {
            "view": view,
            "me": participant,
            "now_version": version,
            "account": account,
            "my_links": links.my_links(session, participant_id=participant.id),
            "links_stopped": request.query_params.get("links") == "stopped",
        },
    )


@router.get("/p/exercises/{exercise_id}")
def exercise_page(
    request: Request, exercise_id: str, session: SessionDep, participant: CurrentParticipant
) -> Response:
    view = tablet.participant_exercise(session, participant=participant, exercise_id=exercise_id)
    return render(request, "participant/exercise.html", {"view": view, "me": participant})


@router.get("/p/exercises/{exercise_id}/shared")
def shared_fragment(
    request: Request, exercise_id: str, session: SessionDep, participant: CurrentParticipant
) -> Response:
    view = tablet.participant_exercise(session, participant=participant, exercise_id=exercise_id)
    return render(request, "participant/_shared.html", {"view": view})


@router.post("/p/agreement")
def accept_agreement(session: SessionDep, participant: CurrentParticipant) -> Response:
    tablet.accept_agreement(session, participant=participant)
    return RedirectResponse(f"/p/exercises/{AGREEMENT_ID}", status_code=303)
