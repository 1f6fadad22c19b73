"""After the program: the check-in rhythm and calendar, private notes, agreed next steps,
pausing or ending the partnership."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import NotFound
from app.core.templating import render
from app.deps import CurrentParticipant, SessionDep, SettingsDep
from app.services import plans

router = APIRouter(include_in_schema=False)
HOME = "/p/partnership"


def _back(anchor: str = "") -> Response:
    return RedirectResponse(HOME + anchor, status_code=303)


@router.get("/p/partnership")
def partnership_page(request: Request, session: SessionDep, me: CurrentParticipant) -> Response:
    try:
        view = plans.partnership_view(session, participant=me)
    except NotFound:
        view = None
    return render(
        request,
        "participant/partnership.html",
        {
            "view": view,
            "rhythms": plans.rhythm_labels(),
            "reasons": plans.reason_labels(),
        },
    )


@router.post("/p/partnership/rhythm")
def propose_rhythm(
    session: SessionDep, me: CurrentParticipant, rhythm: Annotated[str, Form(max_length=20)]
) -> Response:
    plans.propose_rhythm(session, participant=me, rhythm=rhythm)
    return _back("#rhythm")


@router.post("/p/partnership/rhythm/agree")
def agree_rhythm(session: SessionDep, me: CurrentParticipant) -> Response:
    plans.agree_rhythm(session, participant=me)
    return _back("#rhythm")


@router.get("/p/partnership/checkins.ics")
def checkin_calendar(
    session: SessionDep, settings: SettingsDep, me: CurrentParticipant
) -> Response:
    host = settings.base_url.split("//")[-1].split("/")[0].split(":")[0]
    body = plans.checkin_calendar(session, participant=me, prodid_host=host)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="check-ins.ics"'},
    )


@router.post("/p/partnership/notes")
def save_note(
    session: SessionDep,
    me: CurrentParticipant,
    checkin_date: Annotated[date, Form()],
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    plans.save_checkin_note(session, participant=me, checkin_date=checkin_date, text=text)
    return _back(f"#note-{checkin_date.isoformat()}")


@router.post("/p/partnership/steps")
def add_step(
    session: SessionDep, me: CurrentParticipant, text: Annotated[str, Form(max_length=2000)]
) -> Response:
    plans.add_agreed_step(session, participant=me, text=text)
    return _back("#steps")


@router.post("/p/partnership/state")
def change_state(
    session: SessionDep,
    me: CurrentParticipant,
    state: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    plans.change_partnership(session, participant=me, state=state, reason=reason)
    return _back()
