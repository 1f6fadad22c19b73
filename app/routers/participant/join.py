"""Signing a tablet in from a printed card, and handing it back."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.core.config import Settings
from app.core.security import CSRF_COOKIE, SESSION_COOKIE
from app.core.templating import render
from app.deps import SessionDep, SettingsDep
from app.models import utcnow
from app.services import accounts, tablet

router = APIRouter(include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _join_page(
    request: Request, *, error: str | None, status: int, handed_back: bool = False
) -> Response:
    return render(
        request,
        "participant/join.html",
        {"error": error, "handed_back": handed_back},
        status_code=status,
    )


def _signed_in(
    session: Session, settings: Settings, card_participant: int, expires_at: datetime
) -> Response:
    opened = accounts.start_session(
        session,
        hours=settings.session_hours,
        participant_id=card_participant,
        expires_at=expires_at,
    )
    response = RedirectResponse("/p", status_code=303)
    secure = settings.base_url.startswith("https://")
    max_age = max(int((expires_at - utcnow()).total_seconds()), 0)
    response.set_cookie(
        SESSION_COOKIE, opened.token, httponly=True, samesite="lax", secure=secure, max_age=max_age
    )
    # A fresh CSRF secret for the new identity: tokens seen before sign-in are worthless.
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="lax", secure=secure
    )
    return response


@router.get("/join")
def join_page(request: Request, handed_back: bool = False) -> Response:
    return _join_page(request, error=None, status=200, handed_back=handed_back)


def _redeem(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    refused: str,
    code: str | None = None,
    token: str | None = None,
) -> Response:
    """Sign in with a typed ``code`` or a QR ``token``; a refusal says ``refused``."""
    try:
        redeemed = tablet.redeem_card(
            session,
            client=_client(request),
            secret=request.app.state.secret_key,
            window_seconds=settings.login_window_seconds,
            code=code,
            token=token,
        )
    except tablet.CardRejected:
        # Keep the counted attempt: the throttle must see it even though we answer normally.
        session.commit()
        return _join_page(request, error=refused, status=400)
    return _signed_in(session, settings, redeemed.participant_id, redeemed.expires_at)


@router.post("/join")
def join_with_code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str, Form(max_length=40)],
) -> Response:
    return _redeem(
        request,
        session,
        settings,
        code=code,
        refused="That code did not work. Check it on your card and "
        "try again, or ask a facilitator.",
    )


@router.get("/join/{token}")
def join_with_link(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    return _redeem(
        request,
        session,
        settings,
        token=token,
        refused="This sign-in link does not work any more. Type the "
        "code from your card, or ask a facilitator.",
    )


@router.post("/p/signout")
def hand_back(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(session, token=token)
    response = RedirectResponse("/join?handed_back=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    # The page script has already cleared this participant's stored queue (after sending it);
    # the header asks the browser to drop cached copies of the pages too.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
