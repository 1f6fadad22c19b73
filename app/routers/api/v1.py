"""JSON API, version 1: the same service functions as the pages and the CLI."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Query, Request, UploadFile

from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext as _
from app.core.i18n import pgettext
from app.core.security import request_csrf_token
from app.deps import CohortDep, CurrentFacilitator, SessionDep, SettingsDep
from app.routers.api import accounts as api_accounts
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors
from app.schemas.cohorts import (
    CohortCreate,
    CohortPublic,
    CohortUpdate,
    ImportResult,
    ParticipantPublic,
    ProblemPublic,
    RowChangePublic,
)
from app.schemas.session import SessionPublic
from app.services import cohorts, roster
from app.services.roster import RowChange

router = api_router("cohorts")


@router.get("/session", response_model=SessionPublic)
def get_session(request: Request, user: CurrentFacilitator) -> SessionPublic:
    """Who is signed in (the session cookie from ``POST /login``) and the CSRF token that
    state-changing requests send in ``X-CSRF-Token``."""
    assert user.id is not None
    return SessionPublic(
        id=user.id,
        name=user.name,
        email=user.email,
        is_admin=user.is_admin,
        csrf_token=request_csrf_token(request),
    )


@router.get("/cohorts", response_model=list[CohortPublic])
def list_cohorts(session: SessionDep, user: CurrentFacilitator) -> list[CohortPublic]:
    """The cohorts you facilitate (all of them for an admin)."""
    return [CohortPublic.model_validate(c) for c in cohorts.list_cohorts(session, viewer=user)]


@router.post(
    "/cohorts",
    response_model=CohortPublic,
    status_code=201,
    responses={**WRITE_ERRORS, **errors(422)},
)
def create_cohort(
    body: CohortCreate, session: SessionDep, user: CurrentFacilitator
) -> CohortPublic:
    """Create a cohort; you become its facilitator."""
    cohort = cohorts.create_cohort(session, actor=user, **body.model_dump())
    return CohortPublic.model_validate(cohort)


@router.get("/cohorts/{slug}", response_model=CohortPublic, responses=COHORT_ERRORS)
def get_cohort(cohort: CohortDep) -> CohortPublic:
    """One cohort, by slug or id."""
    return CohortPublic.model_validate(cohort)


@router.patch(
    "/cohorts/{slug}",
    response_model=CohortPublic,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(422)},
)
def update_cohort(
    body: CohortUpdate, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> CohortPublic:
    """Change a cohort's name, dates, time zone, location or language (the slug stays)."""
    given = body.model_dump(exclude_none=True)
    language = given.pop("language", None)
    fields = ("name", "start_date", "days", "timezone", "location")
    values = {key: given.get(key, getattr(cohort, key)) for key in fields}
    cohorts.update_cohort(session, cohort, **values, actor=user)
    if language is not None:
        cohort.language = language
        session.add(cohort)
    return CohortPublic.model_validate(cohort)


@router.get(
    "/cohorts/{slug}/participants",
    response_model=list[ParticipantPublic],
    responses=COHORT_ERRORS,
)
def list_participants(session: SessionDep, cohort: CohortDep) -> list[ParticipantPublic]:
    """The cohort's roster."""
    return [
        ParticipantPublic.model_validate(p)
        for p in roster.list_participants(session, cohort=cohort)
    ]


def _changes(rows: list[RowChange]) -> list[RowChangePublic]:
    return [
        RowChangePublic(
            email=r.email,
            name=r.name,
            changes={k: [_plain(old), _plain(new)] for k, (old, new) in r.changes.items()},
        )
        for r in rows
    ]


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


@router.post(
    "/cohorts/{slug}/roster/import",
    response_model=ImportResult,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(400, 422)},
)
async def import_roster(
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    file: UploadFile,
    dry_run: Annotated[bool, Query(description="Validate and show the changes only")] = False,
    mapping: Annotated[
        str, Query(max_length=4000, description='JSON object {"File header": "field"}')
    ] = "",
    date_format: Annotated[
        str | None, Query(max_length=20, description="dd/mm/yyyy or mm/dd/yyyy (dmy, mdy)")
    ] = None,
    encoding: Annotated[
        str | None, Query(max_length=20, description="The file's encoding if not UTF-8")
    ] = None,
    accept_warnings: Annotated[
        bool, Query(description="Apply although the file has warnings (after reading them)")
    ] = False,
) -> ImportResult:
    """Import a roster CSV: all or nothing; with ``dry_run`` nothing is written."""
    explicit: dict[str, str] | None = None
    if mapping:
        try:
            loaded = json.loads(mapping)
        except json.JSONDecodeError:
            loaded = None
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise InvalidInput(
                _("mapping is not valid"),
                [
                    Problem(
                        pgettext("form field", "mapping"),
                        _('must be a JSON object {"Header": "field"}'),
                        "mapping",
                    )
                ],
            )
        explicit = loaded
    data = await file.read(settings.max_upload_bytes + 1)
    preview = roster.import_roster(
        session,
        cohort=cohort,
        data=data,
        mapping=explicit,
        dry_run=dry_run,
        actor=user,
        max_bytes=settings.max_upload_bytes,
        date_format=date_format,
        encoding=encoding,
        accept_warnings=accept_warnings,
    )
    if preview.removed and not dry_run:
        # Taking people off the roster deletes what they wrote: only the lead (or an admin)
        # may; refused, the whole import is rolled back.
        cohorts.check_lead(session, cohort=cohort, viewer=user)
    return ImportResult(
        dry_run=dry_run,
        applied=not dry_run and preview.has_changes,
        added=_changes(preview.added),
        updated=_changes(preview.updated),
        removed=_changes(preview.removed),
        unchanged=preview.unchanged,
        ignored_columns=list(preview.parsed.ignored_columns),
        encoding=preview.parsed.encoding,
        delimiter=preview.parsed.delimiter,
        date_format=preview.parsed.date_format,
        warnings=[
            ProblemPublic(where=w.where, field=w.field, message=w.message) for w in preview.warnings
        ],
    )


router.include_router(api_accounts.router)
