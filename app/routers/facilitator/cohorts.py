"""Facilitator pages: the cohort list, creating and editing a cohort."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, SessionDep
from app.models import utcnow
from app.services import cohorts, overview

router = APIRouter(include_in_schema=False)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            "the cohort cannot be saved",
            [Problem("start date", "must be a date like 2026-03-02", "start_date")],
        ) from None


@router.get("/")
def home() -> Response:
    return RedirectResponse("/cohorts", status_code=303)


@router.get("/cohorts")
def cohort_list(request: Request, session: SessionDep, user: CurrentFacilitator) -> Response:
    rows = [
        (c, cohorts.count_participants(session, cohort=c))
        for c in cohorts.list_cohorts(session, viewer=user)
    ]
    return render(request, "facilitator/cohorts.html", {"rows": rows})


@router.get("/cohorts/new")
def new_cohort_page(request: Request, user: CurrentFacilitator) -> Response:
    form = {"name": "", "start_date": "", "days": "4", "timezone": "Europe/London", "location": ""}
    return render(
        request, "facilitator/cohort_form.html", {"form": form, "cohort": None, "problems": []}
    )


@router.post("/cohorts/new")
def create_cohort(
    request: Request,
    session: SessionDep,
    user: CurrentFacilitator,
    name: Annotated[str, Form(max_length=200)],
    start_date: Annotated[str, Form(max_length=20)],
    days: Annotated[int, Form(ge=1, le=14)] = 4,
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
    location: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {
        "name": name,
        "start_date": start_date,
        "days": str(days),
        "timezone": timezone,
        "location": location,
    }
    try:
        cohort = cohorts.create_cohort(
            session,
            name=name,
            start_date=_parse_date(start_date),
            days=days,
            timezone=timezone,
            location=location,
            actor=user,
        )
    except InvalidInput as exc:
        return render(
            request,
            "facilitator/cohort_form.html",
            {"form": form, "cohort": None, "problems": exc.problems},
            status_code=422,
        )
    return RedirectResponse(f"/cohorts/{cohort.slug}", status_code=303)


@router.get("/cohorts/{slug}")
def cohort_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return render(
        request,
        "facilitator/cohort.html",
        {
            "cohort": cohort,
            "participant_count": cohorts.count_participants(session, cohort=cohort),
            "end_date": cohorts.cohort_end_date(cohort),
            "dash": overview.cohort_dashboard(session, cohort=cohort, now=utcnow()),
        },
    )


@router.get("/cohorts/{slug}/edit")
def edit_cohort_page(request: Request, cohort: CohortDep) -> Response:
    form = {
        "name": cohort.name,
        "start_date": cohort.start_date.isoformat(),
        "days": str(cohort.days),
        "timezone": cohort.timezone,
        "location": cohort.location,
    }
    return render(
        request, "facilitator/cohort_form.html", {"form": form, "cohort": cohort, "problems": []}
    )


@router.post("/cohorts/{slug}/edit")
def edit_cohort(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    name: Annotated[str, Form(max_length=200)],
    start_date: Annotated[str, Form(max_length=20)],
    days: Annotated[int, Form(ge=1, le=14)] = 4,
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
    location: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {
        "name": name,
        "start_date": start_date,
        "days": str(days),
        "timezone": timezone,
        "location": location,
    }
    try:
        cohorts.update_cohort(
            session,
            cohort,
            name=name,
            start_date=_parse_date(start_date),
            days=days,
            timezone=timezone,
            location=location,
            actor=user,
        )
    except InvalidInput as exc:
        session.rollback()
        return render(
            request,
            "facilitator/cohort_form.html",
            {"form": form, "cohort": cohort, "problems": exc.problems},
            status_code=422,
        )
    return RedirectResponse(f"/cohorts/{cohort.slug}", status_code=303)
