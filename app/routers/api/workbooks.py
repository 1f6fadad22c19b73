"""JSON API for workbook exports: start a background job, follow it, download its files."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from app.deps import CohortDep, CurrentFacilitator, PathId, SessionDep, SettingsDep
from app.models import Job
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors, file_answer
from app.schemas.workbooks import ExportRequest, JobPublic
from app.services import ops

router = api_router("workbooks")
FILE = file_answer("A merged PDF or a ZIP of PDFs", "application/pdf", "application/zip")


def _job(job: Job) -> JobPublic:
    return JobPublic.model_validate(
        {
            **job.model_dump(
                include={
                    "id",
                    "kind",
                    "state",
                    "done",
                    "total",
                    "message",
                    "files",
                    "created_at",
                    "started_at",
                    "finished_at",
                }
            ),
            "edition": str(job.params.get("edition", "")),
            "paper": str(job.params.get("paper", "")),
        }
    )


@router.get("/cohorts/{slug}/jobs", response_model=list[JobPublic], responses=COHORT_ERRORS)
def list_jobs(session: SessionDep, cohort: CohortDep) -> list[JobPublic]:
    """The cohort's most recent jobs, newest first."""
    return [_job(job) for job in ops.list_jobs(session, cohort=cohort)]


@router.post(
    "/cohorts/{slug}/workbooks",
    response_model=JobPublic,
    status_code=202,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(422)},
)
def start_export(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    body: ExportRequest,
) -> JobPublic:
    """Export every workbook of the cohort (a ZIP and one merged PDF) in the background;
    follow the job until it is done, then download its files."""
    job = ops.create_job(
        session,
        cohort=cohort,
        kind="workbooks",
        actor=f"facilitator:{user.id}",
        params={"edition": body.edition, "paper": body.paper, "zip": True, "merged": True},
    )
    session.commit()
    assert job.id is not None
    request.app.state.jobs.submit(job.id)
    return _job(job)


@router.get(
    "/cohorts/{slug}/jobs/{job_id}",
    response_model=JobPublic,
    responses={**COHORT_ERRORS, **errors(422)},
)
def get_job(session: SessionDep, cohort: CohortDep, job_id: PathId) -> JobPublic:
    """A job's state and progress (``done`` of ``total``) and, once done, its files."""
    return _job(ops.get_job(session, cohort=cohort, job_id=job_id))


@router.get(
    "/cohorts/{slug}/jobs/{job_id}/files/{name}",
    response_class=Response,
    responses={**COHORT_ERRORS, **errors(422), **FILE},
)
def job_file(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, job_id: PathId, name: str
) -> Response:
    """Download one file a finished job wrote."""
    job = ops.get_job(session, cohort=cohort, job_id=job_id)
    path = ops.job_file(settings, job, name)
    media = "application/zip" if name.endswith(".zip") else "application/pdf"
    return FileResponse(path, media_type=media, filename=name)
