"""Load shedding: past a bound on requests in flight, answer 503 at once instead of queueing.

A room of tablets that outruns the server must hear "retry shortly" in milliseconds (their
queue keeps every word), not wait behind minutes of backlog until their own requests time out.
"""

from __future__ import annotations

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/healthz", "/readyz", "/static/")


class ConcurrencyLimitMiddleware:
    """Refuses requests beyond ``max_inflight`` with 503 and ``Retry-After``."""

    def __init__(self, app: ASGIApp, *, max_inflight: int, retry_after: int = 2) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.retry_after = retry_after
        self.inflight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        # Streams (server-sent events) live for minutes: they must not count against the bound.
        if scope["path"].endswith("/stream"):
            await self.app(scope, receive, send)
            return
        if self.inflight >= self.max_inflight:
            response = JSONResponse(
                {"detail": "The server is busy; nothing was changed. Please retry shortly."},
                status_code=503,
                headers={"Retry-After": str(self.retry_after)},
            )
            await response(scope, receive, send)
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


class Gate:
    """A few holders at once and a short queue behind them; beyond the queue a caller is
    refused at once, because every waiting request counts against ``max_inflight`` and a
    long queue of one kind of request would shed everyone else's."""

    def __init__(self, slots: int, *, queue: int) -> None:
        self._free = asyncio.Semaphore(slots)
        self.queue = queue
        self.waiting = 0

    async def acquire(self, timeout_s: float) -> bool:
        """Take a slot within ``timeout_s``; False when the queue is full or time ran out."""
        if self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(self._free.acquire(), timeout_s)
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        return True

    def release(self) -> None:
        """Give a slot back (only after ``acquire`` returned True)."""
        self._free.release()
