"""Facilitator pages: export the cohort's workbooks as a background job, watch its progress."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.i18n import format_list, gettext
from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, PathId, SessionDep, SettingsDep
from app.services import ops
from app.services.workbooks import EDITIONS, PAPERS

router = APIRouter(include_in_schema=False)


@router.get("/cohorts/{slug}/workbooks")
def workbooks_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return render(
        request,
        "facilitator/workbooks.html",
        {
            "cohort": cohort,
            "jobs": ops.list_jobs(session, cohort=cohort),
            "editions": EDITIONS,
            "papers": PAPERS,
            "utc": UTC,
        },
    )


@router.post("/cohorts/{slug}/workbooks")
def start_export(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    edition: Annotated[str, Form(max_length=20)] = "blank",
    paper: Annotated[str, Form(max_length=10)] = "A4",
) -> Response:
    if edition not in EDITIONS or paper not in PAPERS:
        raise InvalidInput(
            gettext("The export cannot start."),
            [
                Problem(
                    gettext("edition"),
                    gettext(
                        "must be one of %(editions)s",
                        editions=format_list(EDITIONS, style="or"),
                    ),
                    "edition",
                ),
                Problem(
                    gettext("paper"),
                    gettext("must be %(papers)s", papers=format_list(PAPERS, style="or")),
                    "paper",
                ),
            ],
        )
    job = ops.create_job(
        session,
        cohort=cohort,
        kind="workbooks",
        actor=f"facilitator:{user.id}",
        params={"edition": edition, "paper": paper, "zip": True, "merged": True},
    )
    session.commit()
    assert job.id is not None
    request.app.state.jobs.submit(job.id)
    return RedirectResponse(f"/cohorts/{cohort.slug}/jobs/{job.id}", status_code=303)


@router.get("/cohorts/{slug}/jobs/{job_id}")
def job_page(request: Request, session: SessionDep, cohort: CohortDep, job_id: PathId) -> Response:
    job = ops.get_job(session, cohort=cohort, job_id=job_id)
    return render(request, "facilitator/job.html", {"cohort": cohort, "job": job})


@router.get("/cohorts/{slug}/jobs/{job_id}/progress")
def job_progress(
    request: Request, session: SessionDep, cohort: CohortDep, job_id: PathId
) -> Response:
    job = ops.get_job(session, cohort=cohort, job_id=job_id)
    return render(request, "facilitator/_job_progress.html", {"cohort": cohort, "job": job})


@router.get("/cohorts/{slug}/jobs/{job_id}/files/{name}")
def job_file(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, job_id: PathId, name: str
) -> Response:
    job = ops.get_job(session, cohort=cohort, job_id=job_id)
    path = ops.job_file(settings, job, name)
    media = "application/zip" if name.endswith(".zip") else "application/pdf"
    return FileResponse(path, media_type=media, filename=name)
