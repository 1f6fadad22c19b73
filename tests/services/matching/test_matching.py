"""Buddy matching: optimality against brute force, hard constraints, determinism, history."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import InvalidInput
from app.services.matching.bound import rounded_matching
from app.services.matching.engine import (
    MatchPerson,
    MatchResult,
    Weights,
    build_context,
    diff_results,
    preferred_pairs,
    rank_level,
    score_matrix,
    solve,
    solve_context,
    tenure_band,
)
from app.services.matching.solve import solve_pool
from tests.services.matching.factories import (
    brute_force,
    brute_force_keeping,
    person,
    rosters,
    violations,
)

PROPERTY = settings(max_examples=60, deadline=None)


@pytest.mark.parametrize(
    ("level", "rank"),
    [
        ("L5", 5),
        ("M2", 2),
        ("Grade 7", 7),
        ("7", 7),
        ("Individual contributor", 1),
        ("Team Lead", 2),
        ("Manager", 3),
        ("Senior Manager", 4),
        ("Director", 5),
        ("Senior director", 6),
        ("VP of Sales", 7),
        ("Senior Vice President", 8),
        ("Chief Financial Officer", 10),
        ("", None),
        ("Wizard", None),
        (None, None),
    ],
)
def test_rank_level_understands_grades_and_titles(level: str | None, rank: int | None) -> None:
    assert rank_level(level) == rank


def test_tenure_band_splits_at_2_5_10_years() -> None:
    assert [tenure_band(y) for y in (0, 1.9, 2, 4.9, 5, 9.9, 10, 30, None)] == [
        0, 0, 1, 1, 2, 2, 3, 3, None,
    ]  # fmt: skip


@PROPERTY
@given(rosters(intake=True))
def test_solve_total_equals_brute_force_and_breaks_no_rule(people: list[MatchPerson]) -> None:
    ctx = build_context(people, extra_manager_links={"outside@corp.example": "p01@corp.example"})
    result = solve_context(ctx)
    covered, points = brute_force(ctx, list(range(len(people))))
    assert (len(people) - len(result.unpaired), round(result.total * 1000)) == (covered, points)
    assert violations(ctx, result) == []
    assert sum(len(g.members) == 3 for g in result.groups) <= 1
    assert result.optimal is True


def _kept(result: MatchResult, prefer: set[frozenset[int]], ctx: object) -> int:
    return sum(
        frozenset(ctx.position(k) for k in pair) in prefer  # type: ignore[attr-defined]
        for g in result.groups
        for pair in itertools.combinations(g.members, 2)
    )


@PROPERTY
@given(rosters(), st.randoms(use_true_random=False))
def test_solve_prefers_reviewed_pairs_only_among_equal_optima(
    people: list[MatchPerson], rnd: random.Random
) -> None:
    ctx = build_context(people, extra_manager_links={"outside@corp.example": "p01@corp.example"})
    keys = [p.key for p in ctx.people]
    rnd.shuffle(keys)
    reviewed = [keys[i : i + rnd.choice((2, 3))] for i in range(0, len(keys), 2)]
    prefer = preferred_pairs(ctx, reviewed)
    plain = solve_context(ctx)
    kept = solve_context(ctx, prefer=reviewed)
    covered, points, most = brute_force_keeping(ctx, list(range(len(people))), frozenset(prefer))
    assert (len(people) - len(kept.unpaired), round(kept.total * 1000)) == (covered, points)
    assert (kept.total, kept.upper_bound, kept.optimal) == (plain.total, plain.total, True)
    assert _kept(kept, prefer, ctx) == most
    assert violations(ctx, kept) == []
    assert sum(len(g.members) == 3 for g in kept.groups) <= 1


@pytest.mark.parametrize("size", [23, 91, 541])
def test_solve_rerun_with_a_lock_keeps_the_reviewed_pairs_and_its_bound(size: int) -> None:
    rnd = random.Random(15 if size == 23 else size)
    people = [
        person(
            f"p{i:03d}@x.example",
            level=rnd.choice(["Manager", "Director"]),
            function=rnd.choice(["Finance", "Sales", "IT"]),
            region=rnd.choice(["EMEA", "APAC"]),
            tenure_years=rnd.choice([1, 3, 7, 12]),
        )
        for i in range(size)
    ]
    ctx = build_context(people)
    first = solve_context(ctx)
    locked = [list(first.groups[0].members)]
    reviewed = [list(g.members) for g in first.groups[1:]]
    plain = solve_context(ctx, locked=locked)
    again = solve_context(ctx, locked=locked, prefer=reviewed)
    assert again.upper_bound is not None
    assert plain.upper_bound is not None
    # Each bound holds for the other arrangement too: the tie-break never lifts a bound
    # below a reachable total, and never changes what is reachable.
    assert again.total <= again.upper_bound
    assert plain.total <= again.upper_bound
    assert again.total <= plain.upper_bound
    assert again.total == plain.total
    assert again.optimal == plain.optimal == (size <= 80)
    if size == 23:
        assert len(diff_results(first, plain).moved) == 8
    assert diff_results(first, again).moved == []


@PROPERTY
@given(rosters(), st.randoms(use_true_random=False))
def test_solve_shuffled_input_gives_same_result(
    people: list[MatchPerson], rnd: random.Random
) -> None:
    shuffled = list(people)
    rnd.shuffle(shuffled)
    assert solve(shuffled).to_json() == solve(people).to_json()


@PROPERTY
@given(st.integers(1, 10).map(lambda k: 2 * k + 1), st.integers(0, 10_000))
def test_solve_odd_roster_without_rules_gives_exactly_one_trio(n: int, seed: int) -> None:
    rnd = random.Random(seed)
    people = [
        person(
            f"p{i:02d}@corp.example",
            function=rnd.choice(["Finance", "Sales", "IT"]),
            tenure_years=rnd.choice([1, 3, 7, 12]),
        )
        for i in range(n)
    ]
    result = solve(people)
    assert sorted(len(g.members) for g in result.groups) == [2] * (n // 2 - 1) + [3]
    assert result.unpaired == []


def test_solve_groups_everyone_with_their_best_partners() -> None:
    people = [
        person("ann@x.example", function="Finance", region="EMEA", tenure_years=1),
        person("bob@x.example", function="Finance", region="EMEA", tenure_years=12),
        person("cat@x.example", function="Sales", region="APAC", tenure_years=1),
        person("dan@x.example", function="Sales", region="APAC", tenure_years=12),
    ]
    result = solve(people)
    assert [g.members for g in result.groups] == [
        ("ann@x.example", "dan@x.example"),
        ("bob@x.example", "cat@x.example"),
    ]
    assert result.total == 9.0


def test_solve_second_cohort_never_repeats_a_pair() -> None:
    rnd = random.Random(7)
    people = [
        person(f"p{i}@x.example", function=rnd.choice("ABC"), region=rnd.choice("XY"))
        for i in range(10)
    ]
    first = solve(people)
    history = {frozenset(g.members) for g in first.groups}
    second = solve(people, history=history)
    assert {frozenset(g.members) for g in second.groups} & history == set()
    assert second.unpaired == []


def test_solve_history_penalty_mode_allows_a_repeat_at_lower_score() -> None:
    people = [
        person("ann@x.example", function="Finance"),
        person("bob@x.example", function="Sales"),
    ]
    history = {frozenset(("ann@x.example", "bob@x.example"))}
    forbidden = solve(people, history=history)
    penalised = solve(
        people, history=history, history_mode="penalty", weights=Weights(history_penalty=0.5)
    )
    assert (forbidden.groups, forbidden.unpaired) == ([], ["ann@x.example", "bob@x.example"])
    assert [(g.members, g.score) for g in penalised.groups] == [
        (("ann@x.example", "bob@x.example"), 1.5)
    ]


def test_solve_manager_chain_through_someone_outside_the_cohort_blocks_the_pair() -> None:
    people = [
        person("ceo@x.example", function="Board"),
        person("ic@x.example", function="Sales", manager_key="middle@x.example"),
        person("peer@x.example", function="IT"),
        person("other@x.example", function="Legal"),
    ]
    result = solve(people, extra_manager_links={"middle@x.example": "ceo@x.example"})
    assert all(set(g.members) != {"ceo@x.example", "ic@x.example"} for g in result.groups)
    assert result.unpaired == []


def test_solve_matches_networkx_reference_at_60_people() -> None:
    rnd = random.Random(60)
    people = [
        person(
            f"p{i:02d}@x.example",
            level=rnd.choice(["Manager", "Senior manager", "Director"]),
            function=rnd.choice(["Finance", "Sales", "IT", "HR"]),
            region=rnd.choice(["EMEA", "APAC"]),
            tenure_years=rnd.uniform(0, 20),
            tags=frozenset(rnd.sample(["a", "b", "c", "d", "e"], 2)),
            avoid=frozenset({f"p{rnd.randrange(60):02d}@x.example"}),
        )
        for i in range(60)
    ]
    ctx = build_context(people)
    graph = nx.Graph()
    for i in range(60):
        for j in range(i + 1, 60):
            if ctx.allowed(i, j):
                graph.add_edge(i, j, weight=ctx.score(i, j) + 1_000_000)
    reference = nx.max_weight_matching(graph, maxcardinality=True)
    expected = sum(ctx.score(a, b) for a, b in reference)
    result = solve_context(ctx)
    assert (len(result.groups), round(result.total * 1000)) == (len(reference), expected)


def test_solve_large_roster_stays_within_a_tenth_of_a_percent_of_its_bound() -> None:
    rnd = random.Random(5)
    people = [
        person(
            f"p{i:03d}@x.example",
            level=rnd.choice(["Manager", "Senior manager", "Director", "VP"]),
            function=rnd.choice(["Finance", "Sales", "IT", "HR", "Legal"]),
            region=rnd.choice(["EMEA", "APAC", "AMER"]),
            tenure_years=rnd.uniform(0, 20),
            tags=frozenset(rnd.sample(["a", "b", "c", "d", "e", "f"], 2)),
        )
        for i in range(541)
    ]
    ctx = build_context(people)
    result = solve_context(ctx)
    assert result.upper_bound is not None
    assert (result.optimal, result.unpaired, violations(ctx, result)) == (False, [], [])
    assert sum(len(g.members) == 3 for g in result.groups) == 1
    assert result.total >= 0.999 * result.upper_bound


def test_solve_keeps_locked_groups_and_leaves_excluded_out() -> None:
    people = [person(f"p{i}@x.example", function="FSIT"[i % 4]) for i in range(7)]
    result = solve(people, locked=[["p0@x.example", "p4@x.example"]], excluded=["p6@x.example"])
    locked = [g for g in result.groups if g.locked]
    assert [g.members for g in locked] == [("p0@x.example", "p4@x.example")]
    assert "Locked by the facilitator" in locked[0].reasons
    assert sorted(k for g in result.groups for k in g.members) == [
        f"p{i}@x.example" for i in range(6)
    ]
    assert sorted(len(g.members) for g in result.groups) == [2, 2, 2]


def test_solve_refuses_a_locked_group_that_breaks_a_rule() -> None:
    people = [
        person("boss@x.example"),
        person("report@x.example", manager_key="boss@x.example"),
        person("third@x.example"),
    ]
    with pytest.raises(InvalidInput) as raised:
        solve(people, locked=[["boss@x.example", "report@x.example"]])
    assert [p.message for p in raised.value.problems] == ["Boss is in Report's management chain"]


def test_solve_rejects_duplicate_keys_naming_the_rows() -> None:
    with pytest.raises(InvalidInput) as raised:
        solve([person("a@x.example"), person("b@x.example"), person("A@x.example ")])
    assert [str(p) for p in raised.value.problems] == [
        "person 3: a@x.example is listed twice (also person 1)"
    ]


def test_solve_explains_who_has_no_allowed_partner_and_what_would_help() -> None:
    people = [
        person("ann@x.example", languages=frozenset({"French"})),
        person("bob@x.example", languages=frozenset({"German"}), conflict_groups=frozenset({"x"})),
        person("cat@x.example", languages=frozenset({"German"}), conflict_groups=frozenset({"x"})),
    ]
    result = solve(people, history={frozenset(("bob@x.example", "cat@x.example"))})
    assert result.groups == []
    assert result.unpaired == ["ann@x.example", "bob@x.example", "cat@x.example"]
    ann = result.problems[0]
    assert (
        ann.message == "Ann has no allowed partner: no shared working language rules out 2 people"
    )
    assert ann.relaxations == (
        "record a working language they share with Bob",
        "record a working language they share with Cat",
    )
    assert result.problems[1].rules == ("conflict_group", "history", "no_shared_language")


def test_solve_explains_a_partner_shortage_and_suggests_unlocking() -> None:
    people = [
        person("hub@x.example"),
        person("one@x.example", avoid=frozenset({"two@x.example", "three@x.example"})),
        person("two@x.example", avoid=frozenset({"three@x.example"})),
        person("three@x.example"),
        person("free@x.example"),
        person("mate@x.example"),
    ]
    result = solve(
        people,
        locked=[["free@x.example", "mate@x.example"]],
        extra_manager_links={},
        history={
            frozenset(("hub@x.example", "two@x.example")),
            frozenset(("hub@x.example", "three@x.example")),
        },
    )
    assert result.unpaired == ["three@x.example", "two@x.example"]
    assert result.problems[0].relaxations[-1] == "unlock the group of Free and Mate"


def test_score_matrix_is_symmetric_and_lists_each_blocking_rule() -> None:
    people = [
        person("a@x.example", function="Finance", avoid=frozenset({"b@x.example"})),
        person("b@x.example", function="Sales", manager_key="a@x.example"),
        person("c@x.example", function="Sales"),
    ]
    matrix = score_matrix(people)
    assert matrix.keys == ["a@x.example", "b@x.example", "c@x.example"]
    assert matrix.scores == [[0.0, 2.0, 2.0], [2.0, 0.0, 0.0], [2.0, 0.0, 0.0]]
    assert matrix.blocked == [
        ("a@x.example", "b@x.example", "manager_chain"),
        ("a@x.example", "b@x.example", "avoid"),
    ]


def test_solve_pool_trio_branch_and_bound_matches_brute_force_on_dense_odd_rosters() -> None:
    for seed in range(5):
        rnd = random.Random(seed)
        people = [
            person(f"p{i:02d}@x.example", tags=frozenset(rnd.sample("abcdefgh", 3)))
            for i in range(11)
        ]
        ctx = build_context(people)
        found = solve_pool(ctx, list(range(11)))
        assert (len(found.pairs), found.total) == (4, brute_force(ctx, list(range(11)))[1])


def test_rounded_matching_keeps_the_better_half_of_each_assignment_cycle() -> None:
    scores = np.zeros((8, 8), dtype=np.int64)
    # Cycle 0-1-2-3-4 (odd): links 0-1, 1-2, 2-3, 3-4, 4-0; cycle 5-6-7 (odd) as well.
    for (a, b), points in {
        (0, 1): 1, (1, 2): 9, (2, 3): 2, (3, 4): 8, (4, 0): 3,
        (5, 6): 4, (6, 7): 1, (7, 5): 2,
    }.items():  # fmt: skip
        scores[a, b] = scores[b, a] = points
    allowed = ~np.eye(8, dtype=np.bool_)
    mate = np.array([1, 2, 3, 4, 0, 6, 7, 5], dtype=np.int64)
    # Each odd cycle leaves one person out (0 and 7), and those two are then paired.
    assert rounded_matching(mate, scores, allowed) == [(0, 7), (1, 2), (3, 4), (5, 6)]


def test_result_carries_its_bound_and_gap_and_says_optimal_only_at_zero_gap() -> None:
    from app.core.i18n import use_locale
    from app.services.matching import proof_text

    exact = MatchResult(groups=[], total=137.0, upper_bound=137.0)
    close = MatchResult(groups=[], total=137.0, upper_bound=137.55, optimal=False)
    unknown = MatchResult(groups=[], total=5.0, optimal=False)
    assert [(r.gap, r.proven_optimal) for r in (exact, unknown)] == [(0.0, True), (None, False)]
    assert close.gap == pytest.approx(0.55 / 137.55)
    assert {k: close.to_json()[k] for k in ("bound", "gap", "optimal")} == {
        "bound": 137.55,
        "gap": 0.003999,
        "optimal": False,
    }
    with use_locale("en"):
        assert proof_text(exact) == "bound 137.00 · optimal"
        assert proof_text(close) == "bound 137.55 · gap 0.4%"
        assert proof_text(unknown) is None
    with use_locale("de"):
        assert proof_text(close) == "obere Schranke 137,55 · Abstand 0,4\xa0%"


def test_solve_above_the_exact_limit_keeps_total_within_its_bound() -> None:
    rnd = random.Random(7)
    people = [
        person(
            f"p{i:04d}@x.example",
            level=rnd.choice(["L3", "L4", "L5", "L6"]),
            function=rnd.choice(["Finance", "Sales", "IT", "HR"]),
            region=rnd.choice(["EMEA", "APAC", "AMER"]),
            tenure_years=rnd.choice([1, 3, 7, 12]),
        )
        for i in range(701)
    ]
    result = solve(people)
    assert result.upper_bound is not None
    assert result.total <= result.upper_bound
    assert result.gap is not None
    assert result.gap <= 0.001
    assert result.proven_optimal == (result.gap == 0.0)
