"""Jinja2 for the pages: autoescaped, strict about undefined names, CSRF token at hand."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined
from starlette.responses import HTMLResponse

from app.core.config import ROOT
from app.core.i18n import install_i18n
from app.core.security import CSRF_FIELD, request_csrf_token

templates = Jinja2Templates(directory=str(ROOT / "app" / "templates"))
templates.env.undefined = StrictUndefined
templates.env.autoescape = True
install_i18n(templates.env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page template with the request, its CSRF token and the signed-in user."""
    ctx: dict[str, Any] = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": request_csrf_token(request),
        "user": getattr(request.state, "user", None),
        "participant": getattr(request.state, "participant", None),
        "flash": None,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
