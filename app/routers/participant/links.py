"""Signing in with a personal link on one's own phone or laptop, and stopping one's links.

As with a card's QR link, opening the address signs nobody in (mail scanners and link
previews open it too): its page posts the token, which leads to the PIN step, and only the
PIN spends the link and opens a session. A link that does not work answers a page that says
what to do instead, never an error and never a session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.core.config import Settings
from app.core.i18n import N_, _
from app.core.security import SESSION_COOKIE
from app.deps import CurrentParticipant, SessionDep, SettingsDep
from app.models import Cohort, Participant, SignInLink, utcnow
from app.routers.participant.join import (
    attempt_of,
    check_pin,
    device_of,
    open_signed_in,
    render_for_device,
    render_pin_step,
    secure_cookies,
    speak_for,
    with_device,
)
from app.services import accounts, links, tablet

router = APIRouter(include_in_schema=False)

LINK_COOKIE = "tandem_link"
"""Between the link and the PIN: which link was opened on this device (signed, five minutes)."""
PIN_STEP = "/link/pin"

REFUSALS = {
    "expired": (
        N_("This link has expired"),
        N_(
            "Sign-in links work for a limited time. Ask your facilitator for a new link, or "
            "sign in on a tablet with your card."
        ),
    ),
    "used": (
        N_("This link has already been used"),
        N_(
            "Each sign-in link works once. Ask your facilitator for a new link, or sign in "
            "on a tablet with your card. If you did not use this link yourself, tell your "
            "facilitator: they can stop it and sign out wherever it was used."
        ),
    ),
    "unknown": (
        N_("This link does not work"),
        N_(
            "It may have been replaced by a newer link, or stopped, or copied incompletely. "
            "Use the newest link you received, ask your facilitator for a new one, or sign "
            "in on a tablet with your card."
        ),
    ),
    "late": (
        N_("That took too long"),
        N_("Open your sign-in link again: it still works, as you have not signed in with it."),
    ),
}


def _refused(request: Request, settings: Settings, reason: str) -> Response:
    title, text = REFUSALS[reason]
    response = render_for_device(
        request,
        settings,
        "participant/link_refused.html",
        {"title": _(title), "text": _(text), "reason": reason},
        status=400,
    )
    response.delete_cookie(LINK_COOKIE)
    return response


def _pending(request: Request, session: Session) -> tuple[SignInLink, Participant] | None:
    device, _new = device_of(request)
    link = links.pending_link(
        session,
        ticket=request.cookies.get(LINK_COOKIE, ""),
        device=device,
        secret=request.app.state.secret_key,
    )
    participant = session.get(Participant, link.participant_id) if link else None
    return (link, participant) if link and participant else None


@router.get(PIN_STEP)
def link_pin_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    pending = _pending(request, session)
    if pending is None:
        return _refused(request, settings, "late")
    return render_pin_step(request, session, settings, pending[1], action=PIN_STEP)


@router.post(PIN_STEP)
def sign_in_with_link_pin(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    pin: Annotated[str, Form(max_length=40)],
    pin_again: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    pending = _pending(request, session)
    if pending is None:
        return _refused(request, settings, "late")
    link, participant = pending
    checked = check_pin(
        request,
        session,
        settings,
        participant,
        pin=pin,
        pin_again=pin_again,
        locked=_(
            "Your PIN is locked after too many wrong tries. A facilitator can reset it; "
            "nothing you wrote is lost."
        ),
        action=PIN_STEP,
    )
    if isinstance(checked, Response):
        return checked
    if not links.use_link(session, link=link):
        return _refused(request, settings, "used")
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    response, opened = open_signed_in(
        request,
        session,
        settings,
        participant,
        access_until=tablet.card_expiry(cohort, followup_days=settings.followup_days),
        via="link",
        wrong_before=checked,
        landing="/p" if link.next_path == "/" else links.check_next_path(link.next_path),
    )
    links.bind_session(session, link=link, session_id=opened.id)
    response.delete_cookie(LINK_COOKIE)
    return response


@router.post("/link")
def open_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Form(max_length=100)],
) -> Response:
    try:
        link = links.redeem_link(session, token=token, attempt=attempt_of(request, settings))
    except links.LinkRejected as refused:
        # Keep the counted attempt: the throttle must see it even though we answer normally.
        session.commit()
        return _refused(request, settings, refused.reason)
    participant = session.get(Participant, link.participant_id)
    cohort = session.get(Cohort, participant.cohort_id) if participant else None
    if participant is None or cohort is None:
        return _refused(request, settings, "unknown")
    if tablet.card_expiry(cohort, followup_days=settings.followup_days) <= utcnow():
        return _refused(request, settings, "expired")
    device, new = device_of(request)
    response = RedirectResponse(PIN_STEP, status_code=303)
    speak_for(request, response, session, participant)
    response.set_cookie(
        LINK_COOKIE,
        links.link_ticket(link, device=device, secret=request.app.state.secret_key),
        max_age=links.TICKET_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )
    return with_device(response, new, settings)


@router.get("/link/request")
def link_request_page(request: Request, settings: SettingsDep) -> Response:
    return render_for_device(request, settings, "participant/link_request.html", {"sent": False})


@router.post("/link/request")
def request_new_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
) -> Response:
    """Mail a new link to the address, if it is a participant's; the page says the same
    whether it is or not."""
    links.request_link(
        session,
        email=email,
        base_url=settings.base_url,
        attempt=attempt_of(request, settings),
        followup_days=settings.followup_days,
    )
    return render_for_device(request, settings, "participant/link_request.html", {"sent": True})


@router.get("/link/{token}")
def link_page(request: Request, token: str, settings: SettingsDep) -> Response:
    """The link's page: opening it signs nobody in, and its script takes the token out of
    the address bar at once."""
    if not links.TOKEN_SHAPE.fullmatch(token):
        return _refused(request, settings, "unknown")
    return render_for_device(request, settings, "participant/link.html", {"token": token})


@router.post("/p/links/stop")
def stop_my_links(
    request: Request, session: SessionDep, participant: CurrentParticipant
) -> Response:
    """The participant stops every link of theirs and ends the sessions links opened; when
    this session was one of them, the device is signed out."""
    assert participant.id is not None
    links.revoke_links(session, participant.id, by=f"participant:{participant.id}")
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and accounts.load_session(session, token=token) is not None:
        return RedirectResponse("/p?links=stopped#my-links", status_code=303)
    response = RedirectResponse("/join?links_stopped=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
