"""JSON for the tablet script: autosave, and reading answers through the cone of silence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from app.deps import CurrentParticipant, PathId, SessionDep
from app.services import privacy, tablet

router = APIRouter(prefix="/p/api", include_in_schema=False)


class AnswerSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any = None
    base_version: int = Field(ge=0)
    idempotency_key: str = Field(min_length=8, max_length=100)


@router.put("/answers/{exercise_id}/{prompt_id}")
def save_answer(
    exercise_id: Annotated[str, Path(max_length=80)],
    prompt_id: Annotated[str, Path(max_length=80)],
    body: AnswerSave,
    session: SessionDep,
    participant: CurrentParticipant,
) -> Response:
    exercise = tablet.exercise_for(session, participant=participant, exercise_id=exercise_id)
    try:
        result = tablet.save_answer(
            session,
            participant=participant,
            exercise=exercise,
            prompt_id=prompt_id,
            value=body.value,
            base_version=body.base_version,
            idempotency_key=body.idempotency_key,
        )
    except tablet.StaleAnswer as stale:
        return JSONResponse(
            {"detail": stale.message, "server": stale.server.to_dict()}, status_code=409
        )
    return JSONResponse(result.to_dict())


@router.get("/people/{participant_id}/answers/{exercise_id}")
def read_answers(
    participant_id: PathId,
    exercise_id: Annotated[str, Path(max_length=80)],
    session: SessionDep,
    participant: CurrentParticipant,
) -> Response:
    owner = privacy.participant_for(session, viewer=participant, participant_id=participant_id)
    exercise = tablet.exercise_for(session, participant=participant, exercise_id=exercise_id)
    answers = privacy.read_answers(session, viewer=participant, owner=owner, exercise=exercise)
    return JSONResponse(
        {
            "participant_id": participant_id,
            "exercise_id": exercise_id,
            "answers": {k: {"value": a.value, "version": a.version} for k, a in answers.items()},
        }
    )
