"""Facilitator operations on a result: swap two people, compare results, repair after an end."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence

from app.core.errors import InvalidInput, Problem
from app.core.i18n import format_list
from app.core.i18n import gettext as _
from app.services.matching.context import MatchContext
from app.services.matching.explain import describe_group, describe_rule, explain_unpaired
from app.services.matching.solve import solve_pool
from app.services.matching.types import SCALE, Group, MatchProblem, MatchResult, ResultDiff


def _total(groups: Sequence[Group]) -> float:
    return sum(round(g.score * SCALE) for g in groups) / SCALE


def _check_members(ctx: MatchContext, members: Sequence[int]) -> None:
    problems = [
        Problem(
            _("%(a)s and %(b)s", a=ctx.people[a].name, b=ctx.people[b].name),
            describe_rule(ctx, a, b, rule),
            rule,
        )
        for a, b in itertools.combinations(sorted(members), 2)
        for rule in ctx.block_rules(a, b)
    ]
    if problems:
        raise InvalidInput(_("Cannot swap: %(reason)s", reason=problems[0].message), problems)


def swap_members(result: MatchResult, a: str, b: str, ctx: MatchContext) -> MatchResult:
    """Return ``result`` with ``a`` and ``b`` trading places; InvalidInput names a broken rule."""
    ia, ib = ctx.position(a), ctx.position(b)
    ka, kb = ctx.key(ia), ctx.key(ib)
    na, nb = ctx.people[ia].name, ctx.people[ib].name
    ga = next((g for g in result.groups if ka in g.members), None)
    gb = next((g for g in result.groups if kb in g.members), None)
    if ga is None and gb is None:
        raise InvalidInput(_("Cannot swap: neither %(a)s nor %(b)s is in a group", a=na, b=nb))
    if ga is gb:
        raise InvalidInput(
            _("Cannot swap: %(a)s and %(b)s are already in the same group", a=na, b=nb)
        )
    for group in (ga, gb):
        if group is not None and group.locked:
            names = [ctx.people[ctx.position(k)].name for k in group.members]
            raise InvalidInput(
                _("Cannot swap: the group of %(names)s is locked", names=format_list(names))
            )
    replaced: dict[int, Group] = {}
    new_groups: list[Group] = []
    for group, leaving, joining in ((ga, ka, ib), (gb, kb, ia)):
        if group is None:
            continue
        members = [ctx.position(k) for k in group.members if k != leaving] + [joining]
        _check_members(ctx, members)
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


def diff_results(
    old: MatchResult, new: MatchResult, *, names: Mapping[str, str] | None = None
) -> ResultDiff:
    """Return the groups added, removed and kept, who changed buddies and the score change.

    ``changes`` name people by ``names`` (key to name) where given, else by key.
    """
    named = names or {}
    before = {g.members: g for g in old.groups}
    after = {g.members: g for g in new.groups}
    partners_before = {k: g.members for g in old.groups for k in g.members}
    partners_after = {k: g.members for g in new.groups for k in g.members}
    moved = sorted(
        k
        for k in set(partners_before) | set(partners_after) | set(old.unpaired) | set(new.unpaired)
        if partners_before.get(k) != partners_after.get(k)
    )

    def others(key: str, members: tuple[str, ...] | None) -> str:
        return format_list([named.get(m, m) for m in members or () if m != key])

    def change(key: str) -> str:
        name = named.get(key, key)
        was, now = others(key, partners_before.get(key)), others(key, partners_after.get(key))
        if was and now:
            return _(
                "%(name)s was with %(was)s and is now with %(now)s", name=name, was=was, now=now
            )
        if was:
            return _("%(name)s was with %(was)s and is now without a buddy", name=name, was=was)
        if now:
            return _("%(name)s was without a buddy and is now with %(now)s", name=name, now=now)
        return _("%(name)s was without a buddy and is still without one", name=name)

    changes = [change(k) for k in moved]
    return ResultDiff(
        added=[g for m, g in sorted(after.items()) if m not in before],
        removed=[g for m, g in sorted(before.items()) if m not in after],
        kept=[g for m, g in sorted(after.items()) if m in before],
        moved=moved,
        changes=changes,
        score_change=(round(new.total * SCALE) - round(old.total * SCALE)) / SCALE,
    )


def repair_after_end(
    groups: Sequence[Group],
    *,
    ctx: MatchContext,
    ended: Sequence[Sequence[str]] = (),
    removed: Collection[str] = (),
    waiting: Collection[str] = (),
    apart: Sequence[Sequence[str]] = (),
) -> MatchResult:
    """Re-pair the people whose group ended (or lost members), touching no other group.

    ``waiting`` are people already without a group; ``apart`` are earlier groups whose
    members must not be put together again (members of an ``ended`` group never are). A trio
    that loses one member stays a pair. The people to re-pair are grouped among themselves
    at the optimum (a trio only when no group of three is left); nobody is moved into or
    out of another group, so anyone still alone waits and is reported with the reason.
    """
    gone = {ctx.position(k) for k in removed}
    ended_sets = {frozenset(ctx.position(k) for k in group) for group in ended}
    known = {frozenset(ctx.position(k) for k in g.members) for g in groups}
    for members in sorted(ended_sets - known, key=sorted):
        names = format_list(sorted(ctx.people[i].name for i in members))
        raise InvalidInput(_("No current group has exactly the members %(names)s", names=names))
    separate = [*ended_sets, *(frozenset(ctx.position(k) for k in g) for g in apart)]
    forbid = {frozenset(p) for s in separate for p in itertools.combinations(sorted(s), 2)}
    result: list[Group] = []
    orphans = sorted({ctx.position(k) for k in waiting} - gone)
    for group in groups:
        positions = sorted(ctx.position(k) for k in group.members)
        staying = [i for i in positions if i not in gone]
        if frozenset(positions) in ended_sets or len(staying) < 2:
            orphans.extend(staying)
        elif len(staying) == len(positions):
            result.append(group)
        else:
            result.append(describe_group(ctx, staying))
    has_trio = any(len(g.members) == 3 for g in result)
    found = solve_pool(ctx, sorted(set(orphans)), allow_trio=not has_trio, forbid=forbid)
    result.extend(
        describe_group(ctx, p, points=points)
        for p, points in zip(found.pairs, found.pair_points, strict=True)
    )
    if found.trio is not None:
        result.append(describe_group(ctx, found.trio, points=found.trio_points))
    result.sort(key=lambda g: g.members)
    pool = sorted({ctx.position(k) for g in result for k in g.members} | set(found.unpaired))
    problems: list[MatchProblem] = explain_unpaired(ctx, found.unpaired, pool)
    return MatchResult(
        groups=result,
        total=_total(result),
        unpaired=[ctx.key(i) for i in sorted(found.unpaired)],
        problems=problems,
        optimal=False,
    )
