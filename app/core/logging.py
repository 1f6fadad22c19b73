"""Structured logs: one JSON object per line, each carrying the request id.

Privacy: a log line names the route *template* (``/join/{token}``), never the raw path, and
never a body, form field or query string, so neither sign-in tokens nor answers reach a log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("tandem.access")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with time, level, logger, message and request id."""

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
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send every ``tandem`` log line to stderr as JSON."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("tandem")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = True  # tests capture through the root logger; production root has none


def _route_template(scope: Scope) -> str:
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
                        "route": _route_template(scope),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
            request_id_var.reset(token)
