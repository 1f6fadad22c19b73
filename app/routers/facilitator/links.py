"""Personal links: who has one and in what state, invitations, the link sheet (CSV / PDF),
and stopping a participant's links."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, FormId, PathId, SessionDep, SettingsDep
from app.services import links, roster

router = APIRouter(include_in_schema=False)


@router.get("/cohorts/{slug}/links")
def links_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    people = roster.list_participants(session, cohort=cohort)
    return render(
        request,
        "facilitator/links.html",
        {
            "cohort": cohort,
            "statuses": links.link_statuses(session, participants=people),
            "stopped": request.query_params.get("stopped") == "1",
            "invited": _count(request, "invited"),
            "skipped": _count(request, "skipped") or 0,
            "nobody_ticked": request.query_params.get("invite") == "nobody",
            "zone": ZoneInfo(cohort.timezone),
            "link_days": links.DEFAULT_TTL.days,
        },
    )


def _count(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else None


@router.post("/cohorts/{slug}/links/invite")
def invite(
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    who: Annotated[str, Form(pattern="^(all|selected)$")] = "all",
    participant_id: Annotated[list[FormId] | None, Form()] = None,
) -> Response:
    """Invite everyone with an e-mail address, or the people ticked."""
    back = f"/cohorts/{cohort.slug}/links"
    people = None
    if who == "selected":
        if not participant_id:
            return RedirectResponse(f"{back}?invite=nobody#invitations", status_code=303)
        people = [
            roster.get_participant(session, cohort=cohort, participant_id=pid)
            for pid in dict.fromkeys(participant_id)
        ]
    report = links.send_invitations(
        session,
        cohort=cohort,
        base_url=settings.base_url,
        actor=f"facilitator:{user.id}",
        participants=people,
    )
    skipped = len(report.without_address) + len(report.refused)
    return RedirectResponse(
        f"{back}?invited={report.queued}&skipped={skipped}#invitations", status_code=303
    )


def _download(body: bytes, media_type: str, name: str) -> Response:
    # A sheet holds live links: no cache may keep a copy.
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/cohorts/{slug}/links.csv")
def links_sheet_csv(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    rows = links.issue_sheet(
        session, cohort=cohort, base_url=settings.base_url, actor=f"facilitator:{user.id}"
    )
    return _download(
        links.links_csv(rows).encode("utf-8-sig"),
        "text/csv; charset=utf-8",
        f"{cohort.slug}-links.csv",
    )


@router.post("/cohorts/{slug}/links.pdf")
def links_sheet_pdf(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    rows = links.issue_sheet(
        session, cohort=cohort, base_url=settings.base_url, actor=f"facilitator:{user.id}"
    )
    return _download(
        links.render_links_pdf(cohort.name, rows), "application/pdf", f"{cohort.slug}-links.pdf"
    )


@router.post("/cohorts/{slug}/links/{participant_id}/revoke")
def stop_links(
    participant_id: PathId, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    assert person.id is not None
    links.revoke_links(session, person.id, by=f"facilitator:{user.id}")
    return RedirectResponse(f"/cohorts/{cohort.slug}/links?stopped=1", status_code=303)
