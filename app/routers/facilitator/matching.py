"""Facilitator pages: run, inspect, adjust and publish the buddy pairing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.core.errors import DomainError, InvalidInput, Problem
from app.core.i18n import N_, current_language, gettext
from app.core.templating import render
from app.deps import CohortDep, CurrentFacilitator, FormId, LeadCohortDep, PathId, SessionDep
from app.models import Cohort, Facilitator, Participant
from app.models.matching import END_REASONS
from app.services import cohorts, matching, privacy
from app.services.matching import ResultDiff, Weights
from app.services.roster import list_participants

router = APIRouter(include_in_schema=False)
MATRIX_LIMIT = 60

WEIGHT_LABELS = {
    # Translators: the weights of the buddy matching: how much a likeness or difference counts.
    "similar_level": N_("Similar level"),
    "different_function": N_("Different function"),
    "different_region": N_("Different region"),
    "different_tenure": N_("Different tenure"),
    "complementary_tags": N_("Complementary backgrounds"),
    "shared_tags": N_("Shared backgrounds"),
    "shared_language": N_("Shared language"),
    "complement": N_("Wants to learn what the other offers"),
    "history_penalty": N_("History penalty"),
}
"""Each weight's label (translated where shown); a weight not listed reads as its name."""


def weight_label(name: str) -> str:
    label = WEIGHT_LABELS.get(name)
    return gettext(label) if label else name.replace("_", " ").capitalize()


def score(value: float, *, signed: bool = False, digits: int = 2) -> str:
    """A matching score in the reader's number format (``2.50`` / ``2,50``)."""
    places = "0" * digits
    pattern = f"+0.{places};-0.{places}" if signed else f"0.{places}"
    return format_decimal(value, format=pattern, locale=current_language())


def _page(
    request: Request,
    session: Session,
    cohort: Cohort,
    *,
    diff: ResultDiff | None = None,
    why: list[str] | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    result = matching.current_result(session, cohort=cohort)
    state = matching.pairing_state(session, cohort=cohort)
    participants = list_participants(session, cohort=cohort)
    viewer = session.get(Facilitator, request.state.user.id)
    return render(
        request,
        "facilitator/matching.html",
        {
            "cohort": cohort,
            "groups": matching.list_groups(session, cohort=cohort),
            "ended": matching.list_groups(session, cohort=cohort, states=("ended",)),
            "result": result,
            "proof": matching.proof_text(result),
            "state": state,
            "names": {p.email: p.name for p in participants},
            "waiting": matching.waiting_people(session, cohort=cohort)
            if state == "published"
            else [],
            "participants": participants,
            "ready": sum(not p.excluded for p in participants),
            "weights": matching.cohort_weights(cohort),
            "history_mode": matching.history_mode(cohort),
            "weight_names": list(Weights.model_fields),
            "weight_labels": {name: weight_label(name) for name in Weights.model_fields},
            "score": score,
            "end_reasons": END_REASONS,
            "published": state == "published",
            # Publishing and ending a pairing are the lead's: co-facilitators do not see them.
            "may_lead": cohorts.may_lead(session, cohort=cohort, viewer=viewer),
            "diff": diff,
            "why": why,
            "problems": problems or [],
            "matrix_limit": MATRIX_LIMIT,
            # A count only: who asked to avoid whom is never shown.
            "apart_by_request": privacy.pairs_apart_by_request(session, cohort_id=cohort.id or 0),
        },
        status_code=status_code,
    )


def _back(cohort: Cohort) -> Response:
    return RedirectResponse(f"/cohorts/{cohort.slug}/matching", status_code=303)


@router.get("/cohorts/{slug}/matching")
def matching_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return _page(request, session, cohort)


@router.post("/cohorts/{slug}/matching/run")
def run(
    request: Request, session: SessionDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    outcome = matching.run_matching(session, cohort=cohort, actor=user)
    return _page(request, session, cohort, diff=outcome.diff)


@router.post("/cohorts/{slug}/matching/publish")
def publish(session: SessionDep, cohort: LeadCohortDep, user: CurrentFacilitator) -> Response:
    matching.publish(session, cohort=cohort, actor=user)
    return _back(cohort)


@router.post("/cohorts/{slug}/matching/groups/{group_id}/lock")
def lock(
    session: SessionDep,
    cohort: CohortDep,
    group_id: PathId,
    locked: Annotated[bool, Form()] = True,
) -> Response:
    matching.set_locked(session, cohort=cohort, group_id=group_id, locked=locked)
    return _back(cohort)


def _apply(
    request: Request,
    session: SessionDep,
    cohort: Cohort,
    change: Callable[[], None],
    *,
    label: str,
) -> Response:
    """Apply one change to the pairs; a refusal undoes it and shows the page with why."""
    try:
        change()
    except DomainError as exc:
        session.rollback()
        problems = exc.problems if isinstance(exc, InvalidInput) else []
        return _page(
            request,
            session,
            cohort,
            problems=problems or [Problem(label, exc.message)],
            status_code=422,
        )
    return _back(cohort)


def _two_people(
    session: SessionDep, cohort: Cohort, a: int, b: int
) -> tuple[Participant, Participant]:
    """The two participants a form names, each checked to belong to the cohort."""
    return (
        matching.participant_by_id(session, cohort=cohort, participant_id=a),
        matching.participant_by_id(session, cohort=cohort, participant_id=b),
    )


@router.post("/cohorts/{slug}/matching/swap")
def swap(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    a: FormId,
    b: FormId,
) -> Response:
    first, second = _two_people(session, cohort, a, b)

    def change() -> None:
        matching.swap_people(session, cohort=cohort, a=first, b=second, actor=user)

    # Translators: where a refused change of the pairs went wrong ("swap: …").
    return _apply(request, session, cohort, change, label=gettext("swap"))


@router.post("/cohorts/{slug}/matching/exclude")
def exclude(
    session: SessionDep,
    cohort: CohortDep,
    participant_id: FormId,
    excluded: Annotated[bool, Form()] = True,
) -> Response:
    person = matching.participant_by_id(session, cohort=cohort, participant_id=participant_id)
    matching.set_excluded(session, cohort=cohort, participant=person, excluded=excluded)
    return _back(cohort)


@router.post("/cohorts/{slug}/matching/why")
def why_not(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    a: FormId,
    b: FormId,
) -> Response:
    first, second = _two_people(session, cohort, a, b)
    reasons = matching.explain_pair(session, cohort=cohort, a=first, b=second)
    heading = gettext("%(first)s and %(second)s:", first=first.name, second=second.name)
    return _page(request, session, cohort, why=[heading, *reasons])


@router.post("/cohorts/{slug}/matching/weights")
async def weights(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    form = await request.form()
    values: dict[str, float] = {}
    problems: list[Problem] = []
    for name in Weights.model_fields:
        raw = form.get(name)
        if isinstance(raw, str) and raw.strip():
            try:
                values[name] = float(raw.replace(",", "."))
            except ValueError:
                problems.append(Problem(weight_label(name), gettext("must be a number"), name))
    try:
        if problems:
            raise InvalidInput(gettext("The weights cannot be saved."), problems)
        matching.set_weights(session, cohort=cohort, values=values)
        mode = form.get("history_mode")
        if isinstance(mode, str) and mode:
            matching.set_history_mode(session, cohort=cohort, mode=mode)
    except InvalidInput as exc:
        session.rollback()
        return _page(request, session, cohort, problems=exc.problems, status_code=422)
    return _back(cohort)


@router.post("/cohorts/{slug}/matching/groups/{group_id}/end")
def end(
    request: Request,
    session: SessionDep,
    cohort: LeadCohortDep,
    user: CurrentFacilitator,
    group_id: PathId,
    reason: Annotated[str, Form(max_length=40)],
) -> Response:
    def change() -> None:
        matching.end_group(session, cohort=cohort, group_id=group_id, reason=reason, actor=user)

    # Translators: where a refused change of the pairs went wrong ("end: …").
    return _apply(request, session, cohort, change, label=gettext("end"))


@router.post("/cohorts/{slug}/matching/groups/{group_id}/join")
def join(
    request: Request,
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    group_id: PathId,
    participant_id: FormId,
) -> Response:
    person = matching.participant_by_id(session, cohort=cohort, participant_id=participant_id)

    def change() -> None:
        matching.join_group(
            session, cohort=cohort, participant=person, group_id=group_id, actor=user
        )

    # Translators: where a refused change of the pairs went wrong ("join: …").
    return _apply(request, session, cohort, change, label=gettext("join"))


@router.get("/cohorts/{slug}/matching/matrix")
def matrix_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    people = list_participants(session, cohort=cohort)
    if len(people) > MATRIX_LIMIT:
        return render(
            request,
            "facilitator/matrix.html",
            {
                "cohort": cohort,
                "matrix": None,
                "names": {},
                "blocked": {},
                "limit": MATRIX_LIMIT,
                "top": 0.0,
                "score": score,
            },
        )
    matrix = matching.compatibility(session, cohort=cohort)
    blocked: dict[tuple[str, str], list[str]] = {}
    for a, b, rule in matrix.blocked:
        blocked.setdefault((a, b), []).append(rule)
        blocked.setdefault((b, a), []).append(rule)
    top = max((s for row in matrix.scores for s in row), default=0.0) or 1.0
    return render(
        request,
        "facilitator/matrix.html",
        {
            "cohort": cohort,
            "matrix": matrix,
            "names": {p.email: p.name for p in people},
            "blocked": blocked,
            "limit": MATRIX_LIMIT,
            "top": top,
            "score": score,
        },
    )
