"""After the program: the check-in rhythm and calendar, each check-in's one-tap page ("we
met", "we moved it"), private notes, the shared next steps, renewing, pausing or ending."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import NotFound
from app.core.templating import render
from app.deps import CurrentParticipant, PathId, SessionDep, SettingsDep
from app.models import utcnow
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
            "checkin_states": plans.checkin_state_labels(),
        },
    )


@router.post("/p/partnership/rhythm")
def propose_rhythm(
    session: SessionDep,
    me: CurrentParticipant,
    rhythm: Annotated[str, Form(max_length=20)],
    at: Annotated[time, Form()] = time(10, 0),
) -> Response:
    plans.propose_rhythm(session, participant=me, rhythm=rhythm, at=at)
    return _back("#rhythm")


def _checkin_page(checkin_id: int) -> Response:
    return RedirectResponse(f"{HOME}/checkins/{checkin_id}", status_code=303)


@router.get("/p/partnership/checkins/{checkin_id}")
def checkin_page(
    request: Request, session: SessionDep, me: CurrentParticipant, checkin_id: PathId
) -> Response:
    page = plans.checkin_page(session, participant=me, checkin_id=checkin_id)
    return render(
        request,
        "participant/checkin.html",
        {"page": page, "states": plans.checkin_state_labels()},
    )


@router.post("/p/partnership/checkins/{checkin_id}/held")
def checkin_held(session: SessionDep, me: CurrentParticipant, checkin_id: PathId) -> Response:
    plans.mark_held(session, participant=me, checkin_id=checkin_id)
    return _checkin_page(checkin_id)


@router.post("/p/partnership/checkins/{checkin_id}/move")
def checkin_move(
    session: SessionDep,
    me: CurrentParticipant,
    checkin_id: PathId,
    day: Annotated[date, Form()],
    at: Annotated[time, Form()],
) -> Response:
    plans.move_checkin(session, participant=me, checkin_id=checkin_id, day=day, at=at, now=utcnow())
    return _checkin_page(checkin_id)


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


@router.post("/p/partnership/steps/{step_id}/done")
def tick_step(
    session: SessionDep,
    me: CurrentParticipant,
    step_id: PathId,
    done: Annotated[bool, Form()] = True,
) -> Response:
    plans.tick_step(session, participant=me, step_id=step_id, done=done)
    return _back("#steps")


@router.post("/p/partnership/steps/{step_id}/remove")
def remove_step(session: SessionDep, me: CurrentParticipant, step_id: PathId) -> Response:
    plans.remove_step(session, participant=me, step_id=step_id)
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
