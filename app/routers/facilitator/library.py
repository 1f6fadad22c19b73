"""Facilitator page: browse the exercise library as participants will see it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.errors import InvalidInput
from app.core.templating import render
from app.deps import CurrentFacilitator, SettingsDep
from app.services.library import KINDS, PHASES, current_library, filter_library, parse_filter

router = APIRouter(include_in_schema=False)


@router.get("/library")
def library_page(
    request: Request,
    settings: SettingsDep,
    user: CurrentFacilitator,
    day: str = "",
    phase: str = "",
    kind: str = "",
    max_minutes: str = "",
    q: str = "",
) -> Response:
    flt = parse_filter(day=day, phase=phase, kind=kind, max_minutes=max_minutes, text=q)
    try:
        library = current_library(settings.all_library_dirs)
    except InvalidInput as exc:
        return render(
            request,
            "facilitator/library.html",
            {
                "exercises": [],
                "problems": exc.problems,
                "flt": flt,
                "phases": PHASES,
                "kinds": KINDS,
                "total": 0,
            },
        )
    exercises = filter_library(library, flt)
    return render(
        request,
        "facilitator/library.html",
        {
            "exercises": exercises,
            "problems": [],
            "flt": flt,
            "phases": PHASES,
            "kinds": KINDS,
            "total": len(library.exercises),
        },
    )
