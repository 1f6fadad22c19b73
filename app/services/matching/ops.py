"""Facilitator operations on a result: swap two people, compare results, repair after an end."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence

from app.core.errors import InvalidInput, Problem
from app.services.matching.context import MatchContext
from app.services.matching.explain import describe_group, describe_rule, explain_unpaired
from app.services.matching.solve import solve_pool
from app.services.matching.types import SCALE, Group, MatchProblem, MatchResult, ResultDiff


def _total(groups: Sequence[Group]) -> float:
    return sum(round(g.score * SCALE) for g in groups) / SCALE


def _check_members(ctx: MatchContext, members: Sequence[int], action: str) -> None:
    problems = [
        Problem(f"{ctx.key(a)} and {ctx.key(b)}", describe_rule(ctx, a, b, rule), rule)
        for a, b in itertools.combinations(sorted(members), 2)
        for rule in ctx.block_rules(a, b)
    ]
    if problems:
        raise InvalidInput(f"Cannot {action}: {problems[0].message}", problems)


def swap_members(result: MatchResult, a: str, b: str, ctx: MatchContext) -> MatchResult:
    """Return ``result`` with ``a`` and ``b`` trading places; InvalidInput names a broken rule."""
    ia, ib = ctx.position(a), ctx.position(b)
    ka, kb = ctx.key(ia), ctx.key(ib)
    ga = next((g for g in result.groups if ka in g.members), None)
    gb = next((g for g in result.groups if kb in g.members), None)
    if ga is None and gb is None:
        raise InvalidInput(f"Cannot swap: neither {ka} nor {kb} is in a group")
    if ga is gb:
        raise InvalidInput(f"Cannot swap: {ka} and {kb} are already in the same group")
    for group in (ga, gb):
        if group is not None and group.locked:
            raise InvalidInput(f"Cannot swap: the group of {', '.join(group.members)} is locked")
    replaced: dict[int, Group] = {}
    new_groups: list[Group] = []
    for group, leaving, joining in ((ga, ka, ib), (gb, kb, ia)):
        if group is None:
            continue
        members = [ctx.position(k) for k in group.members if k != leaving] + [joining]
        _check_members(ctx, members, "swap")
        replaced[id(group)] = describe_group(ctx, members)
        new_groups.append(replaced[id(group)])
    groups = sorted((replaced.get(id(g), g) for g in result.groups), key=lambda g: g.members)
    unpaired = sorted(
        {k for k in result.unpaired if k not in (ka, kb)}
        | ({ka} if gb is None else set())
        | ({kb} if ga is None else set())
    )
    pool = [ctx.position(k) for g in groups if not g.locked for k in g.members]
    pool += [ctx.position(k) for k in unpaired]
    return MatchResult(
        groups=groups,
        total=_total(groups),
        unpaired=unpaired,
        problems=explain_unpaired(ctx, [ctx.position(k) for k in unpaired], pool),
        optimal=False,
        upper_bound=result.upper_bound,
    )


def diff_results(old: MatchResult, new: MatchResult) -> ResultDiff:
    """Return the groups added, removed and kept, who changed buddies and the score change."""
    before = {g.members: g for g in old.groups}
    after = {g.members: g for g in new.groups}
    partners_before = {k: g.members for g in old.groups for k in g.members}
    partners_after = {k: g.members for g in new.groups for k in g.members}
    moved = sorted(
        k
        for k in set(partners_before) | set(partners_after) | set(old.unpaired) | set(new.unpaired)
        if partners_before.get(k) != partners_after.get(k)
    )

    def describe(key: str, members: tuple[str, ...] | None) -> str:
        others = [m for m in members or () if m != key]
        return "with " + " and ".join(others) if others else "unpaired"

    changes = [
        f"{k}: {describe(k, partners_before.get(k))} -> {describe(k, partners_after.get(k))}"
        for k in moved
    ]
    return ResultDiff(
        added=[g for m, g in sorted(after.items()) if m not in before],
        removed=[g for m, g in sorted(before.items()) if m not in after],
        kept=[g for m, g in sorted(after.items()) if m in before],
        moved=moved,
        changes=changes,
        score_change=(round(new.total * SCALE) - round(old.total * SCALE)) / SCALE,
    )


def _place_single(
    ctx: MatchContext,
    x: int,
    groups: list[list[int]],
    fixed: set[int],
    forbid: set[frozenset[int]],
) -> bool:
    """Place ``x`` into ``groups`` in place; return False when nowhere is allowed.

    Preference: no group of three yet -> join the pair where x adds the most; a trio
    exists -> take one trio member out to pair with x (no second trio); otherwise join a
    pair as a second trio. Groups at positions in ``fixed`` (locked) are never touched.
    """

    def ok(a: int, b: int) -> bool:
        return ctx.allowed(a, b) and frozenset((a, b)) not in forbid

    open_groups = [n for n in range(len(groups)) if n not in fixed]
    pairs = [n for n in open_groups if len(groups[n]) == 2]
    trios = [n for n in open_groups if len(groups[n]) == 3]
    join = [
        (ctx.score(x, groups[n][0]) + ctx.score(x, groups[n][1]), -n, n)
        for n in pairs
        if ok(x, groups[n][0]) and ok(x, groups[n][1])
    ]
    has_trio = any(len(g) == 3 for g in groups)
    if join and not has_trio:
        groups[max(join)[2]].append(x)
        return True
    split = [
        (ctx.score(t, x) - sum(ctx.score(t, o) for o in groups[n] if o != t), -n, -t, n, t)
        for n in trios
        for t in groups[n]
        if ok(t, x)
    ]
    if split:
        *_rest, n, t = max(split)
        groups[n].remove(t)
        groups.append([t, x])
        return True
    if join:
        groups[max(join)[2]].append(x)
        return True
    return False


def repair_after_end(
    groups: Sequence[Group],
    *,
    ctx: MatchContext,
    ended: Sequence[Sequence[str]] = (),
    removed: Collection[str] = (),
) -> MatchResult:
    """Re-pair people whose group ended or lost members, leaving every other group untouched.

    Members of an ended group never go back together. A trio that loses one member stays a
    pair. Orphans are paired among themselves first (best score); a remaining single joins
    the unlocked pair they add most to when no trio exists yet; when one exists, a member of
    that trio moves to the single instead, so a second trio is made only when nothing else
    is allowed. Anyone still alone is reported with the rules that cause it.
    """
    gone = {ctx.position(k) for k in removed}
    ended_sets = {frozenset(ctx.position(k) for k in group) for group in ended}
    known = {frozenset(ctx.position(k) for k in g.members) for g in groups}
    for members in sorted(ended_sets - known, key=sorted):
        names = ", ".join(sorted(ctx.key(i) for i in members))
        raise InvalidInput(f"No current group has exactly the members {names}")
    forbid = {frozenset(p) for s in ended_sets for p in itertools.combinations(sorted(s), 2)}
    kept: list[Group | None] = []
    current: list[list[int]] = []
    orphans: list[int] = []
    for group in groups:
        positions = sorted(ctx.position(k) for k in group.members)
        staying = [i for i in positions if i not in gone]
        if frozenset(positions) in ended_sets or len(staying) < 2:
            orphans.extend(staying)
            continue
        kept.append(group if len(staying) == len(positions) else None)
        current.append(staying)
    fixed = {n for n, g in enumerate(kept) if g is not None and g.locked}
    found = solve_pool(ctx, orphans, allow_trio=False, forbid=forbid)
    current.extend(list(p) for p in found.pairs)
    kept.extend(None for _ in found.pairs)
    alone = [x for x in found.unpaired if not _place_single(ctx, x, current, fixed, forbid)]
    if len(alone) >= 3 and not any(len(g) == 3 for g in current):
        retry = solve_pool(ctx, alone, allow_trio=True, forbid=forbid)
        if retry.trio is not None:
            current.append(list(retry.trio))
            current.extend(list(p) for p in retry.pairs)
            alone = retry.unpaired
    kept.extend(None for _ in range(len(current) - len(kept)))
    result: list[Group] = []
    for before, after in zip(kept, current, strict=True):
        if before is not None and sorted(ctx.position(k) for k in before.members) == sorted(after):
            result.append(before)
        else:
            result.append(describe_group(ctx, after))
    result.sort(key=lambda g: g.members)
    pool = sorted({i for g in current for i in g} | set(alone))
    problems: list[MatchProblem] = explain_unpaired(ctx, alone, pool)
    return MatchResult(
        groups=result,
        total=_total(result),
        unpaired=[ctx.key(i) for i in sorted(alone)],
        problems=problems,
        optimal=False,
    )
