"""After publishing: a pairing ends, only its people are re-paired, the rest may wait.

A facilitator ending one pairing expects every other pair to stay exactly as it is: those
pairs have met, agreed how they work and shared answers with each other. So the people of
the ended group are paired among themselves and with anyone already waiting (never with
someone they were grouped with before in this cohort), at the optimum and with the one-trio
rule. Whoever is still alone waits. Nobody is added to another pair automatically: a
newcomer in a pair reads everything its members share with their buddy, including what
they shared before, and that is the facilitator's call to make (``join_group``), with the
pair's best candidates shown on the page.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlmodel import Session

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.i18n import format_list
from app.core.i18n import gettext as _
from app.models import BuddyMember, Cohort, Facilitator, Participant
from app.models.matching import END_REASONS
from app.services.matching.engine import MatchContext, MatchProblem, MatchResult, repair_after_end
from app.services.matching.explain import describe_group, describe_rule
from app.services.matching.pairing_store import (
    GroupView,
    actor_label,
    as_result,
    end_state,
    get_group,
    list_groups,
    match_context,
    people_of,
    remember_pairs,
    store_groups,
)
from app.services.matching.types import SCALE
from app.services.ops import record_event

JOIN_OPTIONS = 3


@dataclass(frozen=True, slots=True)
class JoinOption:
    """A published pair a waiting person may join, and what the three would score."""

    group_id: int
    names: list[str]
    score: float


@dataclass(frozen=True, slots=True)
class Waiting:
    """Someone without a buddy after publishing: why, and the pairs they could join."""

    participant: Participant
    problem: MatchProblem
    options: list[JoinOption]


def _ended_views(session: Session, cohort: Cohort) -> list[GroupView]:
    return list_groups(session, cohort=cohort, states=("ended",))


def _waiting(session: Session, cohort: Cohort) -> list[Participant]:
    grouped = {p.id for v in list_groups(session, cohort=cohort) for p in v.members}
    return [p for p in people_of(session, cohort) if not p.excluded and p.id not in grouped]


def _apart(ended: list[GroupView]) -> set[frozenset[str]]:
    """Every two people who were in one group of this cohort that has ended."""
    return {
        frozenset(pair)
        for v in ended
        for pair in itertools.combinations(sorted(p.email for p in v.members), 2)
    }


def _blockers(ctx: MatchContext, apart: set[frozenset[str]], who: str, other: str) -> list[str]:
    i, j = ctx.position(who), ctx.position(other)
    reasons = [describe_rule(ctx, i, j, rule) for rule in ctx.block_rules(i, j)]
    if frozenset((ctx.key(i), ctx.key(j))) in apart:
        reasons.append(_("Their pairing in this cohort has ended"))
    return reasons


def waiting_people(session: Session, *, cohort: Cohort) -> list[Waiting]:
    """Who has no buddy since publishing, why, and the best pairs each could join."""
    waiting = _waiting(session, cohort)
    if not waiting:
        return []
    ctx = match_context(session, cohort=cohort)
    ended = _ended_views(session, cohort)
    apart = _apart(ended)
    pairs = [
        v for v in list_groups(session, cohort=cohort, states=("published",)) if len(v.members) == 2
    ]
    found: list[Waiting] = []
    for person in waiting:
        me = ctx.position(person.email)
        options = [
            JoinOption(
                group_id=v.group.id or 0,
                names=[m.name for m in v.members],
                score=v.group.score
                + sum(ctx.score(me, ctx.position(m.email)) for m in v.members) / SCALE,
            )
            for v in pairs
            if not any(_blockers(ctx, apart, person.email, m.email) for m in v.members)
        ]
        options.sort(key=lambda o: (-o.score, o.group_id))
        before = [
            m.name
            for v in ended
            if person.id in {p.id for p in v.members}
            for m in v.members
            if m.id != person.id
        ]
        if before:
            message = _(
                "%(name)s is waiting for a buddy: their pairing with %(before)s ended, and "
                "nobody else without a buddy can be paired with them",
                name=person.name,
                before=format_list(before),
            )
        else:
            message = _(
                "%(name)s is waiting for a buddy, and nobody else without a buddy can be "
                "paired with them",
                name=person.name,
            )
        help_ = (
            (_("add them to one of the pairs below as a group of three"),)
            if options
            else (_("no pair can take them without breaking a rule"),)
        )
        problem = MatchProblem(keys=(person.email,), message=message, relaxations=help_)
        found.append(Waiting(person, problem, options[:JOIN_OPTIONS]))
    return found


def end_group(
    session: Session,
    *,
    cohort: Cohort,
    group_id: int,
    reason: str,
    actor: Facilitator | None = None,
) -> MatchResult:
    """End a published pairing for a neutral reason and re-pair only its people.

    They are paired among themselves and with anyone already waiting; every other group
    stays as it is. Returns the live groups afterwards, with who is left waiting.
    """
    if reason not in END_REASONS:
        raise InvalidInput(
            _("unknown reason"),
            [
                Problem(
                    _("reason"),
                    _("must be one of: %(choices)s", choices=", ".join(END_REASONS)),
                    "reason",
                )
            ],
        )
    group = get_group(session, cohort=cohort, group_id=group_id)
    if group.state != "published":
        raise Conflict(_("only a published pairing can end"))
    live = list_groups(session, cohort=cohort)
    ended = next(v for v in live if v.group.id == group.id)
    members = [p.email for p in ended.members]
    leaving = [p.email for p in ended.members if p.excluded] if reason == "left_program" else []
    waiting = [p.email for p in _waiting(session, cohort)]
    ctx = match_context(session, cohort=cohort)
    result = repair_after_end(
        as_result(live).groups,
        ctx=ctx,
        # Someone left the program: the others did not fall out, so they may stay together.
        ended=[] if leaving else [members],
        removed=leaving,
        waiting=waiting,
        apart=[[p.email for p in v.members] for v in _ended_views(session, cohort)],
    )
    before = {tuple(sorted(p.email for p in v.members)) for v in live if v is not ended}
    fresh = [g for g in result.groups if g.members not in before]
    moving = set(members) | set(waiting)
    assert all(set(g.members) <= moving for g in fresh), "only the ended group is re-paired"
    end_state(group, reason)
    session.add(group)
    session.flush()
    store_groups(session, cohort, fresh, state="published")
    people = {p.email: p for p in people_of(session, cohort)}
    for g in fresh:
        remember_pairs(session, cohort, [people[k] for k in g.members])
    session.flush()
    record_event(
        session,
        actor=actor_label(actor),
        action="matching.end",
        object_type="buddy_group",
        object_id=group.id or "",
        cohort_id=cohort.id,
        detail={"reason": reason, "new_groups": len(fresh), "waiting": len(result.unpaired)},
    )
    return result


def join_group(
    session: Session,
    *,
    cohort: Cohort,
    participant: Participant,
    group_id: int,
    actor: Facilitator | None = None,
) -> GroupView:
    """Add someone waiting for a buddy to a published pair, which becomes a group of three."""
    group = get_group(session, cohort=cohort, group_id=group_id)
    view = next((v for v in list_groups(session, cohort=cohort) if v.group.id == group.id), None)
    if view is None or group.state != "published":
        raise Conflict(_("only a published pair can take someone in"))
    if len(view.members) != 2:
        raise Conflict(_("this group already has three members"))
    if participant.id not in {p.id for p in _waiting(session, cohort)}:
        raise Conflict(_("%(name)s is not waiting for a buddy", name=participant.name))
    ctx = match_context(session, cohort=cohort)
    apart = _apart(_ended_views(session, cohort))
    problems = [
        Problem(_("%(a)s and %(b)s", a=participant.name, b=m.name), reason, "join")
        for m in view.members
        for reason in _blockers(ctx, apart, participant.email, m.email)
    ]
    if problems:
        raise InvalidInput(_("%(name)s cannot join this pair", name=participant.name), problems)
    assert group.id is not None
    assert participant.id is not None
    session.add(BuddyMember(group_id=group.id, participant_id=participant.id))
    described = describe_group(
        ctx, [ctx.position(p.email) for p in [*view.members, participant]], locked=group.locked
    )
    group.score = described.score
    group.reasons = described.reasons
    group.participant_reasons = described.participant_reasons
    session.add(group)
    for member in view.members:
        remember_pairs(session, cohort, [member, participant])
    session.flush()
    record_event(
        session,
        actor=actor_label(actor),
        action="matching.join",
        object_type="buddy_group",
        object_id=group.id,
        cohort_id=cohort.id,
        detail={"members": 3},
    )
    return GroupView(group, sorted([*view.members, participant], key=lambda p: p.name))
