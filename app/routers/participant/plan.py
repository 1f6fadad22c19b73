"""The development plan on the tablet: editor, autosave, versions, sharing, buddy comments,
and the participant's download of everything stored about them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from app.core.i18n import N_, _
from app.core.templating import render
from app.deps import CurrentParticipant, PathId, SessionDep
from app.models.plans import PLAN_PARTS
from app.services import plans, privacy

router = APIRouter(include_in_schema=False)

PART_LABELS = {
    "aspiration": N_("My aspiration"),
    "goals": N_("My goals"),
    "strengths": N_("Strengths I will build on"),
    "obstacles": N_("What could get in the way"),
}
"""The parts of a plan as the tablet names them (source text, translated per request)."""


def part_labels() -> dict[str, str]:
    return {part: _(label) for part, label in PART_LABELS.items()}


class PlanSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: dict[str, Any]
    base_version: int = Field(ge=0)
    idempotency_key: str = Field(min_length=8, max_length=100)


@router.get("/p/plan")
def plan_page(request: Request, session: SessionDep, me: CurrentParticipant) -> Response:
    plan = privacy.read_plan(session, viewer=me, owner=me)
    buddies = privacy.buddies_of(session, participant=me)
    labels = part_labels()
    return render(
        request,
        "participant/plan.html",
        {
            "me": me,
            "plan": plan,
            "audiences": privacy.plan_audiences(plan, buddy_count=max(len(buddies), 1)),
            "comments": privacy.read_plan_comments(session, viewer=me, owner=me),
            "buddies": buddies,
            "drafts": plans.exercise_drafts(session, participant=me),
            "part_labels": labels,
            "shared_labels": [labels[p] for p in PLAN_PARTS if p in plan.shared_parts],
            "parts": PLAN_PARTS,
            "max_goals": plans.MAX_GOALS,
        },
    )


@router.put("/p/api/plan")
def save_plan(body: PlanSave, session: SessionDep, me: CurrentParticipant) -> Response:
    try:
        result = plans.save_plan(
            session,
            participant=me,
            content=body.content,
            base_version=body.base_version,
            idempotency_key=body.idempotency_key,
        )
    except plans.StalePlan as stale:
        return JSONResponse(
            {"detail": stale.message, "server": stale.server.to_dict()}, status_code=409
        )
    return JSONResponse(result.to_dict())


@router.post("/p/plan/share")
def share_parts(
    session: SessionDep, me: CurrentParticipant, parts: Annotated[list[str] | None, Form()] = None
) -> Response:
    plans.set_shared_parts(session, participant=me, parts=parts or [])
    return RedirectResponse("/p/plan", status_code=303)


@router.post("/p/plan/import")
def import_drafts(session: SessionDep, me: CurrentParticipant) -> Response:
    plans.import_exercise_drafts(session, participant=me)
    return RedirectResponse("/p/plan", status_code=303)


@router.get("/p/plan/versions")
def plan_versions(request: Request, session: SessionDep, me: CurrentParticipant) -> Response:
    return render(
        request,
        "participant/plan_versions.html",
        {
            "versions": privacy.read_plan_versions(session, viewer=me, owner=me),
        },
    )


@router.post("/p/plan/comments/{comment_id}/resolve")
def resolve_comment(
    comment_id: PathId,
    session: SessionDep,
    me: CurrentParticipant,
    resolved: Annotated[bool, Form()] = True,
) -> Response:
    plans.resolve_plan_comment(session, owner=me, comment_id=comment_id, resolved=resolved)
    return RedirectResponse("/p/plan#comments", status_code=303)


@router.get("/p/people/{participant_id}/plan")
def buddy_plan(
    request: Request, participant_id: PathId, session: SessionDep, me: CurrentParticipant
) -> Response:
    owner = privacy.participant_for(session, viewer=me, participant_id=participant_id)
    return render(
        request,
        "participant/plan_buddy.html",
        {
            "owner": owner,
            "plan": privacy.read_plan(session, viewer=me, owner=owner),
            "comments": privacy.read_plan_comments(session, viewer=me, owner=owner),
            "part_labels": part_labels(),
        },
    )


@router.post("/p/people/{participant_id}/plan/comments")
def add_comment(
    participant_id: PathId,
    session: SessionDep,
    me: CurrentParticipant,
    part: Annotated[str, Form(max_length=20)],
    text: Annotated[str, Form(max_length=4000)],
) -> Response:
    owner = privacy.participant_for(session, viewer=me, participant_id=participant_id)
    plans.add_plan_comment(session, author=me, owner=owner, part=part, text=text)
    return RedirectResponse(f"/p/people/{participant_id}/plan#comments", status_code=303)


@router.get("/p/my-data.json")
def my_data(session: SessionDep, me: CurrentParticipant) -> Response:
    """Everything stored about me, to keep or to take elsewhere."""
    return JSONResponse(
        privacy.export_my_data(session, participant=me),
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )
