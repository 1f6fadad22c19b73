"""Signing a tablet in from a printed card and a personal PIN, and handing it back.

Two steps, each a POST followed by a redirect, so that the browser's history holds nothing
that signs in again: the card (typed code, or the QR link's page) leads to ``/join/pin``,
and only the PIN opens a session. Between the two, a short-lived cookie bound to the tablet
remembers which card was shown.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.core.config import Settings
from app.core.errors import InvalidInput
from app.core.i18n import N_, _
from app.core.language import remember_language
from app.core.security import CSRF_COOKIE, SESSION_COOKIE
from app.core.templating import render
from app.deps import SessionDep, SettingsDep
from app.models import Cohort, Participant, WebSession, utcnow
from app.models.tablet import SignInCard
from app.services import accounts, tablet

router = APIRouter(include_in_schema=False)

DEVICE_COOKIE = "tandem_device"
"""A random id per tablet: throttling counts per tablet, and a sign-in ends the previous
participant's session on the same tablet."""
SIGNIN_COOKIE = "tandem_signin"
DEVICE_SECONDS = 400 * 86400
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def device_of(request: Request) -> tuple[str, str | None]:
    """The hash of this tablet's device cookie, and a new cookie value when it has none."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if TOKEN_SHAPE.fullmatch(value):
        return accounts.hash_token(value), None
    value = secrets.token_urlsafe(24)
    return accounts.hash_token(value), value


def attempt_of(request: Request, settings: Settings) -> tablet.Attempt:
    # Without a device cookie every request would look like a new tablet: such clients share
    # one key per address instead, so a script cannot dodge the per-tablet limit by dropping it.
    value = request.cookies.get(DEVICE_COOKIE, "")
    device = accounts.hash_token(value) if TOKEN_SHAPE.fullmatch(value) else "none"
    return tablet.Attempt(
        device=device if device != "none" else f"none|{_client(request)}",
        address=_client(request),
        window_seconds=settings.login_window_seconds,
        per_device=settings.card_attempts_per_device,
        per_address=settings.card_attempts_per_address,
    )


def secure_cookies(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def with_device(response: Response, new_device: str | None, settings: Settings) -> Response:
    if new_device is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            new_device,
            max_age=DEVICE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(settings),
        )
    return response


def render_for_device(
    request: Request,
    settings: Settings,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> Response:
    _, new = device_of(request)
    return with_device(render(request, name, context, status_code=status), new, settings)


def _join_page(
    request: Request, settings: Settings, *, error: str | None = None, status: int = 200
) -> Response:
    notice = {
        "handed_back": _("Thank you. The tablet is ready for the next person."),
        "idle": _(
            "The tablet was left alone for a while, so it signed out. "
            "Anything not yet sent stays on it, locked, until you sign in again."
        ),
        "links_stopped": _(
            "Your sign-in links are stopped, and every device they signed in is signed out. "
            "A facilitator can send you a new link."
        ),
    }
    shown = next((text for key, text in notice.items() if key in request.query_params), None)
    response = render_for_device(
        request, settings, "participant/join.html", {"error": error, "notice": shown}, status=status
    )
    # Back on the first step, the card shown before is forgotten: the history's PIN page must
    # not greet the next person with the previous one's name.
    if SIGNIN_COOKIE in request.cookies:
        response.delete_cookie(SIGNIN_COOKIE)
    return response


def _pending_card(request: Request, session: Session) -> SignInCard | None:
    device, _ = device_of(request)
    return tablet.pending_card(
        session,
        ticket=request.cookies.get(SIGNIN_COOKIE, ""),
        device=device,
        secret=request.app.state.secret_key,
    )


def speak_for(
    request: Request, response: Response, session: Session, participant: Participant
) -> str:
    """Switch this tablet to the participant's language (theirs, else their cohort's), for
    this response and the tablet's next requests, until someone else signs in."""
    cohort = session.get(Cohort, participant.cohort_id)
    return remember_language(response, request, tablet.language_of(participant, cohort))


def _to_pin(request: Request, session: Session, card: SignInCard, settings: Settings) -> Response:
    device, new = device_of(request)
    response = RedirectResponse("/join/pin", status_code=303)
    # The PIN page already greets the card's owner in their language.
    participant = session.get(Participant, card.participant_id)
    if participant is not None:
        speak_for(request, response, session, participant)
    response.set_cookie(
        SIGNIN_COOKIE,
        tablet.pending_ticket(card, device=device, secret=request.app.state.secret_key),
        max_age=tablet.TICKET_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )
    return with_device(response, new, settings)


def _redeem(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    refused: str,
    code: str | None = None,
    token: str | None = None,
) -> Response:
    """Check a typed ``code`` or a QR ``token``; a refusal says ``refused`` (never the token)."""
    try:
        card = tablet.redeem_card(
            session,
            attempt=attempt_of(request, settings),
            secret=request.app.state.secret_key,
            code=code,
            token=token,
        )
    except tablet.CardRejected:
        # Keep the counted attempt: the throttle must see it even though we answer normally.
        session.commit()
        return _join_page(request, settings, error=refused, status=400)
    return _to_pin(request, session, card, settings)


@router.get("/join")
def join_page(request: Request, settings: SettingsDep) -> Response:
    return _join_page(request, settings)


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
        refused=_(
            "That code did not work. Check it on your card and try again, or ask a facilitator."
        ),
    )


LINK_REFUSED = N_(
    "This sign-in link does not work any more. Type the code from your card, or ask a facilitator."
)


@router.post("/join/link")
def join_with_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Form(max_length=100)],
) -> Response:
    return _redeem(request, session, settings, token=token, refused=_(LINK_REFUSED))


# ---- the PIN ----------------------------------------------------------------------------------
def render_pin_step(
    request: Request,
    session: Session,
    settings: Settings,
    participant: Participant,
    *,
    error: str | None = None,
    problems: list[str] | None = None,
    status: int = 200,
    action: str = "/join/pin",
) -> Response:
    """The PIN step (choose one, or type it) for ``participant``; its form posts to ``action``."""
    choose = tablet.needs_new_pin(session, participant=participant)
    reset_at = tablet.pin_reset_at(session, participant=participant)
    context = {
        "name": participant.name,
        "choose": choose,
        "reset_at": reset_at.astimezone(tablet.cohort_zone(session, participant))
        if choose and reset_at
        else None,
        "error": error,
        "problems": problems or [],
        "pin_min": tablet.PIN_MIN,
        "pin_max": tablet.PIN_MAX,
        "action": action,
    }
    return render_for_device(request, settings, "participant/join_pin.html", context, status=status)


@router.get("/join/pin")
def pin_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    card = _pending_card(request, session)
    participant = session.get(Participant, card.participant_id) if card else None
    if participant is None:
        return RedirectResponse("/join", status_code=303)
    return render_pin_step(request, session, settings, participant)


@router.post("/join/pin")
def sign_in_with_pin(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    pin: Annotated[str, Form(max_length=40)],
    pin_again: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    card = _pending_card(request, session)
    participant = session.get(Participant, card.participant_id) if card else None
    if card is None or participant is None:
        return _join_page(
            request,
            settings,
            error=_("That took too long. Scan your card or type its code again."),
            status=400,
        )
    checked = check_pin(
        request,
        session,
        settings,
        participant,
        pin=pin,
        pin_again=pin_again,
        locked=_(
            "This card's PIN is locked after too many wrong tries. A facilitator can "
            "reset it; nothing you wrote is lost."
        ),
    )
    if isinstance(checked, Response):
        return checked
    response, _opened = open_signed_in(
        request,
        session,
        settings,
        participant,
        access_until=card.expires_at,
        via="pin",
        wrong_before=checked,
    )
    response.delete_cookie(SIGNIN_COOKIE)
    return response


def check_pin(
    request: Request,
    session: Session,
    settings: Settings,
    participant: Participant,
    *,
    pin: str,
    pin_again: str | None,
    locked: str,
    action: str = "/join/pin",
) -> int | Response:
    """Set the first PIN or check the PIN typed: how many wrong PINs came before it, or the
    page to answer instead (the PIN step again, or the first step with ``locked``)."""
    secret = request.app.state.secret_key
    try:
        if tablet.needs_new_pin(session, participant=participant):
            tablet.set_pin(
                session, participant=participant, pin=pin, again=pin_again or "", secret=secret
            )
            return 0
        return tablet.verify_pin(
            session,
            participant=participant,
            pin=pin,
            secret=secret,
            attempt=attempt_of(request, settings),
        )
    except InvalidInput as problem:
        return render_pin_step(
            request,
            session,
            settings,
            participant,
            problems=[p.message for p in problem.problems],
            status=400,
            action=action,
        )
    except tablet.PinRejected:
        session.commit()  # the counted failure must stay
        return render_pin_step(
            request,
            session,
            settings,
            participant,
            error=_("That PIN is not right. Try again, or ask a facilitator to reset it."),
            status=400,
            action=action,
        )
    except tablet.PinLocked:
        session.commit()
        return _join_page(request, settings, error=locked, status=403)


def open_signed_in(
    request: Request,
    session: Session,
    settings: Settings,
    participant: Participant,
    *,
    access_until: datetime,
    via: str,
    wrong_before: int,
    landing: str = "/p",
) -> tuple[Response, WebSession]:
    """Open the participant's session on this device (ending the one before it there), note
    the sign-in in their account's activity, and send them to ``landing``."""
    assert participant.id is not None
    device, new = device_of(request)
    opened = accounts.start_participant_session(
        session,
        participant_id=participant.id,
        device=device,
        card_expires_at=access_until,
        hours=settings.participant_session_hours,
        replacing=request.cookies.get(SESSION_COOKIE),
    )
    tablet.record_signin(
        session,
        participant=participant,
        device=device,
        device_summary=tablet.describe_device(request.headers.get("user-agent", "")),
        device_kind=tablet.device_parts(request.headers.get("user-agent", "")),
        via=via,
        wrong_pins_before=wrong_before,
    )
    response = RedirectResponse(landing, status_code=303)
    max_age = max(int((opened.session.expires_at - utcnow()).total_seconds()), 0)
    secure = secure_cookies(settings)
    response.set_cookie(
        SESSION_COOKIE, opened.token, httponly=True, samesite="lax", secure=secure, max_age=max_age
    )
    # A fresh CSRF secret for the new identity: tokens seen before sign-in are worthless.
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="lax", secure=secure
    )
    # A shared tablet speaks the language of whoever signed in last.
    speak_for(request, response, session, participant)
    return with_device(response, new, settings), opened.session


@router.get("/join/{token}")
def join_link_page(request: Request, token: str, settings: SettingsDep) -> Response:
    """The QR link's page: it signs nobody in by being opened (a GET from the history or a
    link preview), and its script takes the token out of the address bar at once."""
    if not TOKEN_SHAPE.fullmatch(token):
        return _join_page(request, settings, error=_(LINK_REFUSED), status=400)
    return render_for_device(request, settings, "participant/join_link.html", {"token": token})


@router.post("/p/signout")
def hand_back(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    cohort_language = None
    if token:
        web = accounts.load_session(session, token=token)
        leaving = (
            session.get(Participant, web.participant_id) if web and web.participant_id else None
        )
        cohort = session.get(Cohort, leaving.cohort_id) if leaving else None
        cohort_language = cohort.language if cohort else None
        accounts.end_session(session, token=token)
    response = RedirectResponse("/join?handed_back=1", status_code=303)
    if cohort_language:
        # Handed back, the tablet waits for the next person in the room's language.
        remember_language(response, request, cohort_language)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(SIGNIN_COOKIE)
    # The page script has already cleared this participant's stored queue (after sending it);
    # the header asks the browser to drop cached copies of the pages too.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
