"""Reminder mails: the unsubscribe link of every mail (no sign-in), and the participant's own
setting on the tablet to turn them back on."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.templating import render
from app.deps import CurrentParticipant, SessionDep, SettingsDep
from app.services import mail

router = APIRouter(include_in_schema=False)

MailToken = Annotated[str, Path(max_length=60)]
Choice = Literal["on", "off"]


@router.get("/mail/unsubscribe/{mail_token}")
def unsubscribe_page(
    request: Request, session: SessionDep, settings: SettingsDep, mail_token: MailToken
) -> Response:
    """Ask before changing anything: link scanners open every link in a mail."""
    person = mail.participant_for_token(session, settings, mail_token)
    return render(
        request,
        "participant/unsubscribe.html",
        {
            "token": mail_token,
            "enabled": mail.reminders_enabled(session, participant=person),
            "saved": False,
        },
    )


@router.post("/mail/unsubscribe/{mail_token}")
def unsubscribe(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mail_token: MailToken,
    reminders: Annotated[Choice, Form()] = "off",
) -> Response:
    """Turn reminders off (a mail client's one-click POST) or, from the page, back on."""
    person = mail.participant_for_token(session, settings, mail_token)
    mail.set_reminders(session, participant=person, enabled=reminders == "on")
    return render(
        request,
        "participant/unsubscribe.html",
        {"token": mail_token, "enabled": reminders == "on", "saved": True},
    )


@router.get("/p/mail")
def mail_settings_page(request: Request, session: SessionDep, me: CurrentParticipant) -> Response:
    return render(
        request,
        "participant/mail.html",
        {"me": me, "enabled": mail.reminders_enabled(session, participant=me)},
    )


@router.post("/p/mail")
def save_mail_settings(
    session: SessionDep, me: CurrentParticipant, reminders: Annotated[Choice, Form()] = "on"
) -> Response:
    mail.set_reminders(session, participant=me, enabled=reminders == "on")
    return RedirectResponse("/p/mail", status_code=303)
