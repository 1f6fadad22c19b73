"""CSRF tokens, security headers and request limits: applied to every request."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "tandem_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "tandem_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_EXEMPT_PREFIXES = ("/mail/unsubscribe/",)
"""A mail client's one-click unsubscribe (RFC 8058) POSTs without our cookie; the signed
token in the path is what authorises it, and it can only turn reminder mails off or on."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token."""


def csrf_token_for(secret: str, cookie_value: str) -> str:
    """The token a form must echo back for the browser holding ``cookie_value``."""
    return hmac.new(secret.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def request_csrf_token(request: Request) -> str:
    """The CSRF token for this request's browser (the cookie is set by the middleware)."""
    cookie = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE, "")
    return csrf_token_for(request.app.state.secret_key, cookie)


async def verify_csrf(request: Request) -> None:
    """Reject a state-changing request whose token does not match the browser's cookie."""
    if request.method in SAFE_METHODS or request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = csrf_token_for(request.app.state.secret_key, cookie) if cookie else None
    if not sent or expected is None or not hmac.compare_digest(sent, expected):
        raise CsrfError("the form has expired or did not come from this site; reload and retry")


class SecurityHeadersMiddleware:
    """Adds CSP and friends, ``no-store`` on dynamic pages, HSTS over HTTPS, and the CSRF
    cookie when missing."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool, hsts_seconds: int = 0) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains".encode() if hsts_seconds else b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        request = Request(scope)
        new_cookie = None
        if CSRF_COOKIE not in request.cookies:
            new_cookie = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf_cookie"] = new_cookie

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                if not path.startswith("/static/"):
                    extra[b"cache-control"] = b"no-store"
                # HTTPS is the configured public address (a TLS proxy in front) or this very
                # connection; browsers ignore the header on plain HTTP, so it cannot lock out
                # a site that has no certificate.
                if self.hsts and (self.secure_cookies or scope.get("scheme") == "https"):
                    extra[b"strict-transport-security"] = self.hsts
                for key, value in extra.items():
                    if key not in names:
                        headers.append((key, value))
                if new_cookie is not None:
                    cookie = f"{CSRF_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Lax"
                    if self.secure_cookies:
                        cookie += "; Secure"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413 before the app reads them whole."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(self.max_bytes, scope)(scope, receive, send)
            return
        seen = 0
        exceeded = started = False

        async def limited_receive() -> MutableMapping[str, Any]:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # A body parser may turn the limit's error into its own 400: once the limit is
            # crossed, whatever the app answers is replaced by the 413 below.
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await _too_large(self.max_bytes, scope)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(max_bytes: int, scope: Scope) -> Response:
    message = f"The request is larger than the {max_bytes // 1_000_000} MB limit."
    if str(scope.get("path", "")).startswith(("/api/", "/p/api/")):
        return JSONResponse({"detail": message}, status_code=413)  # the API's one error shape
    return PlainTextResponse(message, status_code=413)
