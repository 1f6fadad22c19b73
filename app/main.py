"""create_app(): settings, database, routers, static files, error handlers, middleware."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from app.core.config import ROOT, Settings, get_settings
from app.core.db import create_db_engine, is_locked_error, is_sqlite
from app.core.errors import DomainError, InvalidInput, Unavailable
from app.core.i18n import gettext as _
from app.core.language import LanguageMiddleware
from app.core.limits import ConcurrencyLimitMiddleware, Gate
from app.core.logging import RequestContextMiddleware, configure_logging, route_of
from app.core.security import (
    BodyLimitMiddleware,
    CsrfError,
    SecurityHeadersMiddleware,
    verify_csrf,
)
from app.core.templating import render
from app.deps import NotSignedIn
from app.routers import docs, health, participant
from app.routers.api import agenda as api_agenda
from app.routers.api import matching as api_matching
from app.routers.api import outreach as api_outreach
from app.routers.api import plans as api_plans
from app.routers.api import roster as api_roster
from app.routers.api import tablet as api_tablet
from app.routers.api import v1 as api_v1
from app.routers.api import workbooks as api_workbooks
from app.routers.api.common import without_default_validation_errors
from app.routers.facilitator import accounts as facilitator_accounts
from app.routers.facilitator import (
    agenda,
    auth,
    cohorts,
    library,
    matching,
    roster,
    workbooks,
)
from app.routers.facilitator import cards as facilitator_cards
from app.routers.facilitator import data_rights as facilitator_data_rights
from app.routers.facilitator import intake as facilitator_intake
from app.routers.facilitator import links as facilitator_links
from app.routers.facilitator import mail as facilitator_mail
from app.routers.facilitator import plans_overview as facilitator_plans
from app.routers.facilitator import progress as facilitator_progress
from app.routers.facilitator import team as facilitator_team
from app.services import workbooks as _workbook_jobs  # noqa: F401  (registers job kinds)
from app.services.accounts import PASSWORD_CHECKS_AT_ONCE, PASSWORD_CHECKS_WAITING, Throttled
from app.services.mail import use_mail_settings
from app.services.ops import InProcessBackend, QueueBackend, activate_backend, make_backend
from app.services.printing import close_default_pool

log = logging.getLogger("tandem")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/p/api/")) or "application/json" in request.headers.get(
        "accept", ""
    )


def _error(
    request: Request,
    status: int,
    message: str,
    *,
    problems: list[dict[str, str | None]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        body: dict[str, object] = {"detail": message}
        if problems is not None:
            body["problems"] = problems
        return JSONResponse(body, status_code=status, headers=headers)
    response = render(
        request,
        "error.html",
        {"status": status, "message": message, "problems": problems or []},
        status_code=status,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        problems = None
        if isinstance(exc, InvalidInput):
            problems = [
                {"where": p.where, "field": p.field, "message": p.message} for p in exc.problems
            ]
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Unavailable) else None
        return _error(request, exc.status_code, exc.message, problems=problems, headers=headers)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": _("sign in first")}, status_code=401)
        if request.url.path == "/p" or request.url.path.startswith("/p/"):
            return RedirectResponse("/join", status_code=303)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_error(request: Request, exc: CsrfError) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Throttled) -> Response:
        return _error(
            request,
            429,
            _("Too many attempts. Wait a few minutes and try again."),
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(OperationalError)
    async def database_error(request: Request, exc: OperationalError) -> Response:
        if is_locked_error(exc):
            return _error(
                request,
                503,
                _("The database is busy; your request was not applied. Please retry in a moment."),
                headers={"Retry-After": "2"},
            )
        log.error(
            "database error on %s %s: %s",
            request.method,
            route_of(request.scope),
            type(exc.orig).__name__ if exc.orig else type(exc).__name__,
        )
        return _error(
            request,
            503,
            _("The database is unavailable; please retry shortly."),
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(SQLAlchemyTimeoutError)
    async def pool_exhausted(request: Request, exc: SQLAlchemyTimeoutError) -> Response:
        return _error(
            request,
            503,
            _("The server is busy; your request was not applied. Please retry in a moment."),
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [_problem_of(err) for err in exc.errors()]
        return _error(request, 422, _("The request is not valid."), problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and "json" in request.headers.get("content-type", ""):
            # A JSON body that is not even UTF-8 is invalid input like any other bad JSON.
            return _error(
                request, 422, _("The request is not valid."), problems=[_not_json_problem()]
            )
        message = {404: _("Not found."), 405: _("Method not allowed.")}.get(
            exc.status_code, str(exc.detail)
        )
        return _error(request, exc.status_code, message, headers=exc.headers)


def _not_json_problem() -> dict[str, str | None]:
    return {"where": "body", "field": None, "message": _("is not valid JSON (UTF-8 text)")}


def _problem_of(err: Mapping[str, Any]) -> dict[str, str | None]:
    """One of pydantic's errors in the API's problem shape."""
    if err.get("type") == "json_invalid":
        position = err.get("loc", ("body", 0))[-1]
        return {
            **_not_json_problem(),
            "message": _("is not valid JSON (at character %(position)s)", position=position),
        }
    loc = err.get("loc", ())
    return {
        "where": ".".join(str(part) for part in loc),
        "field": str(loc[-1]) if loc else None,
        "message": str(err.get("msg", "is invalid")).removeprefix("Value error, "),
    }


def _document_real_errors(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = without_default_validation_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    backend: InProcessBackend | QueueBackend = app.state.jobs
    try:
        backend.resume_interrupted()
    except OperationalError:
        log.warning("jobs not resumed: the database is not migrated yet")
    activate_backend(backend)
    backend.start_ticker()  # sends mail retries when they fall due
    yield
    backend.shutdown()
    # uvicorn re-raises SIGTERM once it has shut down, so atexit handlers never run: the
    # render workers must be stopped here or they outlive the server.
    close_default_pool()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Tandem",
        version="0.1.0",
        description="Peer-mentoring cohorts: rosters, buddies, exercises, plans and workbooks.",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(verify_csrf)],
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = create_db_engine(settings.database_url)
    app.state.secret_key = settings.ensure_secret()
    app.state.jobs = make_backend(app.state.engine, settings)
    use_mail_settings(settings)
    app.state.write_turn = asyncio.Lock() if is_sqlite(app.state.engine) else None
    app.state.password_checks = Gate(PASSWORD_CHECKS_AT_ONCE, queue=PASSWORD_CHECKS_WAITING)

    _install_error_handlers(app)
    _document_real_errors(app)
    app.mount("/static", StaticFiles(directory=str(ROOT / "app" / "static")), name="static")
    for router in (
        health.router,
        docs.router,
        auth.router,
        cohorts.router,
        roster.router,
        library.router,
        matching.router,
        agenda.router,
        participant.router,
        facilitator_progress.router,
        facilitator_cards.router,
        facilitator_links.router,
        api_v1.router,
        api_matching.router,
        api_roster.router,
        workbooks.router,
        api_agenda.router,
        api_tablet.router,
        api_workbooks.router,
        api_plans.router,
        api_outreach.router,
        facilitator_plans.router,
        facilitator_data_rights.router,
        facilitator_intake.router,
        facilitator_mail.router,
        facilitator_accounts.router,
        facilitator_team.router,
    ):
        app.include_router(router)

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        SecurityHeadersMiddleware,
        secure_cookies=settings.base_url.startswith("https://"),
        hsts_seconds=settings.hsts_seconds,
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_middleware(ConcurrencyLimitMiddleware, max_inflight=settings.max_inflight_requests)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(LanguageMiddleware)
    return app
