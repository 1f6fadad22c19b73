"""A participant's own printed workbook, and their choice about printed answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import CurrentParticipant, SessionDep, SettingsDep
from app.services import workbooks

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


@router.post("/p/workbook/print-consent")
def set_print_consent(
    session: SessionDep, me: CurrentParticipant, allow: Annotated[bool, Form()] = False
) -> Response:
    """Let the facilitators print my filled workbook for me (or take that back)."""
    workbooks.set_print_consent(session, participant=me, allow=allow)
    return RedirectResponse("/p", status_code=303)
