"""Facilitator pages: the roster, CSV upload -> preview (and column mapping) -> confirm."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.i18n import LANGUAGE_NAMES, format_number, gettext
from app.core.templating import render
from app.deps import (
    CohortDep,
    CurrentFacilitator,
    LeadCohortDep,
    PathId,
    SessionDep,
    SettingsDep,
)
from app.models import Cohort, Participant
from app.routers.facilitator.languages import check_language, language_choices
from app.services import cohorts, roster
from app.services.roster import (
    FIELDS,
    cancel_upload,
    describe_preview,
    expire_uploads,
    field_choices,
)

router = APIRouter(include_in_schema=False)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


@router.get("/cohorts/{slug}/roster")
def roster_page(
    request: Request, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    return render(
        request,
        "facilitator/roster.html",
        {
            "cohort": cohort,
            "participants": roster.list_participants(session, cohort=cohort),
            "problems": [],
            "language_names": LANGUAGE_NAMES,
            # Taking someone off the roster is the lead's: co-facilitators do not see it.
            "may_lead": cohorts.may_lead(session, cohort=cohort, viewer=user),
        },
    )


@router.post("/cohorts/{slug}/roster/upload")
async def upload_roster(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    file: UploadFile,
) -> Response:
    expire_uploads(session, max_age_hours=settings.roster_upload_hours)
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        problem = Problem(
            gettext("file"),
            gettext(
                "is larger than %(megabytes)s MB",
                megabytes=format_number(settings.max_upload_bytes // 1_000_000),
            ),
        )
        return render(
            request,
            "facilitator/roster.html",
            {
                "cohort": cohort,
                "participants": roster.list_participants(session, cohort=cohort),
                "problems": [problem],
                "language_names": LANGUAGE_NAMES,
            },
            status_code=413,
        )
    preview = roster.preview_import(
        session,
        cohort=cohort,
        data=data,
        filename=file.filename or "",
        max_bytes=settings.max_upload_bytes,
    )
    return RedirectResponse(
        f"/cohorts/{cohort.slug}/roster/imports/{preview.import_id}", status_code=303
    )


def _preview_page(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    import_id: PathId,
    refused: list[Problem] | None = None,
) -> Response:
    preview = roster.review_pending_import(session, cohort=cohort, import_id=import_id)
    pending = roster.get_pending_import(session, cohort=cohort, import_id=import_id)
    return render(
        request,
        "facilitator/roster_preview.html",
        {
            "cohort": cohort,
            "preview": preview,
            "pending": pending,
            "view": describe_preview(preview.parsed),
            "fields": field_choices(),
            "refused": refused or [],
        },
        status_code=200 if preview.valid and not refused else 422,
    )


@router.get("/cohorts/{slug}/roster/imports/{import_id}")
def import_preview_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    import_id: PathId,
) -> Response:
    expire_uploads(session, max_age_hours=settings.roster_upload_hours)
    return _preview_page(request, session, cohort, import_id)


@router.post("/cohorts/{slug}/roster/imports/{import_id}/mapping")
async def set_mapping(
    request: Request, session: SessionDep, cohort: CohortDep, import_id: PathId
) -> Response:
    form = await request.form()
    mapping = {
        str(key)[len("map:") :]: str(value)
        for key, value in form.multi_items()
        if str(key).startswith("map:") and isinstance(value, str)
    }
    unknown = sorted({v for v in mapping.values() if v and v not in FIELDS})
    if unknown:
        raise InvalidInput(
            gettext("The mapping names a field the roster does not have."),
            [
                Problem(
                    gettext("mapping"),
                    gettext("“%(field)s” is not a roster field", field=u[:40]),
                )
                for u in unknown
            ],
        )
    roster.remap_pending_import(session, cohort=cohort, import_id=import_id, mapping=mapping)
    return RedirectResponse(f"/cohorts/{cohort.slug}/roster/imports/{import_id}", status_code=303)


@router.post("/cohorts/{slug}/roster/imports/{import_id}/reading")
def set_reading(
    session: SessionDep,
    cohort: CohortDep,
    import_id: PathId,
    date_format: Annotated[str | None, Form(max_length=20)] = None,
    encoding: Annotated[str | None, Form(max_length=20)] = None,
) -> Response:
    roster.choose_pending_reading(
        session, cohort=cohort, import_id=import_id, date_format=date_format, encoding=encoding
    )
    return RedirectResponse(f"/cohorts/{cohort.slug}/roster/imports/{import_id}", status_code=303)


@router.post("/cohorts/{slug}/roster/imports/{import_id}/confirm")
def confirm_import(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    settings: SettingsDep,
    user: CurrentFacilitator,
    import_id: PathId,
    accept_warnings: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    expire_uploads(session, max_age_hours=settings.roster_upload_hours)
    # Taking people off the roster deletes what they wrote: only the lead (or an admin) may.
    if roster.review_pending_import(session, cohort=cohort, import_id=import_id).removed:
        cohorts.check_lead(session, cohort=cohort, viewer=user)
    try:
        roster.apply_pending_import(
            session,
            cohort=cohort,
            import_id=import_id,
            actor=user,
            accept_warnings=accept_warnings == "yes",
        )
    except InvalidInput as exc:
        # The page lists the problems and warnings themselves; say why nothing was applied.
        session.rollback()
        refused = [Problem("", exc.message)]
        return _preview_page(request, session, cohort, import_id, refused)
    return RedirectResponse(f"/cohorts/{cohort.slug}/roster", status_code=303)


@router.post("/cohorts/{slug}/roster/imports/{import_id}/cancel")
def cancel_import(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, import_id: PathId
) -> Response:
    cancel_upload(session, cohort=cohort, import_id=import_id, actor=f"facilitator:{user.id}")
    return RedirectResponse(f"/cohorts/{cohort.slug}/roster", status_code=303)


@router.get("/cohorts/{slug}/roster.csv")
def export_csv(session: SessionDep, cohort: CohortDep) -> Response:
    body = roster.export_roster(session, cohort=cohort)
    return Response(
        body.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{cohort.slug}-roster.csv"'},
    )


@router.get("/cohorts/{slug}/participants/{participant_id}/edit")
def edit_participant_page(
    request: Request, session: SessionDep, cohort: CohortDep, participant_id: PathId
) -> Response:
    p = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    form = {
        "name": p.name,
        "title": p.title,
        "level": p.level,
        "function": p.function,
        "region": p.region,
        "tenure_years": "" if p.tenure_years is None else f"{p.tenure_years:g}",
        "manager_email": p.manager_email,
        "languages": ", ".join(p.languages),
        "tags": ", ".join(p.tags),
        "avoid": ", ".join(p.avoid),
        "conflict_group": p.conflict_group,
        "language": p.language,
    }
    return _participant_page(request, cohort, p, form, [])


def _participant_page(
    request: Request,
    cohort: Cohort,
    participant: Participant,
    form: dict[str, str],
    problems: list[Problem],
) -> Response:
    default = LANGUAGE_NAMES.get(cohort.language, cohort.language)
    return render(
        request,
        "facilitator/participant_form.html",
        {
            "cohort": cohort,
            "p": participant,
            "form": form,
            "problems": problems,
            # Translators: the first choice of a participant's language: the cohort's default.
            "languages": language_choices(
                gettext("The cohort's language (%(language)s)", language=default)
            ),
        },
        status_code=422 if problems else 200,
    )


@router.post("/cohorts/{slug}/participants/{participant_id}/edit")
def edit_participant(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    participant_id: PathId,
    name: Annotated[str, Form(max_length=200)],
    title: Annotated[str, Form(max_length=300)] = "",
    level: Annotated[str, Form(max_length=300)] = "",
    function: Annotated[str, Form(max_length=300)] = "",
    region: Annotated[str, Form(max_length=300)] = "",
    tenure_years: Annotated[str, Form(max_length=10)] = "",
    manager_email: Annotated[str, Form(max_length=300)] = "",
    languages: Annotated[str, Form(max_length=2000)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    avoid: Annotated[str, Form(max_length=2000)] = "",
    conflict_group: Annotated[str, Form(max_length=300)] = "",
    language: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    participant = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    code, language_problem = check_language(
        language, field="language", where=gettext("language"), allow_empty=True
    )
    try:
        tenure = float(tenure_years.replace(",", ".")) if tenure_years.strip() else None
    except ValueError:
        tenure = -1.0  # reported by the service as out of range, with the field named
    try:
        # Checked with everything else, and refused (rolled back) like any other fault.
        roster.update_participant(
            session,
            cohort=cohort,
            participant=participant,
            actor=user,
            values={
                "name": name,
                "title": title,
                "level": level,
                "function": function,
                "region": region,
                "tenure_years": tenure,
                "manager_email": manager_email,
                "languages": _split(languages),
                "tags": _split(tags),
                "avoid": _split(avoid),
                "conflict_group": conflict_group,
                "language": code,
            },
        )
        if language_problem is not None:
            raise InvalidInput(gettext("The participant cannot be saved."), [language_problem])
        participant.language = code
        session.add(participant)
    except InvalidInput as exc:
        session.rollback()
        form = {
            "name": name,
            "title": title,
            "level": level,
            "function": function,
            "region": region,
            "tenure_years": tenure_years,
            "manager_email": manager_email,
            "languages": languages,
            "tags": tags,
            "avoid": avoid,
            "conflict_group": conflict_group,
            "language": code,
        }
        problems = list(exc.problems)
        if language_problem is not None and all(p.field != "language" for p in problems):
            problems.append(language_problem)
        return _participant_page(request, cohort, participant, form, problems)
    return RedirectResponse(f"/cohorts/{cohort.slug}/roster", status_code=303)


@router.post("/cohorts/{slug}/participants/{participant_id}/remove")
def remove_participant(
    session: SessionDep, cohort: LeadCohortDep, user: CurrentFacilitator, participant_id: PathId
) -> Response:
    participant = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    roster.remove_participant(session, cohort=cohort, participant=participant, actor=user)
    return RedirectResponse(f"/cohorts/{cohort.slug}/roster", status_code=303)
