"""What every versioned API router shares: its prefix, and the errors any route may answer,
each declared with the one error shape (``ErrorPublic``) the handlers in ``app.main`` send."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.schemas.errors import ErrorPublic

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request body (e.g. a broken multipart upload)",
    401: "Not signed in",
    403: "Missing or wrong CSRF token (send X-CSRF-Token)",
    404: "No such cohort (or not one of yours)",
    409: "Conflicts with the current state",
    413: "Request body over the size limit",
    422: "Invalid input: every problem with its location",
    503: "Database busy or unavailable; retry after Retry-After seconds",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error codes, each with the real error body."""
    return {code: {"model": ErrorPublic, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


COHORT_ERRORS = errors(404)
"""What a route under ``/cohorts/{slug}`` adds to every route's 401 and 503."""
WRITE_ERRORS = errors(403, 413)
"""What any state-changing request adds: the CSRF check and the body limit."""


def api_router(tag: str) -> APIRouter:
    """A router under ``/api/v1`` that documents the answers every route may give; ``tag``
    groups its operations on ``/docs``."""
    return APIRouter(prefix="/api/v1", tags=[tag], responses=errors(401, 503))


_DEFAULT_422 = "#/components/schemas/HTTPValidationError"


def without_default_validation_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop the 422 FastAPI declares on its own for any route with parameters: its body
    (``detail`` as a list) is not what our handler sends, and a route whose only parameter is
    a text slug cannot fail validation at all. Routes that can answer 422 declare it above."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            declared = operation.get("responses", {}).get("422", {})
            body = declared.get("content", {}).get("application/json", {}).get("schema", {})
            if body.get("$ref") == _DEFAULT_422:
                del operation["responses"]["422"]
    components = schema.get("components", {}).get("schemas", {})
    if _DEFAULT_422 not in repr(schema.get("paths")):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    return schema


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a 200 that is a file (a PDF, a calendar, a CSV), not JSON."""
    return {200: {"content": {media: {} for media in media_types}, "description": description}}
