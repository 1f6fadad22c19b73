"""Admins manage facilitator accounts (invite, deactivate, reactivate, reset); whoever holds a
set-password link chooses their password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import gettext
from app.core.templating import render
from app.deps import CurrentAdmin, PathId, SessionDep, SettingsDep
from app.models import Facilitator
from app.services import accounts

router = APIRouter(include_in_schema=False)
PAGE = "/admin/facilitators"


def _page(
    request: Request,
    session: SessionDep,
    *,
    issued: accounts.IssuedLink | None = None,
    link: str = "",
    form: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    people = accounts.list_facilitators(session)
    return render(
        request,
        "facilitator/admin_facilitators.html",
        {
            "rows": [(f, accounts.account_state(f)) for f in people],
            "issued": issued,
            "link": link,
            "form": form or {"email": "", "name": "", "admin": ""},
            "problems": problems or [],
            "link_hours": accounts.PASSWORD_LINK_HOURS,
        },
        status_code=status_code,
    )


@router.get(PAGE)
def facilitators_page(request: Request, session: SessionDep, admin: CurrentAdmin) -> Response:
    return _page(request, session)


@router.post(PAGE)
def invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    admin: CurrentAdmin,
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    make_admin: Annotated[str, Form(alias="admin", max_length=10)] = "",
) -> Response:
    form = {"email": email, "name": name, "admin": make_admin}
    try:
        issued = accounts.invite_facilitator(
            session, email=email, name=name, admin=make_admin == "yes", actor=admin
        )
    except (InvalidInput, Conflict) as exc:
        return _refused(request, session, exc, form)
    # The link is shown once, in this answer: it is never in an address or a log line.
    return _page(request, session, issued=issued, link=issued.url(settings.base_url))


def _refused(
    request: Request,
    session: SessionDep,
    exc: InvalidInput | Conflict,
    form: dict[str, str] | None = None,
) -> Response:
    session.rollback()
    problems = exc.problems if isinstance(exc, InvalidInput) else []
    return _page(
        request,
        session,
        form=form,
        problems=problems or [Problem("", exc.message)],
        status_code=exc.status_code,
    )


def _change(
    request: Request,
    session: SessionDep,
    facilitator_id: int,
    change: Callable[[Facilitator], None],
) -> Response:
    target = accounts.get_facilitator(session, ref=facilitator_id)
    try:
        change(target)
    except Conflict as exc:
        return _refused(request, session, exc)
    return RedirectResponse(f"{PAGE}#facilitator-{facilitator_id}", status_code=303)


@router.post(PAGE + "/{facilitator_id}/deactivate")
def deactivate(
    request: Request, session: SessionDep, admin: CurrentAdmin, facilitator_id: PathId
) -> Response:
    return _change(
        request,
        session,
        facilitator_id,
        lambda f: accounts.deactivate_facilitator(session, facilitator=f, actor=admin),
    )


@router.post(PAGE + "/{facilitator_id}/reactivate")
def reactivate(
    request: Request, session: SessionDep, admin: CurrentAdmin, facilitator_id: PathId
) -> Response:
    return _change(
        request,
        session,
        facilitator_id,
        lambda f: accounts.reactivate_facilitator(session, facilitator=f, actor=admin),
    )


@router.post(PAGE + "/{facilitator_id}/reset")
def reset(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    admin: CurrentAdmin,
    facilitator_id: PathId,
) -> Response:
    target = accounts.get_facilitator(session, ref=facilitator_id)
    try:
        issued = accounts.reset_facilitator(session, facilitator=target, actor=admin)
    except Conflict as exc:
        return _refused(request, session, exc)
    return _page(request, session, issued=issued, link=issued.url(settings.base_url))


@router.get(accounts.PASSWORD_LINK_PATH + "{token}")
def set_password_page(request: Request, session: SessionDep, token: str) -> Response:
    user = _link_owner(session, token)
    return _password_page(request, user, token, status_code=200 if user else 410)


@router.post(accounts.PASSWORD_LINK_PATH + "{token}")
def set_password(
    request: Request,
    session: SessionDep,
    token: str,
    password: Annotated[str, Form(max_length=500)] = "",
    repeat: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    user = _link_owner(session, token)
    if user is None:
        return _password_page(request, None, token, status_code=410)
    if password != repeat:
        problem = Problem(gettext("repeat"), gettext("the two passwords differ"), "repeat")
        return _password_page(request, user, token, problems=[problem], status_code=422)
    try:
        accounts.set_password_with_link(session, token=token, password=password)
    except InvalidInput as exc:
        return _password_page(request, user, token, problems=exc.problems, status_code=422)
    return render(request, "facilitator/password_set.html", {"email": user.email})


def _link_owner(session: SessionDep, token: str) -> Facilitator | None:
    try:
        return accounts.check_password_link(session, token=token)
    except NotFound:
        return None


def _password_page(
    request: Request,
    user: Facilitator | None,
    token: str,
    *,
    problems: list[Problem] | None = None,
    status_code: int,
) -> Response:
    return render(
        request,
        "facilitator/set_password.html",
        {
            "owner": user,
            "action": accounts.PASSWORD_LINK_PATH + token,
            "problems": problems or [],
            "min_length": accounts.MIN_PASSWORD_LENGTH,
        },
        status_code=status_code,
    )
