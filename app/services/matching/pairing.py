"""Buddy pairing for a cohort: the thin persistence around the pure matching engine.

Flow: run -> inspect -> lock / swap / exclude -> re-run keeping the locks -> publish.
After publishing, a pairing can end (neutral reason) and only its people are re-paired
(``pairing_end``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from babel import numbers
from sqlmodel import Session, col, delete, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import current_language, format_list, ngettext
from app.core.i18n import gettext as _
from app.models import AuditEvent, BuddyGroup, Cohort, Facilitator, Participant, utcnow
from app.services.matching.engine import (
    Group,
    MatchResult,
    Matrix,
    ResultDiff,
    Weights,
    diff_results,
    score_matrix,
    solve_context,
    swap_members,
    why_not,
)
from app.services.matching.explain import explain_unpaired
from app.services.matching.pairing_end import end_group, join_group, waiting_people
from app.services.matching.pairing_store import (
    LIVE_STATES,
    GroupView,
    actor_label,
    as_result,
    cohort_weights,
    engine_input,
    get_group,
    group_of,
    history_mode,
    list_groups,
    match_context,
    people_of,
    remember_pairs,
    store_groups,
)
from app.services.matching.types import SCALE
from app.services.ops import record_event

__all__ = [
    "LIVE_STATES",
    "GroupView",
    "MatchRun",
    "PairingState",
    "cohort_weights",
    "compatibility",
    "current_result",
    "end_group",
    "explain_pair",
    "get_group",
    "group_of",
    "history_mode",
    "join_group",
    "list_groups",
    "match_context",
    "matrix_to_json",
    "names_of",
    "pairing_state",
    "participant_by_email",
    "participant_by_id",
    "proof_text",
    "publish",
    "result_to_json",
    "run_matching",
    "set_excluded",
    "set_history_mode",
    "set_locked",
    "set_weights",
    "swap_people",
    "waiting_people",
]

HISTORY_MODES = ("forbid", "penalty")
# The audit actions after which the stored groups are no longer the last run's.
_REGROUPING = ("matching.run", "matching.swap", "matching.end", "matching.join")
PairingState = Literal["not_paired", "proposed", "published"]


@dataclass(frozen=True, slots=True)
class MatchRun:
    result: MatchResult
    diff: ResultDiff | None


def set_history_mode(session: Session, *, cohort: Cohort, mode: str) -> None:
    """Choose how earlier pairings count: never again, or allowed with a penalty."""
    if mode not in HISTORY_MODES:
        raise InvalidInput(
            _("unknown history rule"),
            [Problem(_("history mode"), _("must be 'forbid' or 'penalty'"), "history_mode")],
        )
    cohort.weights = {**(cohort.weights or {}), "history_mode": mode}
    session.add(cohort)
    session.flush()


def set_weights(session: Session, *, cohort: Cohort, values: dict[str, float]) -> Weights:
    """Change the cohort's matching weights (each must be a number >= 0)."""
    problems = [
        Problem(name.replace("_", " "), _("must be a number of at least 0"), name)
        for name, value in values.items()
        if value < 0
    ]
    unknown = [name for name in values if name not in Weights.model_fields]
    problems += [Problem(name, _("is not a matching weight"), name) for name in unknown]
    if problems:
        raise InvalidInput(_("the weights cannot be saved"), problems)
    weights = Weights.model_validate({**cohort_weights(cohort).model_dump(), **values})
    cohort.weights = {**weights.model_dump(), "history_mode": history_mode(cohort)}
    session.add(cohort)
    session.flush()
    return weights


def names_of(session: Session, *, cohort: Cohort) -> dict[str, str]:
    """Each participant's name by e-mail, for messages a facilitator reads."""
    return {p.email: p.name for p in people_of(session, cohort)}


def pairing_state(session: Session, *, cohort: Cohort) -> PairingState:
    """Whether the cohort has not been paired yet, has proposed pairs, or published ones."""
    states = {v.group.state for v in list_groups(session, cohort=cohort)}
    if "published" in states:
        return "published"
    if states:
        return "proposed"
    # A run can propose no group at all (every pair blocked); it still was a run, and the
    # page must then say why nobody has a buddy.
    ran = session.exec(
        select(AuditEvent.id).where(
            AuditEvent.cohort_id == cohort.id, AuditEvent.action == "matching.run"
        )
    ).first()
    return "proposed" if ran is not None else "not_paired"


def _with_bound(session: Session, cohort: Cohort, result: MatchResult) -> MatchResult:
    """The stored groups with the bound their run proved, while they are that run's groups.

    A swap, an exclusion or an ended pairing changes the groups by hand: the run's bound
    then proves nothing about them, so the result carries none.
    """
    last = session.exec(
        select(AuditEvent.action, AuditEvent.detail)
        .where(
            AuditEvent.cohort_id == cohort.id,
            col(AuditEvent.action).in_(_REGROUPING),
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    if last is None or last[0] != "matching.run":
        return result
    detail = last[1] or {}
    bound, total = detail.get("bound"), detail.get("total")
    if not isinstance(bound, int | float) or not isinstance(total, int | float):
        return result
    same = (detail.get("groups"), round(total * SCALE)) == (
        len(result.groups),
        round(result.total * SCALE),
    )
    if not same:
        return result
    return replace(
        result, upper_bound=float(bound), optimal=round(bound * SCALE) <= round(total * SCALE)
    )


def current_result(session: Session, *, cohort: Cohort) -> MatchResult:
    """The stored groups as a result, with who has no buddy and why.

    Before the first run nobody is "without a buddy": nobody has been paired yet. After
    publishing, the people without a buddy are those waiting since their pairing ended.
    """
    state = pairing_state(session, cohort=cohort)
    if state == "not_paired":
        return MatchResult(groups=[], total=0.0, optimal=False)
    views = list_groups(session, cohort=cohort)
    if state == "published":
        waiting = waiting_people(session, cohort=cohort)
        result = _with_bound(
            session, cohort, as_result(views, [w.participant.email for w in waiting])
        )
        return replace(result, problems=[w.problem for w in waiting])
    grouped = {p.email for v in views for p in v.members}
    people = people_of(session, cohort)
    unpaired = sorted(p.email for p in people if p.email not in grouped and not p.excluded)
    result = _with_bound(session, cohort, as_result(views, unpaired))
    if not unpaired:
        return result
    # Say why each person without a buddy has none, and what would help.
    ctx = match_context(session, cohort=cohort)
    pool = [ctx.position(p.email) for p in people if not p.excluded]
    problems = explain_unpaired(ctx, [ctx.position(k) for k in unpaired], pool)
    return replace(result, problems=problems)


def _has_published(session: Session, cohort: Cohort) -> bool:
    return bool(list_groups(session, cohort=cohort, states=("published",)))


def run_matching(session: Session, *, cohort: Cohort, actor: Facilitator | None = None) -> MatchRun:
    """Propose the best groups, keeping locked ones; says what changed against the last run.

    Among equally good groupings the one keeping most of the proposed pairs wins, so a
    re-run never moves reviewed pairs for nothing.
    """
    if _has_published(session, cohort):
        raise Conflict(_("the pairs are published; end a pairing to re-pair its people"))
    before = list_groups(session, cohort=cohort, states=("proposed",))
    old = as_result(before) if before else None
    people = people_of(session, cohort)
    ctx = match_context(session, cohort=cohort, people=people)
    locked = [[p.email for p in v.members] for v in before if v.group.locked]
    reviewed = [[p.email for p in v.members] for v in before if not v.group.locked]
    excluded = [p.email for p in people if p.excluded]
    result = solve_context(ctx, locked=locked, excluded=excluded, prefer=reviewed)
    session.exec(
        delete(BuddyGroup).where(
            col(BuddyGroup.cohort_id) == cohort.id, col(BuddyGroup.state) == "proposed"
        )
    )
    store_groups(session, cohort, result.groups, people=people)
    record_event(
        session,
        actor=actor_label(actor),
        action="matching.run",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={
            "groups": len(result.groups),
            "unpaired": len(result.unpaired),
            "total": result.total,
            "bound": result.upper_bound,
        },
    )
    names = {p.key: p.name for p in ctx.people}
    return MatchRun(result, diff_results(old, result, names=names) if old is not None else None)


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
        raise Conflict(_("the pairs are published; end a pairing to re-pair its people"))
    ctx = match_context(session, cohort=cohort)
    old = current_result(session, cohort=cohort)
    new = swap_members(old, a.email, b.email, ctx)
    changed = [g for g in new.groups if g not in old.groups]
    changed_keys = {k for g in changed for k in g.members}
    for view in list_groups(session, cohort=cohort, states=("proposed",)):
        if {p.email for p in view.members} & changed_keys:
            session.delete(view.group)
    session.flush()
    store_groups(
        session,
        cohort,
        [Group(g.members, g.score, g.reasons, g.participant_reasons, True) for g in changed],
    )
    record_event(
        session,
        actor=actor_label(actor),
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
        raise Conflict(_("there is nothing to publish: run the matching first"))
    unpaired = current_result(session, cohort=cohort).unpaired
    if unpaired:
        names = names_of(session, cohort=cohort)
        raise Conflict(
            ngettext(
                "%(num)s participant has no buddy yet: %(names)s",
                "%(num)s participants have no buddy yet: %(names)s",
                len(unpaired),
                names=format_list([names.get(k, k) for k in unpaired]),
            )
        )
    now = utcnow()
    for view in views:
        view.group.state = "published"
        view.group.published_at = now
        session.add(view.group)
        remember_pairs(session, cohort, view.members)
    if cohort.status == "draft":
        cohort.status = "paired"
        session.add(cohort)
    session.flush()
    record_event(
        session,
        actor=actor_label(actor),
        action="matching.publish",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"groups": len(views)},
    )
    return len(views)


def explain_pair(session: Session, *, cohort: Cohort, a: Participant, b: Participant) -> list[str]:
    """Why two people are not (or could be) buddies: each blocking rule, or their score."""
    ctx = match_context(session, cohort=cohort)
    locked = [
        [p.email for p in v.members] for v in list_groups(session, cohort=cohort) if v.group.locked
    ]
    excluded = [p.email for p in people_of(session, cohort) if p.excluded]
    return why_not(a.email, b.email, ctx, locked=locked, excluded=excluded)


def compatibility(session: Session, *, cohort: Cohort) -> Matrix:
    """Every pair's score and every blocked pair with its rule (for audit and the heat map)."""
    people, options = engine_input(session, cohort)
    return score_matrix(people, **options)


def participant_by_id(session: Session, *, cohort: Cohort, participant_id: int) -> Participant:
    """A participant of this cohort (NotFound otherwise)."""
    p = session.get(Participant, participant_id)
    if p is None or p.cohort_id != cohort.id:
        raise NotFound(_("no such participant"))
    return p


def participant_by_email(session: Session, *, cohort: Cohort, email: str) -> Participant:
    """A participant of this cohort by e-mail (NotFound otherwise)."""
    p = session.exec(
        select(Participant).where(
            Participant.cohort_id == cohort.id, Participant.email == email.strip().lower()
        )
    ).first()
    if p is None:
        raise NotFound(_("no participant %(email)s in this cohort", email=email))
    return p


def matrix_to_json(matrix: Matrix) -> dict[str, Any]:
    """The compatibility matrix as auditable JSON."""
    return {
        "participants": matrix.keys,
        "scores": matrix.scores,
        "blocked": [{"a": a, "b": b, "rule": rule} for a, b, rule in matrix.blocked],
    }


def result_to_json(result: MatchResult, *, state: PairingState | None = None) -> dict[str, Any]:
    """Groups, total and unpaired, plus why anyone is unpaired (and the pairing's state)."""
    data = result.to_json()
    if state is not None:
        data = {"state": state, **data}
    data["problems"] = [
        {"people": list(p.keys), "message": p.message, "relaxations": list(p.relaxations)}
        for p in result.problems
    ]
    return data


def proof_text(result: MatchResult) -> str | None:
    """The proof in words, in the reader's language: "bound 137.00 · optimal" or with the gap.

    None when the result carries no bound (before a run, or after changes by hand).
    """
    gap = result.gap
    if result.upper_bound is None or gap is None:
        return None
    language = current_language()
    bound = numbers.format_decimal(result.upper_bound, format="#,##0.00", locale=language)
    if gap == 0.0:
        return _("bound %(bound)s · optimal", bound=bound)
    # Two significant digits: a gap of 0.012 % must not read as "0 %", which says optimal.
    share = numbers.format_percent(float(f"{gap:.2g}"), locale=language, decimal_quantization=False)
    return _("bound %(bound)s · gap %(gap)s", bound=bound, gap=share)
