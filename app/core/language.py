"""The language of a web request: the reader's choice, else the browser's, else the source.

A pure ASGI middleware sets the language context (``app.core.i18n``) before anything else
runs, so routes, services, templates and error pages of one request all speak the same
language. The choice is a small cookie, written when someone signs in (a facilitator's
account setting; a participant's language, else their cohort's default) and when they pick
another language; a shared tablet therefore switches when the next participant signs in.
The cookie holds only a language code, never who is signed in.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import i18n

LANGUAGE_COOKIE = "tandem_lang"
_COOKIE_MAX_AGE_S = 400 * 24 * 3600


def chosen_language(cookie_header: str | None) -> str | None:
    """The language named by the ``tandem_lang`` cookie in a ``Cookie`` header, if we speak it."""
    if not cookie_header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # a malformed header from some other cookie is not our concern
        return None
    morsel = jar.get(LANGUAGE_COOKIE)
    return i18n.normalise_language(morsel.value) if morsel else None


def request_language(cookie_header: str | None, accept_language: str | None) -> str:
    """The reader's choice, else the browser's best match, else the source language."""
    return chosen_language(cookie_header) or i18n.negotiate(accept_language) or i18n.SOURCE_LANGUAGE


def remember_language(response: Response, request: Request, language: str | None) -> str:
    """Set the language for the rest of this request and for the device's next ones.

    ``None`` (nobody chose one) forgets the choice: the browser's language applies again.
    Returns the language now in effect.
    """
    chosen = i18n.normalise_language(language)
    secure = request.url.scheme == "https"
    if chosen is None:
        response.delete_cookie(LANGUAGE_COOKIE, path="/", secure=secure, samesite="lax")
        chosen = i18n.negotiate(request.headers.get("accept-language")) or i18n.SOURCE_LANGUAGE
    else:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=_COOKIE_MAX_AGE_S,
            path="/",
            secure=secure,
            httponly=True,
            samesite="lax",
        )
    request.state.language = chosen
    return i18n.set_language(chosen)


class LanguageMiddleware:
    """Speak the request's language (see :func:`request_language`) for the whole request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        language = request_language(
            headers.get(b"cookie", b"").decode("latin-1") or None,
            headers.get(b"accept-language", b"").decode("latin-1") or None,
        )
        state = scope.setdefault("state", {})
        state["language"] = language

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-language", state.get("language", language))
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
            await send(message)

        with i18n.use_locale(language):
            await self.app(scope, receive, send_with_language)
