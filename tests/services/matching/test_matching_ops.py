"""Facilitator operations: swaps, result diffs and repairs after a pairing ends."""

from __future__ import annotations

import pytest

from app.core.errors import InvalidInput
from app.services.matching.engine import (
    Group,
    build_context,
    diff_results,
    repair_after_end,
    solve_context,
    swap_members,
)
from tests.services.matching.factories import person

KEYS = [f"p{i}@x.example" for i in range(6)]


def _ctx(**extra: object):  # type: ignore[no-untyped-def]
    people = [person(k, function="FSITLM"[i]) for i, k in enumerate(KEYS)]
    return build_context(people, **extra)  # type: ignore[arg-type]


def _members(groups: list[Group]) -> list[tuple[str, ...]]:
    return [g.members for g in groups]


def test_swap_members_trades_places_and_recomputes_the_total() -> None:
    ctx = _ctx()
    result = solve_context(ctx, locked=[[KEYS[0], KEYS[1]], [KEYS[2], KEYS[3]]])
    unlocked = solve_context(ctx)
    swapped = swap_members(
        unlocked, unlocked.groups[0].members[0], unlocked.groups[1].members[0], ctx
    )
    assert len(swapped.groups) == 3
    assert swapped.total == 6.0
    with pytest.raises(InvalidInput, match="is locked"):
        swap_members(result, KEYS[0], KEYS[2], ctx)


def test_swap_members_refuses_a_swap_that_breaks_a_rule() -> None:
    people = [
        person(KEYS[0], avoid=frozenset({KEYS[3]})),
        person(KEYS[1]),
        person(KEYS[2], manager_key=KEYS[1]),
        person(KEYS[3]),
    ]
    ctx = build_context(people, history={frozenset((KEYS[2], KEYS[3]))})
    result = solve_context(ctx)
    assert _members(result.groups) == [(KEYS[0], KEYS[2]), (KEYS[1], KEYS[3])]
    with pytest.raises(InvalidInput) as raised:
        swap_members(result, KEYS[0], KEYS[1], ctx)
    assert raised.value.message == "Cannot swap: P1 is in P2's management chain"


def test_diff_results_lists_moves_and_score_change() -> None:
    ctx = _ctx()
    old = solve_context(ctx)
    new = swap_members(old, old.groups[0].members[0], old.groups[1].members[0], ctx)
    diff = diff_results(old, new)
    a, b = old.groups[0].members[0], old.groups[1].members[0]
    assert diff.kept == [old.groups[2]]
    assert diff.moved == sorted([*old.groups[0].members, *old.groups[1].members])
    names = {p.key: p.name for p in ctx.people}
    named = diff_results(old, new, names=names)
    assert (
        f"{names[a]} was with {names[old.groups[0].members[1]]} and is now with "
        in (named.changes[0])
    )
    assert all("@" not in line for line in named.changes)
    assert diff.score_change == 0.0
    assert [g.members for g in diff.removed] == [old.groups[0].members, old.groups[1].members]
    assert b in diff.moved


def test_repair_after_end_pairs_the_two_singles_and_touches_no_one_else() -> None:
    ctx = _ctx()
    groups = solve_context(ctx).groups
    repaired = repair_after_end(groups, ctx=ctx, ended=[groups[0].members, groups[1].members])
    assert groups[2] in repaired.groups
    new_pairs = {frozenset(g.members) for g in repaired.groups if g is not groups[2]}
    assert new_pairs & {frozenset(groups[0].members), frozenset(groups[1].members)} == set()
    assert repaired.unpaired == []
    assert sorted(len(g.members) for g in repaired.groups) == [2, 2, 2]


def test_repair_after_end_leaves_a_single_waiting_and_every_other_group_as_it_was() -> None:
    ctx = _ctx()
    groups = solve_context(ctx).groups
    repaired = repair_after_end(groups, ctx=ctx, removed=[groups[0].members[0]])
    assert repaired.groups == groups[1:]
    assert repaired.unpaired == [groups[0].members[1]]


def test_repair_after_end_never_splits_a_trio_nor_makes_a_second_one() -> None:
    people = [person(f"p{i}@x.example", function="FSITLMN"[i]) for i in range(7)]
    ctx = build_context(people)
    groups = solve_context(ctx).groups
    pair = next(g for g in groups if len(g.members) == 2)
    repaired = repair_after_end(groups, ctx=ctx, ended=[pair.members])
    assert repaired.groups == [g for g in groups if g != pair]
    assert repaired.unpaired == sorted(pair.members)


def test_repair_after_end_pairs_the_ended_people_with_those_already_waiting() -> None:
    ctx = _ctx()
    groups = solve_context(ctx).groups
    ended, kept = groups[0], groups[1:]
    waiting = list(groups[1].members)
    repaired = repair_after_end(
        groups[:1] + groups[2:], ctx=ctx, ended=[ended.members], waiting=waiting
    )
    assert [g for g in repaired.groups if g in kept] == groups[2:]
    fresh = [set(g.members) for g in repaired.groups if g not in kept]
    assert sorted(len(g) for g in fresh) == [2, 2]
    assert all(len(g & set(ended.members)) == 1 for g in fresh)
    assert repaired.unpaired == []


def test_repair_after_end_keeps_earlier_ended_groups_apart() -> None:
    ctx = _ctx()
    groups = solve_context(ctx).groups
    first, second = groups[0].members, groups[1].members
    crossed = [[first[0], second[0]], [first[1], second[1]]]
    repaired = repair_after_end(
        groups[2:], ctx=ctx, waiting=[*first, *second], apart=[first, second, *crossed]
    )
    fresh = {frozenset(g.members) for g in repaired.groups if g not in groups[2:]}
    assert fresh == {frozenset((first[0], second[1])), frozenset((first[1], second[0]))}


def test_repair_after_end_rejects_an_unknown_group() -> None:
    ctx = _ctx()
    groups = solve_context(ctx).groups
    with pytest.raises(InvalidInput, match="No current group has exactly the members"):
        repair_after_end(groups, ctx=ctx, ended=[[KEYS[0], KEYS[5], KEYS[3]]])
