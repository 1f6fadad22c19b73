"""Facilitator sign-in and sign-out, and the account page (the facilitator's language)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.core.errors import Problem
from app.core.i18n import LANGUAGE_NAMES, current_language, gettext
from app.core.language import remember_language
from app.core.security import CSRF_COOKIE, SESSION_COOKIE
from app.core.templating import render
from app.deps import (
    CurrentFacilitator,
    SessionDep,
    SettingsDep,
    password_check_turn,
    run_reading,
    run_writing,
)
from app.models import Facilitator
from app.routers.facilitator.languages import check_language, language_choices
from app.services import accounts

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    # Only same-site paths: an attacker must not turn sign-in into an open redirect.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/cohorts"


@router.get("/login")
def login_page(request: Request, next: str = "/cohorts") -> Response:
    return render(request, "facilitator/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(
    request: Request,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=500)] = "/cohorts",
) -> Response:
    # Async, unlike the other routes: a password check costs ~180 ms of CPU, so it waits for
    # a slot without holding a worker thread and runs outside SQLite's write turn, which the
    # tablets' saves need; only the short write of its outcome takes the turn.
    client = request.client.host if request.client else "unknown"
    limits = accounts.LoginLimits(
        per_key=settings.login_attempts_per_window,
        overall=settings.login_failures_overall_per_window,
        window_seconds=settings.login_window_seconds,
    )
    async with password_check_turn(request):
        checked = await run_reading(
            request,
            accounts.check_password,
            email=email,
            password=password,
            client=client,
            limits=limits,
        )
    opened = await run_writing(
        request,
        accounts.record_login,
        checked=checked,
        hours=settings.session_hours,
        window_seconds=settings.login_window_seconds,
    )
    if opened is None:
        return render(
            request,
            "facilitator/login.html",
            {"next": _safe_next(next), "error": gettext("Wrong e-mail or password.")},
            status_code=400,
        )
    language = await run_reading(
        request, _language_of, facilitator_id=opened.session.facilitator_id
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    # The account's language from now on on this device; none chosen: the browser's.
    remember_language(response, request, language or None)
    secure = settings.base_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=settings.session_hours * 3600,
    )
    # A fresh CSRF secret for the new identity: tokens seen before sign-in are worthless.
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="lax", secure=secure
    )
    return response


def _language_of(session: Session, *, facilitator_id: int | None) -> str:
    """The facilitator's chosen language ("" when they follow the browser)."""
    user = session.get(Facilitator, facilitator_id) if facilitator_id is not None else None
    return user.language if user else ""


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(session, token=token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _account_page(
    request: Request,
    language: str,
    *,
    problems: list[Problem] | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "facilitator/account.html",
        {
            "form": {"language": language},
            # Translators: the first choice of the account's language select.
            "languages": language_choices(gettext("The browser's language")),
            "problems": problems or [],
            "saved": saved,
        },
        status_code=status_code,
    )


@router.get("/account")
def account_page(request: Request, user: CurrentFacilitator, saved: bool = False) -> Response:
    now = current_language()
    return _account_page(request, user.language, saved=LANGUAGE_NAMES[now] if saved else None)


@router.post("/account")
def save_account(
    request: Request,
    session: SessionDep,
    user: CurrentFacilitator,
    language: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    code, problem = check_language(
        language, field="language", where=gettext("language"), allow_empty=True
    )
    if problem is not None:
        return _account_page(request, code, problems=[problem], status_code=422)
    user.language = code
    session.add(user)
    response = RedirectResponse("/account?saved=1", status_code=303)
    # The choice applies on this device from the next page on.
    remember_language(response, request, code or None)
    return response
