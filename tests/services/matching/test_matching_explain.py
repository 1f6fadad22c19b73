"""Matching explanations: facilitator reasons, participant reasons without leaks, why_not."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings

from app.core.i18n import use_locale
from app.services.matching.engine import MatchPerson, build_context, solve, solve_context, why_not
from app.services.matching.explain import explain_unpaired
from app.services.matching.rows import score_pool
from tests.i18n_catalogs import install
from tests.services.matching.factories import person, rosters


def test_group_reasons_say_what_the_pair_shares_and_how_it_differs() -> None:
    people = [
        person(
            "dana.lee@x.example",
            level="Director",
            function="Finance",
            region="EMEA",
            tenure_years=3,
            languages=frozenset({"French", "English"}),
            tags=frozenset({"M&A", "audit"}),
        ),
        person(
            "sam.roe@x.example",
            level="Director",
            function="Operations",
            region="EMEA",
            tenure_years=12,
            languages=frozenset({"French"}),
            tags=frozenset({"launch", "audit"}),
        ),
    ]
    [group] = solve(people).groups
    assert group.reasons == [
        "Both at level Director",
        "Different functions: Finance and Operations",
        "Both based in EMEA",
        "3 and 12 years in the company",
        "Dana Lee brings M&A",
        "Sam Roe brings launch",
        "Shared experience: audit",
        "Both speak French",
    ]
    assert group.participant_reasons == [
        "You are at a similar level, so you face similar kinds of decisions",
        "You work in different functions, so each of you brings a fresh view",
        "You have been with the company for different lengths of time",
        "You bring different experience to each other",
        "You also have some experience in common",
        "You share a working language",
    ]


def test_trio_reasons_say_all_three_and_keep_the_first_spelling() -> None:
    history = {frozenset(("ana@x.example", "cy@x.example"))}
    people = [
        person(
            "ana@x.example",
            level="L5",
            function="Finance",
            region="EMEA",
            tenure_years=2.25,
            languages=frozenset({"English", "german"}),
            tags=frozenset({"Audit", "data", "M&A"}),
        ),
        person(
            "ben@x.example",
            level="l5",
            function="finance",
            region="APAC",
            tenure_years=7,
            languages=frozenset({"english"}),
            tags=frozenset({"audit", "launch"}),
        ),
        person(
            "cy@x.example",
            level="L5",
            function="Finance",
            region="EMEA",
            languages=frozenset({"English"}),
            tags=frozenset({"AUDIT", "data"}),
        ),
    ]
    result = solve(
        people,
        history=history,
        history_mode="penalty",
        locked=[["ana@x.example", "ben@x.example", "cy@x.example"]],
    )
    [group] = result.groups
    assert group.reasons == [
        "All three at level L5",
        "All three in Finance",
        "Different regions: EMEA and APAC",
        "Ana brings M&A",
        "Ben brings launch",
        "Shared experience: Audit",
        "All three speak English",
        "Ana and Cy were buddies in an earlier cohort (allowed with a penalty)",
        "Locked by the facilitator",
    ]
    assert group.participant_reasons == [
        "You are at a similar level, so you face similar kinds of decisions",
        "You bring different experience to each other",
        "You also have some experience in common",
        "You share a working language",
    ]
    assert group.score == 16.0


@settings(max_examples=40, deadline=None)
@given(rosters(min_size=2, max_size=11, intake=True))
def test_group_scores_equal_the_sum_of_reference_pair_scores(people: list[MatchPerson]) -> None:
    ctx = build_context(people)
    result = solve_context(ctx)
    for group in result.groups:
        members = [ctx.position(k) for k in group.members]
        expected = sum(ctx.score(a, b) for a, b in itertools.combinations(members, 2))
        assert round(group.score * 1000) == expected


def test_participant_reasons_never_mention_rules_names_or_groups() -> None:
    people = [
        person(
            "ann@x.example",
            function="Finance",
            manager_key="bigboss@x.example",
            avoid=frozenset({"zed@x.example"}),
            conflict_groups=frozenset({"projectkestrel"}),
        ),
        person("bob@x.example", function="Sales", conflict_groups=frozenset({"projectkestrel"})),
        person("cat@x.example", function="IT", manager_key="ann@x.example"),
        person("zed@x.example", function="Legal"),
        person("bigboss@x.example", function="Board"),
    ]
    result = solve(
        people, history={frozenset(("cat@x.example", "zed@x.example"))}, history_mode="penalty"
    )
    text = " ".join(r for g in result.groups for r in g.participant_reasons).lower()
    for word in (
        "manager",
        "chain",
        "avoid",
        "conflict",
        "kestrel",
        "history",
        "earlier",
        "bigboss",
        "zed",
        "ann",
        "bob",
        "cat",
        "locked",
        "penalty",
        "cohort",
    ):
        assert word not in text
    assert len(result.groups) == 2


def test_participant_reasons_say_that_the_pair_differs_never_the_buddys_hr_values() -> None:
    people = [
        person(
            "ana@x.example",
            level="M3 - Senior Manager",
            level_rank=3,
            function="Quantum Treasury",
            region="Patagonia North",
            tenure_years=13.9,
            languages=frozenset({"Esperanto", "English"}),
            tags=frozenset({"zeppelin rescue", "audit"}),
        ),
        person(
            "ben@x.example",
            level="M4 - Director",
            level_rank=4,
            function="Glacier Logistics",
            region="Tasmania East",
            tenure_years=1.5,
            languages=frozenset({"Esperanto", "Klingon"}),
            tags=frozenset({"volcano survey", "audit"}),
        ),
    ]
    [group] = solve(people).groups
    assert group.participant_reasons == [
        "You are at a similar level, so you face similar kinds of decisions",
        "You work in different functions, so each of you brings a fresh view",
        "You are based in different regions",
        "You have been with the company for different lengths of time",
        "You bring different experience to each other",
        "You also have some experience in common",
        "You share a working language",
    ]
    assert "Similar levels: M3 - Senior Manager and M4 - Director" in group.reasons
    assert "13.9 and 1.5 years in the company" in group.reasons


def _hr_values(person: MatchPerson) -> set[str]:
    values = {person.level, person.function, person.region, *person.tags, *person.languages}
    if person.tenure_years is not None:
        values |= {f"{person.tenure_years:g}", f"{person.tenure_years:.1f}"}
    return {v.lower() for v in values if v}


@settings(max_examples=60, deadline=None)
@given(rosters(min_size=2, max_size=10))
def test_participant_reasons_never_hold_any_members_hr_value(people: list[MatchPerson]) -> None:
    by_key = {p.key: p for p in people}
    for group in solve(people).groups:
        text = " ".join(group.participant_reasons).lower()
        values = set().union(*(_hr_values(by_key[k]) for k in group.members))
        assert [v for v in sorted(values) if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text)] == []


def test_repeat_pair_is_told_to_the_facilitator_only() -> None:
    people = [person("ann@x.example"), person("bob@x.example")]
    history = {frozenset(("ann@x.example", "bob@x.example"))}
    [group] = solve(people, history=history, history_mode="penalty").groups
    assert group.reasons == [
        "Ann and Bob were buddies in an earlier cohort (allowed with a penalty)"
    ]
    assert group.participant_reasons == []


@settings(max_examples=60, deadline=None)
@given(rosters(min_size=2, max_size=10))
def test_participant_reasons_never_contain_keys_or_conflict_groups(
    people: list[MatchPerson],
) -> None:
    result = solve(people)
    text = " ".join(r for g in result.groups for r in g.participant_reasons).lower()
    assert [w for w in ("deal-x", "deal-y", "@", "outside", "p0", "p1") if w in text] == []


def test_why_not_names_every_rule_that_blocks_a_pair() -> None:
    people = [
        person(
            "dana.lee@x.example", languages=frozenset({"French"}), conflict_groups=frozenset({"x"})
        ),
        person(
            "sam.roe@x.example",
            manager_key="mid@x.example",
            languages=frozenset({"German"}),
            conflict_groups=frozenset({"x"}),
            avoid=frozenset({"dana.lee@x.example"}),
        ),
    ]
    ctx = build_context(
        people,
        history={frozenset(("dana.lee@x.example", "sam.roe@x.example"))},
        extra_manager_links={"mid@x.example": "dana.lee@x.example"},
    )
    assert why_not("sam.roe@x.example", "dana.lee@x.example", ctx) == [
        "Dana Lee is in Sam Roe's management chain",
        "They are in the same conflict group",
        "One asked not to be paired with the other",
        "They share no working language (Sam Roe: German; Dana Lee: French)",
        "They were buddies in an earlier cohort",
    ]


def test_why_not_gives_the_score_of_an_allowed_pair_and_names_locks() -> None:
    ctx = build_context(
        [
            person("a@x.example", function="Finance"),
            person("b@x.example", function="IT"),
            person("c@x.example"),
        ]
    )
    assert why_not("a@x.example", "b@x.example", ctx) == ["Allowed: score 2 (different function 2)"]
    assert why_not(
        "a@x.example",
        "b@x.example",
        ctx,
        locked=[["a@x.example", "c@x.example"]],
        excluded=["b@x.example"],
    ) == [
        "B is excluded from this matching",
        "A is locked in a group with C",
    ]


@settings(max_examples=40, deadline=None)
@given(rosters(min_size=2, max_size=12, intake=True))
def test_score_pool_rows_equal_the_reference_pair_scores(people: list[MatchPerson]) -> None:
    ctx = build_context(
        people,
        history_mode="penalty",
        history={frozenset(("p00@corp.example", "p01@corp.example"))},
    )
    table = score_pool(ctx, list(range(len(people))))
    for i in range(len(people)):
        others = range(len(people))
        expected = [ctx.score(i, j) if i != j else 0 for j in others]
        assert (table.scores[i].tolist(), table.allowed[i].tolist()) == (
            expected,
            [ctx.allowed(i, j) for j in others],
        )
    assert solve_context(ctx).total == solve_context(ctx).total


def test_pair_reasons_read_in_each_readers_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(
        monkeypatch,
        tmp_path,
        {
            "de": {
                "You work in different functions, so each of you brings a fresh view": (
                    "Ihr arbeitet in verschiedenen Bereichen, jede Seite mit frischem Blick"
                ),
                "Both based in %(region)s": "Beide in %(region)s",
            },
            "fr": {
                "You work in different functions, so each of you brings a fresh view": (
                    "Vous travaillez dans des fonctions différentes : chacun apporte un regard neuf"
                ),
            },
        },
    )
    people = [
        person("dana.lee@x.example", function="Finance", region="EMEA"),
        person("sam.roe@x.example", function="Operations", region="EMEA"),
    ]
    [group] = solve(people).groups
    [shared] = group.participant_reasons

    with use_locale("de"):  # Dana reads German
        assert str(shared) == (
            "Ihr arbeitet in verschiedenen Bereichen, jede Seite mit frischem Blick"
        )
        assert [str(r) for r in group.reasons][1] == "Beide in EMEA"
    with use_locale("fr"):  # Sam reads French
        assert str(shared) == (
            "Vous travaillez dans des fonctions différentes : chacun apporte un regard neuf"
        )
    assert shared == "You work in different functions, so each of you brings a fresh view"


def test_unpaired_reasons_count_people_in_the_readers_plural(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(
        monkeypatch,
        tmp_path,
        {
            "de": {
                (
                    "an avoid request rules out %(num)s person",
                    "an avoid request rules out %(num)s people",
                ): (
                    "ein Vermeidungswunsch schließt %(num)s Person aus",
                    "ein Vermeidungswunsch schließt %(num)s Personen aus",
                ),
                "%(name)s has no allowed partner: %(causes)s": (
                    "%(name)s hat keinen erlaubten Partner: %(causes)s"
                ),
            }
        },
    )
    people = [
        person("ana@x.example", avoid=frozenset({"ben@x.example", "cy@x.example"})),
        person("ben@x.example"),
        person("cy@x.example"),
        person("dee@x.example", avoid=frozenset({"ana@x.example"})),
    ]
    ctx = build_context(people)

    with use_locale("de"):
        [problem] = explain_unpaired(ctx, [0], [0, 1, 2, 3])
        [few] = explain_unpaired(build_context(people[:2]), [0], [0, 1])

    assert problem.message == (
        "Ana hat keinen erlaubten Partner: ein Vermeidungswunsch schließt 3 Personen aus"
    )
    assert few.message == (
        "Ana hat keinen erlaubten Partner: ein Vermeidungswunsch schließt 1 Person aus"
    )


def test_result_json_gives_reasons_in_the_readers_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(monkeypatch, tmp_path, {"de": {"Both in %(function)s": "Beide in %(function)s"}})
    result = solve(
        [person("a@x.example", function="Sales"), person("b@x.example", function="Sales")]
    )

    with use_locale("de"):
        data = result.to_json()

    assert data["groups"][0]["reasons"] == ["Beide in Sales"]
    assert json.loads(json.dumps(data))["groups"][0]["reasons"] == ["Beide in Sales"]
