"""What every versioned API router shares: its prefix and the answers any route may give."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    404: {"description": "No such cohort"},
    503: {"description": "Database busy or unavailable; retry after Retry-After seconds"},
}
CSRF_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "Missing or wrong CSRF token (send X-CSRF-Token)"},
}


def api_router() -> APIRouter:
    """A router under ``/api/v1`` that documents the answers every route may give."""
    return APIRouter(prefix="/api/v1", tags=["v1"], responses=dict(COMMON_RESPONSES))
