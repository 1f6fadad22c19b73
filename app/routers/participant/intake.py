"""The intake before day one, on the participant's own device: a plain form that keeps
every word typed when something must be fixed, and can be changed until the pairs are out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.i18n import current_language
from app.core.templating import render
from app.deps import CurrentParticipant, FormId, SessionDep
from app.models import Participant
from app.services import intake

router = APIRouter(include_in_schema=False)
PAGE = "/p/intake"

Choices = Annotated[list[str] | None, Form(max_length=200)]


@router.get("/intake")
def intake_entry() -> Response:
    """Where invitations and reminders point: the intake, behind the participant sign-in."""
    return RedirectResponse(PAGE, status_code=303)


def _page(
    request: Request,
    session: SessionDep,
    me: Participant,
    *,
    choices: intake.IntakeChoices | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    page = intake.intake_page(session, participant=me, language=current_language())
    answers = page.answers
    shown = choices or intake.IntakeChoices(
        offers=answers.offers,
        wants=answers.wants,
        languages=answers.languages,
        avoid=answers.avoid_ids,
        notes=answers.notes,
    )
    return render(
        request,
        "participant/intake.html",
        {
            "page": page,
            "chosen": {
                "offers": set(shown.offers),
                "wants": set(shown.wants),
                "languages": set(shown.languages),
                "avoid": set(shown.avoid),
            },
            "notes": shown.notes or {},
            "problems": problems or [],
            "saved": request.query_params.get("saved") == "1" and not problems,
        },
        status_code=status_code,
    )


@router.get(PAGE)
def intake_form(request: Request, session: SessionDep, me: CurrentParticipant) -> Response:
    return _page(request, session, me)


@router.post(PAGE)
def save_intake(
    request: Request,
    session: SessionDep,
    me: CurrentParticipant,
    offers: Choices = None,
    wants: Choices = None,
    languages: Choices = None,
    avoid: Annotated[list[FormId] | None, Form()] = None,
    note_ids: Annotated[list[str] | None, Form(max_length=64)] = None,
    notes: Annotated[list[str] | None, Form(max_length=20_000)] = None,
) -> Response:
    choices = intake.IntakeChoices(
        offers=offers or [],
        wants=wants or [],
        languages=languages or [],
        avoid=avoid or [],
        notes=dict(zip(note_ids or [], notes or [], strict=False)),
    )
    try:
        intake.save_intake(session, participant=me, choices=choices)
    except InvalidInput as exc:
        session.rollback()
        return _page(
            request, session, me, choices=choices, problems=list(exc.problems), status_code=422
        )
    return RedirectResponse(f"{PAGE}?saved=1", status_code=303)
