"""A participant's own printed workbook, and their choice about printed answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.templating import render
from app.deps import CurrentParticipant, SessionDep, SettingsDep
from app.services import privacy, workbooks

router = APIRouter(include_in_schema=False)


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/p/workbook.pdf")
def my_workbook(
    session: SessionDep, settings: SettingsDep, me: CurrentParticipant, paper: str = "A4"
) -> Response:
    """Everything I wrote, typeset: mine to download at any time."""
    pdf = workbooks.participant_workbook_pdf(
        session, participant=me, settings=settings, paper=paper
    )
    return _pdf(pdf, "my-workbook.pdf")


@router.get("/p/workbook/pair.pdf")
def pair_workbook(
    session: SessionDep, settings: SettingsDep, me: CurrentParticipant, paper: str = "A4"
) -> Response:
    """Our pair's workbook: both names and only what we shared with each other."""
    pdf = workbooks.pair_workbook_pdf(session, participant=me, settings=settings, paper=paper)
    return _pdf(pdf, "our-pair-workbook.pdf")


@router.get("/p/workbook/printing")
def printing_page(request: Request, session: SessionDep, me: CurrentParticipant) -> Response:
    """What the facilitators may print for me, read before I allow it (or take it back)."""
    return render(
        request,
        "participant/printing.html",
        {"terms": privacy.print_terms(session, participant=me)},
    )


@router.post("/p/workbook/print-consent")
def set_print_consent(
    session: SessionDep,
    settings: SettingsDep,
    me: CurrentParticipant,
    allow: Annotated[bool, Form()] = False,
) -> Response:
    """Let the facilitators print what I shared with my buddy (or take that back)."""
    privacy.set_print_consent(session, participant=me, allow=allow, settings=settings)
    return RedirectResponse("/p/workbook/printing", status_code=303)
