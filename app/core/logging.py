"""Structured logs: one JSON object per line, each carrying the request id.

Only this format exists: uvicorn's own access log is switched off and its error logger, the
render workers and Python's warnings all go through :class:`JsonFormatter`.

Privacy: a log line names the route *template* (``/join/{token}``), never the raw path, and
never a body, form field or query string. As a last line of defence every line is redacted on
its way out: the secret segment of a personal-link path (:data:`SECRET_PATH_PREFIXES`) and
every query-string value are replaced, so that a sign-in link that reaches a message anyway
(a library's warning, an error naming a URL) still opens nothing.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("tandem.access")

SECRET_PATH_PREFIXES: tuple[str, ...] = ("/join/", "/link/", "/mail/unsubscribe/", "/password/")
"""Paths whose next segment is a bearer secret: a personal link that signs its holder in, or
one that sets a facilitator's password.
A new personal-link route adds its prefix here (a test checks that every route with a
secret-looking parameter is covered)."""
REDACTED = "[redacted]"

_SECRET_SEGMENT = re.compile(
    "(" + "|".join(re.escape(p) for p in SECRET_PATH_PREFIXES) + r")(?!\{)[^/?#\s\"'<>]+"
)
# Any ``?name=value`` / ``&name=value`` pair, also percent-encoded or inside a quoted URL.
_QUERY_VALUE = re.compile(r"([?&][^=&#\s\"'<>]{1,64}=)[^&#\s\"'<>]+")


def redact(text: str) -> str:
    """Replace personal-link secrets and query-string values in ``text``."""
    return _QUERY_VALUE.sub(rf"\1{REDACTED}", _SECRET_SEGMENT.sub(rf"\1{REDACTED}", text))


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """Formats a record as one redacted JSON line with time, level, logger, message and
    request id; an exception adds its type and the frames of its trace, never its message
    (which may quote what a person typed)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(extra)
        if record.exc_info and record.exc_info[0] is not None:
            data["error"] = record.exc_info[0].__name__
            data.setdefault("trace", "".join(traceback.format_tb(record.exc_info[2], limit=-8)))
        return json.dumps(_redact_value(data), ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send every log line of this process (Tandem's, uvicorn's, libraries' warnings) to
    stderr as JSON, at ``level`` for Tandem and uvicorn; uvicorn's access log stays off
    (``tandem.access`` replaces it without raw paths)."""
    root = logging.getLogger()
    # Replace our own handler only: pytest's capture handler lives on the root logger too.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h.formatter, JsonFormatter)]
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    level = level.upper()
    logging.getLogger("tandem").setLevel(level)
    for name in ("tandem", "uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn").setLevel(level)
    logging.getLogger("uvicorn.error").setLevel(logging.NOTSET)
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
    logging.captureWarnings(True)


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's ``log_config``: its lines are JSON from the first one (before the app
    exists), in every worker process, and its access log has no handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "app.core.logging.JsonFormatter"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["json"], "level": "WARNING"},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def route_of(scope: Scope) -> str:
    """The matched route's template (``/join/{token}``), never the raw path."""
    # The router records the matched route in the (shared) scope once it has routed.
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None and scope.get("path", "").startswith("/static/"):
        return "/static"
    return str(path) if path else "(unmatched)"


class RequestContextMiddleware:
    """Gives each request an id (kept from a sane ``X-Request-ID``), echoes it, logs access."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope.get("method"),
                        "route": route_of(scope),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
            request_id_var.reset(token)
