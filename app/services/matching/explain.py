"""Plain-language reasons for groups, for blocked pairs and for people left without a buddy."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.services.matching.context import MatchContext, _rank_level, normalise_key
from app.services.matching.types import (
    RULE_AVOID,
    RULE_CONFLICT,
    RULE_HISTORY,
    RULE_LANGUAGE,
    RULE_MANAGER,
    SCALE,
    Group,
    MatchPerson,
    MatchProblem,
    tenure_band,
)

_RULE_NAMES = {
    RULE_MANAGER: "a management chain",
    RULE_CONFLICT: "a shared conflict group",
    RULE_AVOID: "an avoid request",
    RULE_LANGUAGE: "no shared working language",
    RULE_HISTORY: "an earlier buddy pairing",
}
_CRITERIA = {
    "similar_level": "similar level",
    "different_function": "different function",
    "different_region": "different region",
    "different_tenure": "different tenure",
    "complementary_tags": "complementary experience",
    "shared_tags": "shared experience",
    "shared_language": "shared language",
    "history_penalty": "earlier buddies",
}


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _both(count: int) -> str:
    return "Both" if count == 2 else f"All {count}" if count > 3 else "All three"


def _plural(level: str) -> str:
    words = level.split()
    last = words[-1]
    if last.isupper() or any(ch.isdigit() for ch in last):
        plural = last + "s"
    elif last.endswith("s"):
        plural = last.lower()
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        plural = last[:-1].lower() + "ies"
    else:
        plural = last.lower() + "s"
    head = [w if w.isupper() else w.lower() for w in words[:-1]]
    return " ".join([*head, plural])


def _years(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _format_score(points: int) -> str:
    return f"{points / SCALE:g}"


def _distinct(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


@lru_cache(maxsize=1024)
def _level_label(level: str) -> str:
    """Return how a shared level reads after "Both": a plural title or "at level L5"."""
    if _rank_level(level) is not None and any(ch.isdigit() for ch in level):
        return f"at level {level}"
    return _plural(level)


def _spelled(values: frozenset[str]) -> dict[str, str]:
    # The last spelling in sorted order wins when a person lists a value twice in two cases.
    return {v.lower(): v for v in sorted(values)}


@dataclass(frozen=True, slots=True)
class _Card:
    """One member's attributes in the forms the reasons compare and print."""

    name: str
    level: str | None
    rank: int | None
    function: str | None
    region: str | None
    years: str | None
    band: int | None
    tags: tuple[tuple[str, str], ...]
    tag_spelling: dict[str, str]
    language_spelling: dict[str, str]


def _card(person: MatchPerson) -> _Card:
    tags = tuple((t, t.lower()) for t in sorted(person.tags))
    return _Card(
        name=person.name,
        level=person.level or None,
        rank=person.level_rank,
        function=person.function or None,
        region=person.region or None,
        years=None if person.tenure_years is None else _years(person.tenure_years),
        band=tenure_band(person.tenure_years),
        tags=tags,
        tag_spelling=_spelled(person.tags),
        language_spelling=_spelled(person.languages),
    )


def _shared(spellings: Sequence[dict[str, str]]) -> list[str]:
    """Return the first member's spelling of each value every member has (case-insensitive)."""
    first = spellings[0]
    return [first[v] for v in sorted(set(first).intersection(*spellings[1:]))]


def _alike(values: Sequence[str]) -> str | None:
    """Return the one value every member shares (first spelling), or None when they differ."""
    first = values[0].lower()
    return values[0] if all(v.lower() == first for v in values) else None


# What participants read about their own group. Everything from HR about the other person
# (level, title, function, region, tenure, hire date, experience tags, languages) is theirs:
# a buddy learns it from them, if they choose to tell. So these sentences say only *that*
# the group is alike or differs where the pairing scores it, never a value. Shared languages
# are not named either: the pair finds its language in the first sentence it exchanges, and
# a roster's language list can hold what people tell only whom they choose.
PARTICIPANT_LEVEL = "You are at a similar level, so you face similar kinds of decisions"
PARTICIPANT_FUNCTION = "You work in different functions, so each of you brings a fresh view"
PARTICIPANT_REGION = "You are based in different regions"
PARTICIPANT_TENURE = "You have been with the company for different lengths of time"
PARTICIPANT_EXPERIENCE = "You bring different experience to each other"
PARTICIPANT_SHARED = "You also have some experience in common"
PARTICIPANT_LANGUAGE = "You share a working language"


def _all_differ(values: Sequence[str | int | None]) -> bool:
    """Return whether every member has a known value and no two members share one."""
    known = [str(v).lower() for v in values if v is not None]
    return len(known) == len(values) and len(set(known)) == len(values)


def _participant_likeness(cards: Sequence[_Card]) -> list[str]:
    """Return what the members may read about why they are together (no one's values)."""
    said: list[str] = []
    levels = [c.level for c in cards]
    ranks = [c.rank for c in cards]
    if all(levels):
        known = [r for r in ranks if r is not None]
        same = _alike([str(lv) for lv in levels]) is not None
        if same or (len(known) == len(ranks) and max(known) - min(known) <= 1):
            said.append(PARTICIPANT_LEVEL)
    if _all_differ([c.function for c in cards]):
        said.append(PARTICIPANT_FUNCTION)
    if _all_differ([c.region for c in cards]):
        said.append(PARTICIPANT_REGION)
    if _all_differ([c.band for c in cards]):
        said.append(PARTICIPANT_TENURE)
    owners = [
        c
        for c in cards
        if any(
            low not in set().union(*(o.tag_spelling for o in cards if o is not c))
            for _t, low in c.tags
        )
    ]
    if len(owners) >= 2:
        said.append(PARTICIPANT_EXPERIENCE)
    if _shared([c.tag_spelling for c in cards]):
        said.append(PARTICIPANT_SHARED)
    if _shared([c.language_spelling for c in cards]):
        said.append(PARTICIPANT_LANGUAGE)
    return said


def _likeness(cards: Sequence[_Card]) -> list[str]:
    """Return the facilitator wording of what members share and differ in, with values."""
    facilitator: list[str] = []
    group = _both(len(cards))
    levels = [c.level for c in cards]
    if all(levels):
        shown = [str(lv) for lv in levels]
        if _alike(shown) is not None:
            facilitator.append(f"{group} {_level_label(shown[0])}")
        else:
            ranks = [c.rank for c in cards]
            known = [r for r in ranks if r is not None]
            similar = len(known) == len(ranks) and max(known) - min(known) <= 1
            facilitator.append(
                f"{'Similar' if similar else 'Different'} levels: {_join(_distinct(shown))}"
            )
    functions = [c.function for c in cards]
    if all(functions):
        shown = [str(f) for f in functions]
        if (function := _alike(shown)) is not None:
            facilitator.append(f"{group} in {function}")
        else:
            facilitator.append(f"Different functions: {_join(_distinct(shown))}")
    regions = [c.region for c in cards]
    if all(regions):
        shown = [str(r) for r in regions]
        if (region := _alike(shown)) is not None:
            facilitator.append(f"{group} based in {region}")
        else:
            facilitator.append(f"Different regions: {_join(_distinct(shown))}")
    years = [c.years for c in cards]
    if all(y is not None for y in years):
        text = f"{_join([str(y) for y in years])} years in the company"
        facilitator.append(text[0].upper() + text[1:])
    named: list[str] = []
    for card in cards:
        others = set().union(*(o.tag_spelling for o in cards if o is not card))
        own = [t for t, low in card.tags if low not in others]
        if own:
            named.append(f"{card.name} brings {_join(own)}")
    if named:
        facilitator.append("; ".join(named))
    shared_tags = _shared([c.tag_spelling for c in cards])
    if shared_tags:
        facilitator.append(f"Shared experience: {_join(shared_tags)}")
    languages = _shared([c.language_spelling for c in cards])
    if languages:
        facilitator.append(f"{group} speak {_join(languages)}")
    return facilitator


def describe_group(
    ctx: MatchContext, members: Sequence[int], *, locked: bool = False, points: int | None = None
) -> Group:
    """Return a Group for positions ``members`` with its score and both sets of reasons.

    ``points`` is the group score (thousandths) when the caller already has it.
    """
    ordered = sorted(members)
    if points is None:
        points = sum(ctx.score(a, b) for a, b in itertools.combinations(ordered, 2))
    people = [ctx.people[i] for i in ordered]
    cards = [_card(p) for p in people]
    reasons, participant = _likeness(cards), _participant_likeness(cards)
    for x, a in enumerate(ordered):
        penalised = ctx.penalised[a]
        if not penalised:
            continue
        reasons.extend(
            f"{people[x].name} and {ctx.people[b].name} were buddies in an earlier cohort "
            "(allowed with a penalty)"
            for b in ordered[x + 1 :]
            if b in penalised
        )
    if locked:
        reasons.append("Locked by the facilitator")
    return Group(
        members=tuple(p.key for p in people),
        score=points / SCALE,
        reasons=reasons,
        participant_reasons=participant,
        locked=locked,
    )


def describe_rule(ctx: MatchContext, i: int, j: int, rule: str) -> str:
    """Return the facilitator-facing sentence for ``rule`` blocking ``i`` with ``j``."""
    a, b = ctx.people[i], ctx.people[j]
    if rule == RULE_MANAGER:
        above, below = (a, b) if a.key in ctx.ancestors[j] else (b, a)
        return f"{above.name} is in {below.name}'s management chain"
    if rule == RULE_CONFLICT:
        return "They are in the same conflict group"
    if rule == RULE_AVOID:
        return "One asked not to be paired with the other"
    if rule == RULE_LANGUAGE:
        return (
            f"They share no working language ({a.name}: {_join(sorted(a.languages))}; "
            f"{b.name}: {_join(sorted(b.languages))})"
        )
    return "They were buddies in an earlier cohort"


def why_not(
    a: str,
    b: str,
    ctx: MatchContext,
    *,
    locked: Sequence[Sequence[str]] = (),
    excluded: Collection[str] = (),
) -> list[str]:
    """Return each rule that keeps ``a`` and ``b`` apart, or their score when they may pair."""
    i, j = ctx.position(a), ctx.position(b)
    if i == j:
        return [f"{ctx.people[i].name} cannot be paired with themselves"]
    reasons = [describe_rule(ctx, i, j, rule) for rule in ctx.block_rules(i, j)]
    gone = {normalise_key(k) for k in excluded}
    for person in (ctx.people[i], ctx.people[j]):
        if person.key in gone:
            reasons.append(f"{person.name} is excluded from this matching")
    keys = {ctx.people[i].key, ctx.people[j].key}
    for group in locked:
        members = {normalise_key(k) for k in group}
        if members & keys and not keys <= members:
            for person in (ctx.people[i], ctx.people[j]):
                if person.key in members:
                    others = sorted(
                        ctx.people[ctx.position(k)].name for k in members - {person.key}
                    )
                    reasons.append(f"{person.name} is locked in a group with {_join(others)}")
    if reasons:
        return reasons
    parts = ctx.parts(i, j)
    detail = [f"{_CRITERIA[name]} {_format_score(v)}" for name, v in parts.items() if v]
    summary = _join(detail) or "nothing in common or apart"
    return [f"Allowed: score {_format_score(sum(parts.values()))} ({summary})"]


def _relaxation(ctx: MatchContext, i: int, j: int, rule: str) -> str | None:
    other = ctx.people[j].name
    if rule == RULE_HISTORY:
        return f"allow repeat buddies (history mode 'penalty') so they can pair with {other}"
    if rule == RULE_AVOID:
        return f"drop the avoid request between them and {other}"
    if rule == RULE_CONFLICT:
        return f"take them or {other} out of their shared conflict group"
    if rule == RULE_LANGUAGE:
        return f"record a working language they share with {other}"
    return None


def explain_unpaired(
    ctx: MatchContext,
    unpaired: Sequence[int],
    pool: Sequence[int],
    *,
    locked: Sequence[Sequence[int]] = (),
    excluded: Collection[int] = (),
) -> list[MatchProblem]:
    """Return, for each person left alone, the rules that cause it and what would help."""
    problems: list[MatchProblem] = []
    for u in sorted(unpaired):
        person = ctx.people[u]
        others = [v for v in pool if v != u]
        partners = [v for v in others if ctx.allowed(u, v)]
        counts: Counter[str] = Counter()
        relax: list[str] = []
        for v in others:
            rules = ctx.block_rules(u, v)
            counts.update(rules)
            if len(rules) == 1 and (text := _relaxation(ctx, u, v, rules[0])):
                relax.append(text)
        for group in locked:
            if all(ctx.allowed(u, v) for v in group):
                relax.append("unlock the group of " + _join([ctx.people[v].name for v in group]))
        for v in sorted(excluded):
            if ctx.allowed(u, v):
                relax.append(f"include {ctx.people[v].name} again")
        causes = [
            f"{_RULE_NAMES[r]} rules out {n} {'person' if n == 1 else 'people'}"
            for r, n in sorted(counts.items())
        ]
        if not others:
            message = f"{person.name} is the only person left to match"
        elif not partners:
            message = f"{person.name} has no allowed partner: {_join(causes)}"
        else:
            message = (
                f"{person.name} could only be paired with "
                f"{_join([ctx.people[v].name for v in partners])}, who are needed in other groups"
            )
            relax.append("allow a second group of three")
        problems.append(
            MatchProblem(
                keys=(person.key,),
                message=message,
                rules=tuple(sorted(counts)),
                relaxations=tuple(dict.fromkeys(relax))[:6],
            )
        )
    return problems
