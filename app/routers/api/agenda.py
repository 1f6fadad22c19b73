"""JSON API for agendas: the same service functions as the pages and the CLI."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from fastapi import Query
from sqlmodel import Session
from starlette.responses import Response

from app.core.errors import Problem
from app.core.i18n import gettext
from app.deps import CohortDep, CurrentFacilitator, PathDay, PathId, SessionDep
from app.models import Cohort, Facilitator, utcnow
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors, file_answer
from app.schemas.agenda import (
    AgendaPublic,
    BlockCreate,
    BuildPublic,
    ConflictsPublic,
    ExerciseAdd,
    HoursUpdate,
    MoveRequest,
    PinRequest,
    RunActionRequest,
    RunPublic,
)
from app.schemas.errors import ErrorPublic
from app.services import agenda, roster
from app.services.cohorts import MAX_DAYS

router = api_router("agenda")
EDIT_ERRORS = {**COHORT_ERRORS, **WRITE_ERRORS, **errors(409, 422)}
ICS = file_answer("An iCalendar file", "text/calendar")
ExerciseId = Annotated[str, "an exercise id of the cohort's program"]


def _actor(user: Facilitator) -> str:
    return f"facilitator:{user.id}"


def _view(session: Session, cohort: Cohort) -> AgendaPublic:
    return AgendaPublic.model_validate(
        agenda.agenda_to_json(agenda.get_agenda(session, cohort=cohort))
    )


def _conflicts(problems: list[Problem]) -> ConflictsPublic:
    return ConflictsPublic.model_validate(
        {
            "conflicts": [
                {"where": p.where, "field": p.field, "message": p.message} for p in problems
            ]
        }
    )


def _where(day: int) -> str:
    # Translators: where a problem in the agenda is, e.g. "day 2: the end is before the start".
    return gettext("day %(day)s", day=day)


def _clock(text: str, day: int, field: str) -> time:
    return agenda.parse_clock(text, where=_where(day), field=field)


@router.get("/cohorts/{slug}/agenda", response_model=AgendaPublic, responses=COHORT_ERRORS)
def get_agenda(session: SessionDep, cohort: CohortDep) -> AgendaPublic:
    """The agenda per day (exercises and blocks), its conflicts and unscheduled exercises."""
    return _view(session, cohort)


@router.post(
    "/cohorts/{slug}/agenda/build",
    response_model=BuildPublic,
    responses={
        **COHORT_ERRORS,
        **WRITE_ERRORS,
        **errors(409),
        422: {
            "model": ErrorPublic,
            "description": "The agenda cannot be built, or a parameter is invalid: every reason",
        },
    },
)
def build_agenda(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    time_limit_s: Annotated[float, Query(gt=0, le=30, description="Solver time limit")] = 3.0,
) -> BuildPublic:
    """Build (or re-solve around the pins) the agenda; binds the program if it has none."""
    result = agenda.build_agenda(
        session, cohort=cohort, actor=_actor(user), time_limit_s=time_limit_s
    )
    return BuildPublic.model_validate(
        {
            **agenda.agenda_to_json(result.agenda),
            "status": result.status,
            "warnings": result.warnings,
            "solve_s": round(result.solve_s, 3),
        }
    )


@router.put(
    "/cohorts/{slug}/agenda/days/{day}/hours", response_model=AgendaPublic, responses=EDIT_ERRORS
)
def set_hours(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    day: PathDay,
    body: HoursUpdate,
) -> AgendaPublic:
    """Change when a day starts and ends (refused if an entry would fall outside)."""
    agenda.set_day_hours(
        session,
        cohort=cohort,
        day=day,
        actor=_actor(user),
        start=_clock(body.start, day, "start"),
        end=_clock(body.end, day, "end"),
    )
    return _view(session, cohort)


@router.post(
    "/cohorts/{slug}/agenda/days/{day}/blocks",
    response_model=AgendaPublic,
    status_code=201,
    responses=EDIT_ERRORS,
)
def add_block(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    day: PathDay,
    body: BlockCreate,
) -> AgendaPublic:
    """Add a break, lunch or fixed block (a keynote) to a day."""
    agenda.add_block(
        session,
        cohort=cohort,
        day=day,
        title=body.title,
        kind=body.kind,
        actor=_actor(user),
        start=_clock(body.start, day, "start"),
        end=_clock(body.end, day, "end"),
    )
    return _view(session, cohort)


@router.delete(
    "/cohorts/{slug}/agenda/days/{day}/blocks", response_model=AgendaPublic, responses=EDIT_ERRORS
)
def remove_block(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    day: PathDay,
    start: Annotated[str, Query(min_length=1, max_length=8, description="The block's start")],
) -> AgendaPublic:
    """Remove the block that starts at ``start`` on this day."""
    at = _clock(start, day, "start")
    agenda.remove_block(session, cohort=cohort, day=day, start=at, actor=_actor(user))
    return _view(session, cohort)


@router.post(
    "/cohorts/{slug}/agenda/items",
    response_model=ConflictsPublic,
    status_code=201,
    responses=EDIT_ERRORS,
)
def add_exercise(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, body: ExerciseAdd
) -> ConflictsPublic:
    """Put an exercise of the library on the agenda, at a slot or wherever it fits."""
    # Translators: where a problem is: the place asked for an exercise in the agenda.
    at = (
        agenda.parse_clock(body.start, where=gettext("slot"), field="start") if body.start else None
    )
    conflicts = agenda.add_exercise(
        session,
        cohort=cohort,
        exercise_id=body.exercise_id,
        day=body.day,
        start=at,
        force=body.force,
        actor=_actor(user),
    )
    return _conflicts(conflicts)


@router.post(
    "/cohorts/{slug}/agenda/items/{exercise_id}/move",
    response_model=ConflictsPublic,
    responses=EDIT_ERRORS,
)
def move_item(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    exercise_id: ExerciseId,
    body: MoveRequest,
) -> ConflictsPublic:
    """Move an exercise to another day or time; with ``force`` even where it conflicts."""
    conflicts = agenda.move_item(
        session,
        cohort=cohort,
        exercise_id=exercise_id,
        day=body.day,
        start=_clock(body.start, body.day, "start"),
        force=body.force,
        actor=_actor(user),
    )
    return _conflicts(conflicts)


@router.put(
    "/cohorts/{slug}/agenda/items/{exercise_id}/pin",
    response_model=AgendaPublic,
    responses=EDIT_ERRORS,
)
def pin_item(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    exercise_id: ExerciseId,
    body: PinRequest,
) -> AgendaPublic:
    """Pin an exercise where it is (a rebuild keeps it there), or unpin it."""
    agenda.set_pinned(
        session, cohort=cohort, exercise_id=exercise_id, pinned=body.pinned, actor=_actor(user)
    )
    return _view(session, cohort)


@router.delete(
    "/cohorts/{slug}/agenda/items/{exercise_id}", response_model=AgendaPublic, responses=EDIT_ERRORS
)
def remove_item(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, exercise_id: ExerciseId
) -> AgendaPublic:
    """Take an exercise off the agenda (it stays in the program, unscheduled)."""
    agenda.remove_exercise(session, cohort=cohort, exercise_id=exercise_id, actor=_actor(user))
    return _view(session, cohort)


def _ics(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.ics"'},
    )


@router.get(
    "/cohorts/{slug}/agenda.ics",
    response_class=Response,
    responses={**COHORT_ERRORS, **ICS},
)
def agenda_ics(session: SessionDep, cohort: CohortDep) -> Response:
    """The agenda as an iCalendar file in the cohort's timezone."""
    return _ics(agenda.build_cohort_ics(session, cohort=cohort), cohort.slug)


@router.get(
    "/cohorts/{slug}/agenda/participants/{participant_id}.ics",
    response_class=Response,
    responses={**COHORT_ERRORS, **errors(422), **ICS},
)
def participant_ics(session: SessionDep, cohort: CohortDep, participant_id: PathId) -> Response:
    """One participant's agenda (with their buddy's name) as an iCalendar file."""
    participant = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    body = agenda.build_participant_ics(session, cohort=cohort, participant=participant)
    return _ics(body, f"{cohort.slug}-{participant_id}")


def _hm(value: time) -> str:
    return value.isoformat(timespec="minutes")


def _run(view: agenda.RunView) -> RunPublic:
    def item(i: agenda.ShowItem | None) -> dict[str, object] | None:
        if i is None:
            return None
        return {
            "id": i.id,
            "title": i.title,
            "start": _hm(i.start),
            "end": _hm(i.end),
            "kind": i.kind,
        }

    return RunPublic.model_validate(
        {
            "day": view.day,
            "started": view.started,
            "finished": view.finished,
            "current": item(view.current),
            "ends_at": view.ends_at,
            "time_left_s": view.time_left_s,
            "overrun_s": view.overrun_s,
            "next": item(view.next),
            "rest": [
                {"id": r.id, "title": r.title, "start": _hm(r.start), "end": _hm(r.end)}
                for r in view.rest
            ],
            "warnings": view.warnings,
            "log": [
                {
                    "kind": e.kind,
                    "title": e.title,
                    "at": _hm(e.at),
                    "minutes": e.minutes,
                    "overrun_s": e.overrun_s,
                }
                for e in view.log
            ],
            "version": view.version,
        }
    )


@router.get(
    "/cohorts/{slug}/now", response_model=RunPublic, responses={**COHORT_ERRORS, **errors(422)}
)
def run_of_show(
    session: SessionDep,
    cohort: CohortDep,
    day: Annotated[int | None, Query(ge=1, le=MAX_DAYS, description="Else the running day")] = None,
) -> RunPublic:
    """The run of show: the running day (or ``day``, or today) re-timed from now."""
    return _run(agenda.view_run_of_show(session, cohort=cohort, now=utcnow(), day=day))


@router.post(
    "/cohorts/{slug}/now/{action}",
    response_model=RunPublic,
    responses={
        **EDIT_ERRORS,
        409: {
            "model": ErrorPublic,
            "description": "Starting a day on a date not its own: confirm with other_date",
        },
    },
)
def run_action(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    action: agenda.RunAction,
    body: RunActionRequest | None = None,
) -> RunPublic:
    """One step of the live run: start, next, back, skip, extend (by ``minutes``), reset."""
    step = body or RunActionRequest()
    return _run(
        agenda.act_on_run(
            session,
            cohort=cohort,
            action=action,
            now=utcnow(),
            day=step.day,
            minutes=step.minutes,
            actor=_actor(user),
            other_date=step.other_date,
        )
    )
