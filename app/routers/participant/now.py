"""What is happening now, for tablets: JSON, a server-sent event stream, and the calendar."""

from __future__ import annotations

import time as clock
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import APIRouter, Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.core.i18n import use_locale
from app.deps import CurrentParticipant, SessionDep
from app.models import utcnow
from app.services import agenda, tablet
from app.services.agenda import NowItem

router = APIRouter(include_in_schema=False)

POLL_S = 1.0
HEARTBEAT_S = 15.0
STREAM_S = 300.0
"""A stream ends after this long; the browser reconnects at once, which recycles connections
that proxies or sleeping tablets have silently dropped."""
RETRY_MS = 3000


def _item(item: NowItem | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "exercise_id": item.exercise_id,
        "title": item.title,
        "start": item.start.isoformat(timespec="minutes"),
        "end": item.end.isoformat(timespec="minutes"),
        "day": item.day,
    }


@router.get("/p/now")
def now_json(session: SessionDep, participant: CurrentParticipant) -> dict[str, Any]:
    info = agenda.follow_participant(session, participant=participant, now=utcnow())
    return {"current": _item(info.current), "next": _item(info.next), "version": info.version}


@router.get("/p/agenda.ics")
def my_calendar(session: SessionDep, participant: CurrentParticipant) -> Response:
    cohort = agenda.participant_cohort(session, participant=participant)
    # The events speak the participant's language, whichever device downloads them.
    with use_locale(tablet.language_of(participant, cohort)):
        body = agenda.build_participant_ics(session, cohort=cohort, participant=participant)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{cohort.slug}.ics"'},
    )


async def version_events(
    poll: Callable[[], int],
    *,
    disconnected: Callable[[], Any] | None = None,
    poll_s: float = POLL_S,
    heartbeat_s: float = HEARTBEAT_S,
    stream_s: float = STREAM_S,
) -> AsyncIterator[str]:
    """Yield SSE text: the version now and on every change, heartbeats, until ``stream_s``."""
    started = last_beat = clock.monotonic()
    version = await anyio.to_thread.run_sync(poll)
    yield f"retry: {RETRY_MS}\nevent: version\ndata: {version}\n\n"
    while clock.monotonic() - started < stream_s:
        await anyio.sleep(poll_s)
        if disconnected is not None and await disconnected():
            return
        current = await anyio.to_thread.run_sync(poll)
        if current != version:
            version = current
            yield f"event: version\ndata: {version}\n\n"
            last_beat = clock.monotonic()
        elif clock.monotonic() - last_beat >= heartbeat_s:
            yield ": heartbeat\n\n"
            last_beat = clock.monotonic()


@router.get("/p/now/stream")
def now_stream(
    request: Request, session: SessionDep, participant: CurrentParticipant
) -> StreamingResponse:
    cohort_id = participant.cohort_id
    # End the request's transaction now: the stream lasts minutes and must not hold a
    # connection (or, on SQLite, a read snapshot that blocks checkpoints) all that time.
    session.commit()
    engine: Engine = request.app.state.engine

    def poll() -> int:
        with Session(engine) as s:
            return agenda.follow_version(s, cohort_id=cohort_id)

    events = version_events(poll, disconnected=request.is_disconnected, stream_s=STREAM_S)
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
