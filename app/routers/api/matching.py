"""JSON API for buddy matching: the same service functions as the pages and the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from sqlmodel import Session

from app.core.messages import texts
from app.deps import CohortDep, CurrentFacilitator, LeadCohortDep, PathId, SessionDep
from app.models import Cohort, Participant
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors
from app.schemas.cohorts import ParticipantPublic
from app.schemas.matching import (
    EndRequest,
    ExcludeRequest,
    GroupPublic,
    JoinRequest,
    LockRequest,
    MatchingResultPublic,
    MatrixPublic,
    MemberPublic,
    PairRequest,
    PublishedPublic,
    WeightsPublic,
    WeightsUpdate,
    WhyNotPublic,
)
from app.services import cohorts, matching
from app.services.matching import GroupView

router = api_router("matching")
CHANGE_ERRORS = {**COHORT_ERRORS, **WRITE_ERRORS, **errors(409, 422)}
ALL_STATES = ("proposed", "published", "ended")


def _member(p: Participant) -> MemberPublic:
    assert p.id is not None
    return MemberPublic(id=p.id, name=p.name, email=p.email)


def _group(view: GroupView) -> GroupPublic:
    g = view.group
    assert g.id is not None
    return GroupPublic.model_validate(
        {
            **g.model_dump(include={"id", "state", "locked", "score", "end_reason"}),
            "published_at": g.published_at,
            "ended_at": g.ended_at,
            "members": [_member(p) for p in view.members],
            "reasons": texts(g.reasons),
        }
    )


def _one_group(session: Session, cohort: Cohort, group_id: int) -> GroupPublic:
    [view] = [
        v
        for v in matching.list_groups(session, cohort=cohort, states=ALL_STATES)
        if v.group.id == group_id
    ]
    return _group(view)


def _current(session: Session, cohort: Cohort) -> MatchingResultPublic:
    return MatchingResultPublic.model_validate(
        matching.result_to_json(
            matching.current_result(session, cohort=cohort),
            state=matching.pairing_state(session, cohort=cohort),
        )
    )


@router.get(
    "/cohorts/{slug}/matching", response_model=MatchingResultPublic, responses=COHORT_ERRORS
)
def get_matching(session: SessionDep, cohort: CohortDep) -> MatchingResultPublic:
    """The pairing's state (not_paired, proposed, published), its groups, total and who has
    no buddy (after publishing: who is waiting since their pairing ended)."""
    return _current(session, cohort)


@router.post(
    "/cohorts/{slug}/matching", response_model=MatchingResultPublic, responses=CHANGE_ERRORS
)
def run_matching(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    publish: Annotated[bool, Query(description="Publish the pairs right away")] = False,
) -> MatchingResultPublic:
    """Pair everyone (keeping locked pairs); optionally publish (the cohort's lead or an admin)."""
    if publish:
        cohorts.check_lead(session, cohort=cohort, viewer=user)

    run = matching.run_matching(session, cohort=cohort, actor=user)
    if publish:
        matching.publish(session, cohort=cohort, actor=user)
    return MatchingResultPublic.model_validate(
        matching.result_to_json(run.result, state=matching.pairing_state(session, cohort=cohort))
    )


@router.post(
    "/cohorts/{slug}/matching/publish", response_model=PublishedPublic, responses=CHANGE_ERRORS
)
def publish_matching(
    session: SessionDep, cohort: LeadCohortDep, user: CurrentFacilitator
) -> PublishedPublic:
    """Publish the proposed pairs: buddies see each other, and the pairing enters history."""
    return PublishedPublic(published=matching.publish(session, cohort=cohort, actor=user))


@router.get("/cohorts/{slug}/matching/matrix", response_model=MatrixPublic, responses=COHORT_ERRORS)
def get_matrix(session: SessionDep, cohort: CohortDep) -> MatrixPublic:
    """Every pair's score and the blocked pairs with their rule, to audit the result."""
    return MatrixPublic.model_validate(
        matching.matrix_to_json(matching.compatibility(session, cohort=cohort))
    )


@router.get(
    "/cohorts/{slug}/matching/groups",
    response_model=list[GroupPublic],
    responses={**COHORT_ERRORS, **errors(422)},
)
def list_groups(
    session: SessionDep,
    cohort: CohortDep,
    ended: Annotated[bool, Query(description="Also list ended pairings")] = False,
) -> list[GroupPublic]:
    """The buddy groups with their ids, members, state and lock."""
    states = ALL_STATES if ended else ("proposed", "published")
    return [_group(v) for v in matching.list_groups(session, cohort=cohort, states=states)]


@router.put(
    "/cohorts/{slug}/matching/groups/{group_id}/lock",
    response_model=GroupPublic,
    responses=CHANGE_ERRORS,
)
def lock_group(
    session: SessionDep, cohort: CohortDep, group_id: PathId, body: LockRequest
) -> GroupPublic:
    """Lock a proposed group so that re-runs keep it (or unlock it)."""
    matching.set_locked(session, cohort=cohort, group_id=group_id, locked=body.locked)
    return _one_group(session, cohort, group_id)


def _two(session: Session, cohort: Cohort, body: PairRequest) -> tuple[Participant, Participant]:
    return (
        matching.participant_by_id(session, cohort=cohort, participant_id=body.a),
        matching.participant_by_id(session, cohort=cohort, participant_id=body.b),
    )


@router.post(
    "/cohorts/{slug}/matching/swap", response_model=MatchingResultPublic, responses=CHANGE_ERRORS
)
def swap(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, body: PairRequest
) -> MatchingResultPublic:
    """Swap two people between proposed groups; both new groups are locked."""
    a, b = _two(session, cohort, body)
    result = matching.swap_people(session, cohort=cohort, a=a, b=b, actor=user)
    return MatchingResultPublic.model_validate(
        matching.result_to_json(result, state=matching.pairing_state(session, cohort=cohort))
    )


@router.put(
    "/cohorts/{slug}/matching/excluded",
    response_model=ParticipantPublic,
    responses=CHANGE_ERRORS,
)
def exclude(session: SessionDep, cohort: CohortDep, body: ExcludeRequest) -> ParticipantPublic:
    """Leave someone out of the matching (or bring them back); their proposal dissolves."""
    person = matching.participant_by_id(session, cohort=cohort, participant_id=body.participant_id)
    matching.set_excluded(session, cohort=cohort, participant=person, excluded=body.excluded)
    return ParticipantPublic.model_validate(person)


@router.post(
    "/cohorts/{slug}/matching/why-not",
    response_model=WhyNotPublic,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(422)},
)
def why_not(session: SessionDep, cohort: CohortDep, body: PairRequest) -> WhyNotPublic:
    """Why two people are not (or could be) buddies: each blocking rule, or their score.
    Changes nothing."""
    a, b = _two(session, cohort, body)
    reasons = matching.explain_pair(session, cohort=cohort, a=a, b=b)
    return WhyNotPublic(a=_member(a), b=_member(b), reasons=reasons)


def _weights(cohort: Cohort) -> WeightsPublic:
    return WeightsPublic(
        **matching.cohort_weights(cohort).model_dump(), history_mode=matching.history_mode(cohort)
    )


@router.get(
    "/cohorts/{slug}/matching/weights", response_model=WeightsPublic, responses=COHORT_ERRORS
)
def get_weights(cohort: CohortDep) -> WeightsPublic:
    """The cohort's matching weights and how earlier pairings count."""
    return _weights(cohort)


@router.patch(
    "/cohorts/{slug}/matching/weights", response_model=WeightsPublic, responses=CHANGE_ERRORS
)
def set_weights(session: SessionDep, cohort: CohortDep, body: WeightsUpdate) -> WeightsPublic:
    """Change some weights (the others stay) and, optionally, the history rule."""
    values = body.model_dump(exclude_none=True, exclude={"history_mode"})
    matching.set_weights(session, cohort=cohort, values=values)
    if body.history_mode is not None:
        matching.set_history_mode(session, cohort=cohort, mode=body.history_mode)
    return _weights(cohort)


@router.post(
    "/cohorts/{slug}/matching/groups/{group_id}/end",
    response_model=MatchingResultPublic,
    responses=CHANGE_ERRORS,
)
def end_group(
    session: SessionDep,
    cohort: LeadCohortDep,
    user: CurrentFacilitator,
    group_id: PathId,
    body: EndRequest,
) -> MatchingResultPublic:
    """End a published pairing for a neutral reason; only its people are paired again."""
    result = matching.end_group(
        session, cohort=cohort, group_id=group_id, reason=body.reason, actor=user
    )
    return MatchingResultPublic.model_validate(
        matching.result_to_json(result, state=matching.pairing_state(session, cohort=cohort))
    )


@router.post(
    "/cohorts/{slug}/matching/groups/{group_id}/join",
    response_model=GroupPublic,
    responses=CHANGE_ERRORS,
)
def join_group(
    session: SessionDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
    group_id: PathId,
    body: JoinRequest,
) -> GroupPublic:
    """Add someone waiting for a buddy to a published pair (it becomes a group of three)."""
    person = matching.participant_by_id(session, cohort=cohort, participant_id=body.participant_id)
    view = matching.join_group(
        session, cohort=cohort, participant=person, group_id=group_id, actor=user
    )
    return _group(view)
