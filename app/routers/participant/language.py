"""A participant picks the language the tablet speaks to them."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.language import remember_language
from app.deps import CurrentParticipant, SessionDep
from app.services import tablet

router = APIRouter(include_in_schema=False)

BACK = re.compile(r"/p(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
"""Where the switch may send the participant back to: their own tablet pages only."""


@router.post("/p/language")
def change_language(
    request: Request,
    session: SessionDep,
    me: CurrentParticipant,
    language: Annotated[str, Form(max_length=8)] = "",
    back: Annotated[str, Form(max_length=200)] = "/p",
) -> Response:
    """Save the participant's language and speak it at once (an unknown code changes nothing)."""
    code = tablet.set_participant_language(session, participant=me, language=language)
    response = RedirectResponse(back if BACK.fullmatch(back) else "/p", status_code=303)
    remember_language(response, request, code)
    return response
