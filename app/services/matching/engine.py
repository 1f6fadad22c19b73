"""Buddy matching engine (pure): scores, hard constraints, the optimum and its explanations.

Entry points: ``solve`` (or ``solve_context`` with a prepared ``build_context``),
``score_matrix``, ``why_not``, ``swap_members``, ``diff_results``, ``repair_after_end``.
The method and its optimality argument are described in ``matching_solve``.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext as _
from app.services.matching.context import MatchContext, build_context, normalise_key
from app.services.matching.explain import describe_group, describe_rule, explain_unpaired, why_not
from app.services.matching.ops import diff_results, repair_after_end, swap_members
from app.services.matching.rows import score_pool
from app.services.matching.solve import solve_pool
from app.services.matching.types import (
    RULES,
    SCALE,
    Group,
    HistoryMode,
    MatchPerson,
    MatchProblem,
    MatchResult,
    Matrix,
    ResultDiff,
    Weights,
    rank_level,
    tenure_band,
)

__all__ = [
    "RULES",
    "Group",
    "HistoryMode",
    "MatchContext",
    "MatchPerson",
    "MatchProblem",
    "MatchResult",
    "Matrix",
    "ResultDiff",
    "Weights",
    "build_context",
    "diff_results",
    "group_for",
    "preferred_pairs",
    "rank_level",
    "repair_after_end",
    "score_matrix",
    "solve",
    "solve_context",
    "swap_members",
    "tenure_band",
    "why_not",
]


def _locked_positions(
    ctx: MatchContext, locked: Sequence[Sequence[str]], excluded: set[int]
) -> list[list[int]]:
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    groups: list[list[int]] = []
    for number, group in enumerate(locked, start=1):
        where = _("locked group %(number)s", number=number)
        members = sorted({ctx.position(k) for k in group})
        if not 2 <= len(members) <= 3:
            problems.append(Problem(where, _("a locked group has two or three members"), "locked"))
            continue
        for i in members:
            name = ctx.people[i].name
            if i in excluded:
                problems.append(Problem(where, _("%(name)s is also excluded", name=name), "locked"))
            if i in seen:
                problems.append(
                    Problem(
                        where,
                        _("%(name)s is also in locked group %(number)s", name=name, number=seen[i]),
                        "locked",
                    )
                )
            seen[i] = number
        for a, b in itertools.combinations(members, 2):
            problems.extend(
                Problem(where, describe_rule(ctx, a, b, rule), rule)
                for rule in ctx.block_rules(a, b)
            )
        groups.append(members)
    if problems:
        raise InvalidInput(_("The locked groups cannot be kept"), problems)
    return groups


def preferred_pairs(ctx: MatchContext, groups: Sequence[Sequence[str]]) -> set[frozenset[int]]:
    """Return every two-person link inside ``groups`` as positions (unknown keys skipped)."""
    found: set[frozenset[int]] = set()
    for group in groups:
        members = sorted({i for k in group if (i := ctx.index.get(normalise_key(k))) is not None})
        found.update(frozenset(p) for p in itertools.combinations(members, 2))
    return found


def solve_context(
    ctx: MatchContext,
    *,
    locked: Sequence[Sequence[str]] = (),
    excluded: Collection[str] = (),
    prefer: Sequence[Sequence[str]] = (),
) -> MatchResult:
    """Return the best grouping of a prepared roster; locked groups stay, excluded keys stay out.

    Among groupings of equal score, the one keeping most of the ``prefer`` groups' pairs wins,
    so a re-run moves nobody for nothing.
    """
    gone = {ctx.position(k) for k in excluded}
    locked_groups = _locked_positions(ctx, locked, gone)
    taken = gone | {i for g in locked_groups for i in g}
    pool = [i for i in range(len(ctx.people)) if i not in taken]
    found = solve_pool(ctx, pool, prefer=preferred_pairs(ctx, prefer))
    groups = [describe_group(ctx, g, locked=True) for g in locked_groups]
    groups += [
        describe_group(ctx, p, points=points)
        for p, points in zip(found.pairs, found.pair_points, strict=True)
    ]
    if found.trio is not None:
        groups.append(describe_group(ctx, found.trio, points=found.trio_points))
    groups.sort(key=lambda g: g.members)
    problems = explain_unpaired(ctx, found.unpaired, pool, locked=locked_groups, excluded=gone)
    trios = [g for g in groups if len(g.members) == 3]
    if len(trios) > 1:
        problems.append(
            MatchProblem(
                keys=tuple(k for g in trios for k in g.members),
                message=_("Two groups of three: a locked group already has three members"),
                relaxations=(_("unlock the locked group of three"),),
            )
        )
    locked_points = sum(round(g.score * SCALE) for g in groups if g.locked)
    return MatchResult(
        groups=groups,
        total=(locked_points + found.total) / SCALE,
        unpaired=[ctx.people[i].key for i in found.unpaired],
        problems=problems,
        optimal=found.optimal,
        upper_bound=(locked_points + found.upper_bound) / SCALE,
    )


def solve(
    people: Sequence[MatchPerson],
    *,
    weights: Weights | None = None,
    history: Collection[frozenset[str]] = (),
    history_mode: HistoryMode = "forbid",
    extra_manager_links: Mapping[str, str] | None = None,
    locked: Sequence[Sequence[str]] = (),
    excluded: Collection[str] = (),
    prefer: Sequence[Sequence[str]] = (),
) -> MatchResult:
    """Return the best buddy groups for ``people`` under every hard constraint, explained."""
    ctx = build_context(
        people,
        weights=weights,
        history=history,
        history_mode=history_mode,
        extra_manager_links=extra_manager_links,
    )
    return solve_context(ctx, locked=locked, excluded=excluded, prefer=prefer)


def score_matrix(
    people: Sequence[MatchPerson],
    *,
    weights: Weights | None = None,
    history: Collection[frozenset[str]] = (),
    history_mode: HistoryMode = "forbid",
    extra_manager_links: Mapping[str, str] | None = None,
) -> Matrix:
    """Return every pair's score (blocked pairs keep theirs) and each rule blocking a pair."""
    ctx = build_context(
        people,
        weights=weights,
        history=history,
        history_mode=history_mode,
        extra_manager_links=extra_manager_links,
    )
    table = score_pool(ctx, range(len(ctx.people)))
    scores: list[list[float]] = (table.scores / SCALE).tolist()
    us, vs = np.nonzero(np.triu(~table.allowed, 1))
    blocked = [
        (ctx.key(i), ctx.key(j), rule)
        for i, j in zip(us.tolist(), vs.tolist(), strict=True)
        for rule in ctx.block_rules(i, j)
    ]
    return Matrix(keys=[p.key for p in ctx.people], scores=scores, blocked=blocked)


def group_for(result: MatchResult, key: str) -> Group | None:
    """Return the group holding ``key`` in ``result``, or None when they are unpaired."""
    wanted = normalise_key(key)
    return next((g for g in result.groups if wanted in g.members), None)
