"""Small roster factories and a brute-force reference shared by the matching tests."""

from __future__ import annotations

import itertools
from functools import cache

from hypothesis import strategies as st

from app.services.matching.engine import MatchContext, MatchPerson, MatchResult

FUNCTIONS = ("Finance", "Operations", "Sales", "People")
REGIONS = ("EMEA", "APAC", "AMER")
LEVELS = ("Team lead", "Manager", "Senior manager", "Director", "VP")
TAGS = ("m&a", "turnaround", "launch", "digital", "audit")
LANGUAGES = ("English", "French", "German")
# Intake topics: a vocabulary apart from the HR tags, so that tests of what participants read
# about HR values are not confused by what people chose to say in the intake.
TOPICS = ("pricing", "turnarounds", "hiring", "international teams")


def person(key: str, **fields: object) -> MatchPerson:
    """Return a MatchPerson named after its key with the given attributes."""
    name = key.split("@")[0].replace(".", " ").title()
    return MatchPerson(key=key, name=name, **fields)  # type: ignore[arg-type]


@st.composite
def rosters(
    draw: st.DrawFn, min_size: int = 2, max_size: int = 12, *, intake: bool = False
) -> list[MatchPerson]:
    """Draw a roster with random attributes and a sprinkle of every hard constraint; with
    ``intake``, people also say what they can offer and want to learn."""
    n = draw(st.integers(min_size, max_size))
    keys = [f"p{i:02d}@corp.example" for i in range(n)]
    people = []
    for i, key in enumerate(keys):
        boss = draw(st.one_of(st.none(), st.sampled_from([*keys, "outside@corp.example"])))
        people.append(
            person(
                key,
                level=draw(st.one_of(st.none(), st.sampled_from(LEVELS))),
                function=draw(st.one_of(st.none(), st.sampled_from(FUNCTIONS))),
                region=draw(st.sampled_from(REGIONS)),
                tenure_years=draw(
                    st.one_of(st.none(), st.floats(0, 25).map(lambda x: round(x, 1)))
                ),
                manager_key=None if boss == key else boss,
                languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), max_size=2))),
                tags=frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=3))),
                avoid=frozenset(draw(st.sets(st.sampled_from(keys), max_size=1)) - {key}),
                conflict_groups=frozenset(
                    draw(st.sets(st.sampled_from(("deal-x", "deal-y")), max_size=1))
                    if i % 4 == 0
                    else set()
                ),
                offers=frozenset(draw(st.sets(st.sampled_from(TOPICS), max_size=3)))
                if intake
                else frozenset(),
                wants=frozenset(draw(st.sets(st.sampled_from(TOPICS), max_size=3)))
                if intake
                else frozenset(),
            )
        )
    return people


def brute_force(ctx: MatchContext, pool: list[int]) -> tuple[int, int]:
    """Return (people covered, total thousandths) of the best partition with at most one trio."""
    covered, points, _kept = brute_force_keeping(ctx, pool, frozenset())
    return covered, points


def brute_force_keeping(
    ctx: MatchContext, pool: list[int], prefer: frozenset[frozenset[int]]
) -> tuple[int, int, int]:
    """Return (covered, thousandths, preferred pairs kept) of the best partition, compared in
    that order: the most people, then the highest score, then the most ``prefer`` pairs."""

    def kept(*members: int) -> int:
        return sum(frozenset(p) in prefer for p in itertools.combinations(members, 2))

    @cache
    def best(rest: frozenset[int], trio_used: bool) -> tuple[int, int, int]:
        if not rest:
            return (0, 0, 0)
        x = min(rest)
        others = rest - {x}
        options = [best(others, trio_used)]
        for y in others:
            if ctx.allowed(x, y):
                covered, points, pairs = best(others - {y}, trio_used)
                options.append((covered + 2, points + ctx.score(x, y), pairs + kept(x, y)))
        if not trio_used:
            for y, z in itertools.combinations(sorted(others), 2):
                if ctx.allowed(x, y) and ctx.allowed(x, z) and ctx.allowed(y, z):
                    covered, points, pairs = best(others - {y, z}, True)
                    value = ctx.score(x, y) + ctx.score(x, z) + ctx.score(y, z)
                    options.append((covered + 3, points + value, pairs + kept(x, y, z)))
        return max(options)

    return best(frozenset(pool), False)


def violations(ctx: MatchContext, result: MatchResult) -> list[tuple[str, str, list[str]]]:
    """Return every pair inside a group of ``result`` that a hard constraint forbids."""
    found = []
    for group in result.groups:
        for a, b in itertools.combinations(group.members, 2):
            rules = ctx.block_rules(ctx.position(a), ctx.position(b))
            if rules:
                found.append((a, b, rules))
    return found
