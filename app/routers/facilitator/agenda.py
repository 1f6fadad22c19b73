"""Facilitator pages: the cohort calendar, agenda editing and the run of show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext
from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, PathDay, PathId, SessionDep
from app.models import Cohort, Facilitator, utcnow
from app.services import agenda, roster
from app.services.cohorts import MAX_DAYS

router = APIRouter(include_in_schema=False)
Clock = Annotated[str, Form(max_length=8)]


def _actor(user: Facilitator) -> str:
    return f"facilitator:{user.id}"


def _back(cohort: Cohort, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cohorts/{cohort.slug}/agenda{anchor}", status_code=303)


def _page(
    request: Request,
    session: SessionDep,
    cohort: Cohort,
    *,
    problems: list[Problem] | None = None,
    retry: dict[str, str] | None = None,
    warnings: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    view = agenda.get_agenda(session, cohort=cohort)
    return render(
        request,
        "facilitator/agenda.html",
        {
            "cohort": cohort,
            "view": view,
            "problems": problems or [],
            "retry": retry,
            "warnings": warnings or [],
            "participants": roster.list_participants(session, cohort=cohort),
        },
        status_code=status_code,
    )


def _refused(
    request: Request,
    session: SessionDep,
    cohort: Cohort,
    error: InvalidInput,
    retry: dict[str, str] | None = None,
) -> Response:
    problems = error.problems or [Problem("", error.message)]
    return _page(request, session, cohort, problems=problems, retry=retry, status_code=422)


def _edit(
    request: Request,
    session: SessionDep,
    cohort: Cohort,
    change: Callable[[], object],
    *,
    anchor: Callable[[object], str],
    retry: dict[str, str] | None = None,
) -> Response:
    """Apply one hand edit; a refusal shows the agenda with why (and the form to try again)."""
    try:
        outcome = change()
    except InvalidInput as error:
        return _refused(request, session, cohort, error, retry)
    return _back(cohort, anchor(outcome))


def _day(day: int) -> str:
    """Where a problem of one day is: "day 2" in the reader's language."""
    # Translators: where a problem in the agenda is, e.g. "day 2: the end is before the start".
    return gettext("day %(day)s", day=day)


def _span(day: int, start: str, end: str) -> tuple[time, time]:
    """The typed start and end of a day's span, each named in the error if it is no time."""
    where = _day(day)
    return (
        agenda.parse_clock(start, where=where, field="start"),
        agenda.parse_clock(end, where=where, field="end"),
    )


@router.get("/cohorts/{slug}/agenda")
def agenda_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return _page(request, session, cohort)


@router.post("/cohorts/{slug}/agenda/build")
def build(
    request: Request, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    try:
        result = agenda.build_agenda(session, cohort=cohort, actor=_actor(user))
    except InvalidInput as error:
        return _refused(request, session, cohort, error)
    return _page(request, session, cohort, warnings=result.warnings)


@router.post("/cohorts/{slug}/agenda/days/{day}/hours")
def set_hours(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    day: PathDay,
    start: Clock,
    end: Clock,
) -> Response:
    def change() -> None:
        begin, finish = _span(day, start, end)
        agenda.set_day_hours(
            session, cohort=cohort, day=day, actor=_actor(user), start=begin, end=finish
        )

    return _edit(request, session, cohort, change, anchor=lambda _: f"#day-{day}")


@router.post("/cohorts/{slug}/agenda/days/{day}/blocks")
def add_block(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    day: PathDay,
    start: Clock,
    end: Clock,
    title: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=10)] = "break",
) -> Response:
    def change() -> None:
        begin, finish = _span(day, start, end)
        agenda.add_block(
            session,
            cohort=cohort,
            day=day,
            title=title,
            kind=kind,
            actor=_actor(user),
            start=begin,
            end=finish,
        )

    return _edit(request, session, cohort, change, anchor=lambda _: f"#day-{day}")


@router.post("/cohorts/{slug}/agenda/days/{day}/blocks/remove")
def remove_block(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    day: PathDay,
    start: Clock,
) -> Response:
    def change() -> None:
        at = agenda.parse_clock(start, where=_day(day), field="start")
        agenda.remove_block(session, cohort=cohort, day=day, start=at, actor=_actor(user))

    return _edit(request, session, cohort, change, anchor=lambda _: f"#day-{day}")


@router.post("/cohorts/{slug}/agenda/items/{exercise_id}/move")
def move(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    exercise_id: str,
    day: Annotated[int, Form(ge=1, le=MAX_DAYS)],
    start: Clock,
    force: Annotated[bool, Form()] = False,
) -> Response:
    def change() -> object:
        at = agenda.parse_clock(start, where=_day(day), field="start")
        return agenda.move_item(
            session,
            cohort=cohort,
            exercise_id=exercise_id,
            day=day,
            start=at,
            force=force,
            actor=_actor(user),
        )

    retry = {
        "action": f"/cohorts/{cohort.slug}/agenda/items/{exercise_id}/move",
        "day": str(day),
        "start": start,
    }
    return _edit(
        request,
        session,
        cohort,
        change,
        anchor=lambda conflicts: "#conflicts" if conflicts else f"#day-{day}",
        retry=retry,
    )


@router.post("/cohorts/{slug}/agenda/items/{exercise_id}/{action}")
def pin_or_remove(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    exercise_id: str,
    action: str,
) -> Response:
    if action == "remove":
        agenda.remove_exercise(session, cohort=cohort, exercise_id=exercise_id, actor=_actor(user))
    elif action in ("pin", "unpin"):
        agenda.set_pinned(
            session,
            cohort=cohort,
            exercise_id=exercise_id,
            pinned=action == "pin",
            actor=_actor(user),
        )
    else:
        raise InvalidInput(
            gettext("Nothing was changed."),
            [Problem(gettext("action"), gettext("“%(action)s” is not known", action=action[:40]))],
        )
    return _back(cohort)


@router.post("/cohorts/{slug}/agenda/items")
def add_exercise(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    exercise_id: Annotated[str, Form(max_length=80)],
    day: Annotated[str, Form(max_length=3)] = "",
    start: Clock = "",
    force: Annotated[bool, Form()] = False,
) -> Response:
    try:
        slot_day = int(day) if day.strip() else None
        # Translators: where a problem is: the place asked for an exercise in the agenda.
        slot = gettext("slot")
        at = agenda.parse_clock(start, where=slot, field="start") if start.strip() else None
        conflicts = agenda.add_exercise(
            session,
            cohort=cohort,
            exercise_id=exercise_id,
            day=slot_day,
            start=at,
            force=force,
            actor=_actor(user),
        )
    except ValueError:
        problem = Problem(gettext("slot"), gettext("“%(day)s” is not a day number", day=day), "day")
        refused = InvalidInput(gettext("The exercise was not added."), [problem])
        return _refused(request, session, cohort, refused)
    except InvalidInput as error:
        retry = {
            "action": f"/cohorts/{cohort.slug}/agenda/items",
            "day": day,
            "start": start,
            "exercise_id": exercise_id,
        }
        return _refused(request, session, cohort, error, retry)
    return _back(cohort, "#conflicts" if conflicts else "")


@router.get("/cohorts/{slug}/agenda.ics")
def agenda_ics(session: SessionDep, cohort: CohortDep) -> Response:
    return _ics(agenda.build_cohort_ics(session, cohort=cohort), cohort.slug)


@router.get("/cohorts/{slug}/agenda/participants/{participant_id}.ics")
def participant_ics(session: SessionDep, cohort: CohortDep, participant_id: PathId) -> Response:
    participant = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    body = agenda.build_participant_ics(session, cohort=cohort, participant=participant)
    return _ics(body, f"{cohort.slug}-{participant_id}")


def _ics(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.ics"'},
    )


def _now_context(session: SessionDep, cohort: Cohort, day: int | None) -> dict[str, object]:
    run = agenda.view_run_of_show(session, cohort=cohort, now=utcnow(), day=day)
    return {"cohort": cohort, "run": run, "days": range(1, cohort.days + 1)}


@router.get("/cohorts/{slug}/now")
def now_page(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    day: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None,
) -> Response:
    return render(request, "facilitator/now.html", _now_context(session, cohort, day))


@router.get("/cohorts/{slug}/now/panel")
def now_panel(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    day: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None,
) -> Response:
    return render(request, "facilitator/_now_panel.html", _now_context(session, cohort, day))


@router.post("/cohorts/{slug}/now/{action}")
def run_action(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    action: str,
    day: Annotated[int | None, Form(ge=1, le=MAX_DAYS)] = None,
    minutes: Annotated[int, Form(ge=-24 * 60, le=24 * 60)] = 0,
    other_date: Annotated[bool, Form()] = False,
) -> Response:
    try:
        agenda.act_on_run(
            session,
            cohort=cohort,
            action=action,
            now=utcnow(),
            day=day,
            minutes=minutes,
            actor=_actor(user),
            other_date=other_date,
        )
    except agenda.OtherDate as asked:
        context = {**_now_context(session, cohort, asked.day), "confirm": asked}
        return render(request, "facilitator/now.html", context, status_code=409)
    return RedirectResponse(f"/cohorts/{cohort.slug}/now", status_code=303)
