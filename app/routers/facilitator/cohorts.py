"""Facilitator pages: the cohort list, creating and editing a cohort."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.i18n import LANGUAGE_NAMES, current_language, gettext
from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, SessionDep
from app.models import Cohort, Facilitator, utcnow
from app.routers.facilitator.languages import check_language, language_choices
from app.services import accounts, cohorts, overview

router = APIRouter(include_in_schema=False)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            gettext("The cohort cannot be saved."),
            [
                Problem(
                    gettext("start date"),
                    gettext("must be a date like %(example)s", example="2026-03-02"),
                    "start_date",
                )
            ],
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


class CohortForm(BaseModel):
    """The cohort form as posted; the date stays text so that a typo is shown back as typed."""

    name: str = Field(max_length=200)
    start_date: str = Field(max_length=20)
    days: int = Field(4, ge=1, le=14)
    timezone: str = Field("UTC", max_length=64)
    location: str = Field("", max_length=200)
    language: str = Field("en", max_length=20)
    """The cohort's default language (``Cohort.language``); checked by :meth:`problems`."""

    @classmethod
    def of(cls, cohort: Cohort) -> CohortForm:
        return cls(
            name=cohort.name,
            start_date=cohort.start_date.isoformat(),
            days=cohort.days,
            timezone=cohort.timezone,
            location=cohort.location,
            language=cohort.language,
        )

    def fields(self) -> dict[str, Any]:
        """The keyword arguments of create_cohort and update_cohort (the language is set
        apart: see :func:`_save`)."""
        values = self.model_dump(exclude={"language"})
        return {**values, "start_date": _parse_date(self.start_date)}

    def language_problem(self) -> Problem | None:
        _, problem = check_language(
            self.language, field="language", where=gettext("language"), allow_empty=False
        )
        return problem


def _form_page(
    request: Request, form: CohortForm, cohort: Cohort | None, problems: list[Problem]
) -> Response:
    values = {k: str(v) for k, v in form.model_dump().items()}
    return render(
        request,
        "facilitator/cohort_form.html",
        {
            "form": values,
            "cohort": cohort,
            "problems": problems,
            "languages": language_choices(),
        },
        status_code=422 if problems else 200,
    )


def _save(
    request: Request, form: CohortForm, cohort: Cohort | None, save: Callable[[], Cohort]
) -> Response:
    """Run ``save``; a refusal shows the form again with what was typed and why.

    An unknown language is refused before anything is saved, with any other fault found.
    """
    language_problem = form.language_problem()
    try:
        if language_problem is not None:
            try:
                form.fields()
            except InvalidInput as exc:
                raise InvalidInput(exc.message, [*exc.problems, language_problem]) from None
            raise InvalidInput(gettext("The cohort cannot be saved."), [language_problem])
        saved = save()
    except InvalidInput as exc:
        return _form_page(request, form, cohort, exc.problems)
    saved.language = form.language.strip()
    return RedirectResponse(f"/cohorts/{saved.slug}", status_code=303)


@router.get("/cohorts/new")
def new_cohort_page(request: Request, user: CurrentFacilitator) -> Response:
    # A new cohort's participants read, unless told otherwise, what its facilitator reads.
    blank = CohortForm(
        name="", start_date="", timezone="Europe/London", language=current_language()
    )
    return _form_page(request, blank, None, [])


@router.post("/cohorts/new")
def create_cohort(
    request: Request,
    session: SessionDep,
    user: CurrentFacilitator,
    form: Annotated[CohortForm, Form()],
) -> Response:
    return _save(
        request,
        form,
        None,
        lambda: cohorts.create_cohort(session, **form.fields(), actor=user),
    )


@router.get("/cohorts/{slug}")
def cohort_page(
    request: Request, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    return render_cohort_page(request, session, cohort, user)


def render_cohort_page(
    request: Request,
    session: Session,
    cohort: Cohort,
    user: Facilitator,
    *,
    team_problem: str | None = None,
    status_code: int = 200,
) -> Response:
    """The cohort's dashboard and its team (with the team's forms for whoever may lead)."""
    team = cohorts.list_team(session, cohort=cohort)
    leads = cohorts.may_lead(session, cohort=cohort, viewer=user)
    on_team = {m.facilitator.id for m in team}
    candidates = (
        [f for f in accounts.list_facilitators(session) if f.active and f.id not in on_team]
        if leads
        else []
    )
    return render(
        request,
        "facilitator/cohort.html",
        {
            "cohort": cohort,
            "participant_count": cohorts.count_participants(session, cohort=cohort),
            "end_date": cohorts.cohort_end_date(cohort),
            "dash": overview.cohort_dashboard(session, cohort=cohort, now=utcnow()),
            "language_names": LANGUAGE_NAMES,
            "team": team,
            "may_lead": leads,
            "candidates": candidates,
            "team_problem": team_problem,
        },
        status_code=status_code,
    )


@router.get("/cohorts/{slug}/edit")
def edit_cohort_page(request: Request, cohort: CohortDep) -> Response:
    return _form_page(request, CohortForm.of(cohort), cohort, [])


@router.post("/cohorts/{slug}/edit")
def edit_cohort(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    form: Annotated[CohortForm, Form()],
) -> Response:
    def save() -> Cohort:
        try:
            cohorts.update_cohort(session, cohort, **form.fields(), actor=user)
        except InvalidInput:
            # The refused values may already sit on the loaded cohort: show the stored ones.
            session.rollback()
            raise
        return cohort

    return _save(request, form, cohort, save)
