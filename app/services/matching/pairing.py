"""Buddy pairing for a cohort: the thin persistence around the pure matching engine.

Flow: run -> inspect -> lock / swap / exclude -> re-run keeping the locks -> publish.
After publishing, a pairing can end (neutral reason) and only its people are re-paired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations
from typing import Any

from sqlmodel import Session, col, delete, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.models import (
    BuddyGroup,
    BuddyMember,
    Cohort,
    Facilitator,
    PairingHistory,
    Participant,
    utcnow,
)
from app.models.matching import END_REASONS
from app.services.matching.engine import (
    Group,
    HistoryMode,
    MatchContext,
    MatchPerson,
    MatchResult,
    Matrix,
    ResultDiff,
    Weights,
    build_context,
    diff_results,
    rank_level,
    repair_after_end,
    solve_context,
    swap_members,
    why_not,
)
from app.services.matching.explain import explain_unpaired
from app.services.ops import record_event
from app.services.roster import list_participants

LIVE_STATES = ("proposed", "published")


@dataclass(frozen=True, slots=True)
class GroupView:
    group: BuddyGroup
    members: list[Participant]


@dataclass(frozen=True, slots=True)
class MatchRun:
    result: MatchResult
    diff: ResultDiff | None


def _actor(actor: Facilitator | None) -> str:
    return f"facilitator:{actor.id}" if actor is not None else "cli"


def _tenure(p: Participant, on: date) -> float | None:
    if p.hire_date is not None:
        return max(0.0, (on - p.hire_date).days / 365.25)
    return p.tenure_years


HISTORY_MODES = ("forbid", "penalty")


def cohort_weights(cohort: Cohort) -> Weights:
    """The cohort's matching weights (defaults where none were set)."""
    return Weights.model_validate(
        {k: v for k, v in (cohort.weights or {}).items() if k != "history_mode"}
    )


def history_mode(cohort: Cohort) -> HistoryMode:
    """Whether earlier buddies are never paired again ("forbid") or only scored down."""
    return "penalty" if (cohort.weights or {}).get("history_mode") == "penalty" else "forbid"


def set_history_mode(session: Session, *, cohort: Cohort, mode: str) -> None:
    """Choose how earlier pairings count: never again, or allowed with a penalty."""
    if mode not in HISTORY_MODES:
        raise InvalidInput(
            "unknown history rule",
            [Problem("history mode", "must be 'forbid' or 'penalty'", "history_mode")],
        )
    cohort.weights = {**(cohort.weights or {}), "history_mode": mode}
    session.add(cohort)
    session.flush()


def set_weights(session: Session, *, cohort: Cohort, values: dict[str, float]) -> Weights:
    """Change the cohort's matching weights (each must be a number >= 0)."""
    problems = [
        Problem(name.replace("_", " "), "must be a number of at least 0", name)
        for name, value in values.items()
        if value < 0
    ]
    unknown = [name for name in values if name not in Weights.model_fields]
    problems += [Problem(name, "is not a matching weight", name) for name in unknown]
    if problems:
        raise InvalidInput("the weights cannot be saved", problems)
    weights = Weights.model_validate({**cohort_weights(cohort).model_dump(), **values})
    cohort.weights = {**weights.model_dump(), "history_mode": history_mode(cohort)}
    session.add(cohort)
    session.flush()
    return weights


def _people(session: Session, cohort: Cohort) -> list[Participant]:
    return list_participants(session, cohort=cohort)


def _person(p: Participant, on: date) -> MatchPerson:
    return MatchPerson(
        key=p.email,
        name=p.name,
        level=p.level or None,
        level_rank=rank_level(p.level) if p.level else None,
        function=p.function or None,
        region=p.region or None,
        tenure_years=_tenure(p, on),
        manager_key=p.manager_email or None,
        languages=frozenset(p.languages),
        tags=frozenset(p.tags),
        avoid=frozenset(p.avoid),
        conflict_groups=frozenset({p.conflict_group}) if p.conflict_group else frozenset(),
    )


def _history(
    session: Session, cohort: Cohort, people: Sequence[Participant]
) -> set[frozenset[str]]:
    by_person = {p.person_id: p.email for p in people}
    rows = session.exec(
        select(PairingHistory).where(
            col(PairingHistory.person_a_id).in_(by_person),
            col(PairingHistory.person_b_id).in_(by_person),
        )
    ).all()
    return {
        frozenset({by_person[r.person_a_id], by_person[r.person_b_id]})
        for r in rows
        if r.cohort_id != cohort.id
    }


def _outside_manager_links(session: Session, people: Sequence[Participant]) -> dict[str, str]:
    # Managers outside this cohort may be participants elsewhere: their own managers extend
    # the chain, so a director two levels up is still never paired with their report.
    inside = {p.email for p in people}
    links: dict[str, str] = {}
    rows = session.exec(
        select(Participant.email, Participant.manager_email)
        .where(col(Participant.manager_email) != "")
        .order_by(col(Participant.updated_at))
    ).all()
    for email, manager in rows:
        if email not in inside:
            links[email] = manager
    return links


def _engine_input(session: Session, cohort: Cohort) -> tuple[list[MatchPerson], dict[str, Any]]:
    people = _people(session, cohort)
    options: dict[str, Any] = {
        "weights": cohort_weights(cohort),
        "history": _history(session, cohort, people),
        "history_mode": history_mode(cohort),
        "extra_manager_links": _outside_manager_links(session, people),
    }
    return [_person(p, cohort.start_date) for p in people], options


def match_context(session: Session, *, cohort: Cohort) -> MatchContext:
    """The pure engine's view of the cohort: people, weights, history and manager chains."""
    people, options = _engine_input(session, cohort)
    return build_context(people, **options)


def list_groups(
    session: Session, *, cohort: Cohort, states: Sequence[str] = LIVE_STATES
) -> list[GroupView]:
    """The cohort's buddy groups in these states, each with its members."""
    groups = session.exec(
        select(BuddyGroup)
        .where(BuddyGroup.cohort_id == cohort.id, col(BuddyGroup.state).in_(states))
        .order_by(col(BuddyGroup.id))
    ).all()
    ids = [g.id for g in groups]
    members: dict[int, list[Participant]] = {gid: [] for gid in ids if gid is not None}
    rows = session.exec(
        select(BuddyMember.group_id, Participant)
        .join(Participant, col(Participant.id) == col(BuddyMember.participant_id))
        .where(col(BuddyMember.group_id).in_(ids))
        .order_by(col(Participant.name))
    ).all()
    for group_id, participant in rows:
        members[group_id].append(participant)
    return [GroupView(g, members[g.id]) for g in groups if g.id is not None]


def group_of(session: Session, *, participant: Participant) -> GroupView | None:
    """The participant's current (proposed or published) group, if any."""
    row = session.exec(
        select(BuddyGroup)
        .join(BuddyMember, col(BuddyMember.group_id) == col(BuddyGroup.id))
        .where(BuddyMember.participant_id == participant.id, col(BuddyGroup.state).in_(LIVE_STATES))
    ).first()
    if row is None:
        return None
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    return next(v for v in list_groups(session, cohort=cohort) if v.group.id == row.id)


def _as_result(views: Sequence[GroupView], unpaired: Sequence[str] = ()) -> MatchResult:
    groups = [
        Group(
            members=tuple(sorted(p.email for p in v.members)),
            score=v.group.score,
            reasons=list(v.group.reasons),
            participant_reasons=list(v.group.participant_reasons),
            locked=v.group.locked,
        )
        for v in views
    ]
    groups.sort(key=lambda g: g.members)
    return MatchResult(
        groups=groups,
        total=round(sum(g.score for g in groups), 6),
        unpaired=list(unpaired),
        optimal=False,
    )


def current_result(session: Session, *, cohort: Cohort) -> MatchResult:
    """The stored groups as a result, with everyone not in a group listed as unpaired."""
    views = list_groups(session, cohort=cohort)
    grouped = {p.email for v in views for p in v.members}
    unpaired = sorted(
        p.email for p in _people(session, cohort) if p.email not in grouped and not p.excluded
    )
    result = _as_result(views, unpaired)
    if not unpaired:
        return result
    # Say why each person without a buddy has none, and what would help.
    ctx = match_context(session, cohort=cohort)
    pool = [ctx.position(p.email) for p in _people(session, cohort) if not p.excluded]
    problems = explain_unpaired(ctx, [ctx.position(k) for k in unpaired], pool)
    return replace(result, problems=problems)


def _store(
    session: Session, cohort: Cohort, groups: Sequence[Group], *, state: str = "proposed"
) -> None:
    assert cohort.id is not None
    ids = {p.email: p.id for p in _people(session, cohort)}
    for g in groups:
        row = BuddyGroup(
            cohort_id=cohort.id,
            score=g.score,
            reasons=list(g.reasons),
            participant_reasons=list(g.participant_reasons),
            locked=g.locked,
            state=state,
            published_at=utcnow() if state == "published" else None,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for key in g.members:
            member_id = ids[key]
            assert member_id is not None
            session.add(BuddyMember(group_id=row.id, participant_id=member_id))
    session.flush()


def _has_published(session: Session, cohort: Cohort) -> bool:
    return bool(list_groups(session, cohort=cohort, states=("published",)))


def run_matching(session: Session, *, cohort: Cohort, actor: Facilitator | None = None) -> MatchRun:
    """Propose the best groups, keeping locked ones; says what changed against the last run."""
    if _has_published(session, cohort):
        raise Conflict("the pairs are published; end a pairing to re-pair its people")
    before = list_groups(session, cohort=cohort, states=("proposed",))
    old = _as_result(before) if before else None
    ctx = match_context(session, cohort=cohort)
    locked = [[p.email for p in v.members] for v in before if v.group.locked]
    excluded = [p.email for p in _people(session, cohort) if p.excluded]
    result = solve_context(ctx, locked=locked, excluded=excluded)
    session.exec(
        delete(BuddyGroup).where(
            col(BuddyGroup.cohort_id) == cohort.id, col(BuddyGroup.state) == "proposed"
        )
    )
    _store(session, cohort, result.groups)
    record_event(
        session,
        actor=_actor(actor),
        action="matching.run",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"groups": len(result.groups), "unpaired": len(result.unpaired)},
    )
    return MatchRun(result, diff_results(old, result) if old is not None else None)


def get_group(session: Session, *, cohort: Cohort, group_id: int) -> BuddyGroup:
    """A group of this cohort (NotFound otherwise)."""
    group = session.get(BuddyGroup, group_id)
    if group is None or group.cohort_id != cohort.id:
        raise NotFound("no such buddy group")
    return group


def set_locked(session: Session, *, cohort: Cohort, group_id: int, locked: bool) -> BuddyGroup:
    """Lock a proposed group so that re-runs keep it (or unlock it)."""
    group = get_group(session, cohort=cohort, group_id=group_id)
    group.locked = locked
    session.add(group)
    session.flush()
    return group


def swap_people(
    session: Session,
    *,
    cohort: Cohort,
    a: Participant,
    b: Participant,
    actor: Facilitator | None = None,
) -> MatchResult:
    """Swap two people between proposed groups; both new groups are locked (a hand choice)."""
    if _has_published(session, cohort):
        raise Conflict("the pairs are published; end a pairing to re-pair its people")
    ctx = match_context(session, cohort=cohort)
    old = current_result(session, cohort=cohort)
    new = swap_members(old, a.email, b.email, ctx)
    changed = [g for g in new.groups if g not in old.groups]
    changed_keys = {k for g in changed for k in g.members}
    for view in list_groups(session, cohort=cohort, states=("proposed",)):
        if {p.email for p in view.members} & changed_keys:
            session.delete(view.group)
    session.flush()
    _store(
        session,
        cohort,
        [Group(g.members, g.score, g.reasons, g.participant_reasons, True) for g in changed],
    )
    record_event(
        session,
        actor=_actor(actor),
        action="matching.swap",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
    )
    return new


def set_excluded(
    session: Session, *, cohort: Cohort, participant: Participant, excluded: bool
) -> None:
    """Leave someone out of (or bring them back into) the matching; their proposal dissolves."""
    participant.excluded = excluded
    session.add(participant)
    if excluded:
        for view in list_groups(session, cohort=cohort, states=("proposed",)):
            if participant.id in {p.id for p in view.members}:
                session.delete(view.group)
    session.flush()


def publish(session: Session, *, cohort: Cohort, actor: Facilitator | None = None) -> int:
    """Publish the proposed groups and record them in each person's pairing history."""
    views = list_groups(session, cohort=cohort, states=("proposed",))
    if not views:
        raise Conflict("there is nothing to publish: run the matching first")
    unpaired = current_result(session, cohort=cohort).unpaired
    if unpaired:
        raise Conflict(f"{len(unpaired)} participant(s) have no buddy yet: " + ", ".join(unpaired))
    now = utcnow()
    for view in views:
        view.group.state = "published"
        view.group.published_at = now
        session.add(view.group)
        _remember(session, cohort, view.members)
    if cohort.status == "draft":
        cohort.status = "paired"
        session.add(cohort)
    session.flush()
    record_event(
        session,
        actor=_actor(actor),
        action="matching.publish",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"groups": len(views)},
    )
    return len(views)


def _remember(session: Session, cohort: Cohort, members: Sequence[Participant]) -> None:
    for x, y in combinations(sorted(members, key=lambda p: p.person_id), 2):
        session.add(
            PairingHistory(person_a_id=x.person_id, person_b_id=y.person_id, cohort_id=cohort.id)
        )


def end_group(
    session: Session,
    *,
    cohort: Cohort,
    group_id: int,
    reason: str,
    actor: Facilitator | None = None,
) -> MatchResult:
    """End a published pairing for a neutral reason and re-pair only its people."""
    if reason not in END_REASONS:
        raise InvalidInput(
            "unknown reason",
            [Problem("reason", "must be one of: " + ", ".join(END_REASONS), "reason")],
        )
    group = get_group(session, cohort=cohort, group_id=group_id)
    if group.state != "published":
        raise Conflict("only a published pairing can end")
    views = list_groups(session, cohort=cohort, states=("published",))
    ended = next(v for v in views if v.group.id == group.id)
    ctx = match_context(session, cohort=cohort)
    leaving = [p.email for p in ended.members if p.excluded] if reason == "left_program" else []
    result = repair_after_end(
        _as_result(views).groups,
        ctx=ctx,
        ended=[[p.email for p in ended.members]],
        removed=leaving,
    )
    before = {tuple(sorted(p.email for p in v.members)): v for v in views}
    group.state = "ended"
    group.end_reason = reason
    group.ended_at = utcnow()
    session.add(group)
    fresh = [g for g in result.groups if g.members not in before]
    for g in fresh:
        # Someone who joined an existing pair makes it a trio: that pair ends and the trio
        # replaces it, so old buddies keep each other.
        for key, view in before.items():
            if view.group.id != group.id and set(key) < set(g.members):
                view.group.state = "ended"
                view.group.end_reason = "other"
                view.group.ended_at = utcnow()
                session.add(view.group)
    session.flush()
    _store(session, cohort, fresh, state="published")
    people = {p.email: p for p in _people(session, cohort)}
    for g in fresh:
        _remember(session, cohort, [people[k] for k in g.members])
    session.flush()
    record_event(
        session,
        actor=_actor(actor),
        action="matching.end",
        object_type="buddy_group",
        object_id=group.id or "",
        cohort_id=cohort.id,
        detail={"reason": reason},
    )
    return result


def explain_pair(session: Session, *, cohort: Cohort, a: Participant, b: Participant) -> list[str]:
    """Why two people are not (or could be) buddies: each blocking rule, or their score."""
    ctx = match_context(session, cohort=cohort)
    locked = [
        [p.email for p in v.members] for v in list_groups(session, cohort=cohort) if v.group.locked
    ]
    excluded = [p.email for p in _people(session, cohort) if p.excluded]
    return why_not(a.email, b.email, ctx, locked=locked, excluded=excluded)


def compatibility(session: Session, *, cohort: Cohort) -> Matrix:
    """Every pair's score and every blocked pair with its rule (for audit and the heat map)."""
    from app.services.matching.engine import score_matrix

    people, options = _engine_input(session, cohort)
    return score_matrix(people, **options)


def participant_by_id(session: Session, *, cohort: Cohort, participant_id: int) -> Participant:
    """A participant of this cohort (NotFound otherwise)."""
    p = session.get(Participant, participant_id)
    if p is None or p.cohort_id != cohort.id:
        raise NotFound("no such participant")
    return p


def participant_by_email(session: Session, *, cohort: Cohort, email: str) -> Participant:
    """A participant of this cohort by e-mail (NotFound otherwise)."""
    p = session.exec(
        select(Participant).where(
            Participant.cohort_id == cohort.id, Participant.email == email.strip().lower()
        )
    ).first()
    if p is None:
        raise NotFound(f"no participant {email} in this cohort")
    return p


def matrix_to_json(matrix: Matrix) -> dict[str, Any]:
    """The compatibility matrix as auditable JSON."""
    return {
        "participants": matrix.keys,
        "scores": matrix.scores,
        "blocked": [{"a": a, "b": b, "rule": rule} for a, b, rule in matrix.blocked],
    }


def result_to_json(result: MatchResult) -> dict[str, Any]:
    """Groups, total and unpaired, plus why anyone is unpaired."""
    data = result.to_json()
    data["problems"] = [
        {"people": list(p.keys), "message": p.message, "relaxations": list(p.relaxations)}
        for p in result.problems
    ]
    return data
