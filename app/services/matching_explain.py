"""Plain-language reasons for groups, for blocked pairs and for people left without a buddy."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Sequence

from app.services.matching_context import MatchContext, _rank_level, normalise_key
from app.services.matching_types import (
    RULE_AVOID,
    RULE_CONFLICT,
    RULE_HISTORY,
    RULE_LANGUAGE,
    RULE_MANAGER,
    SCALE,
    Group,
    MatchPerson,
    MatchProblem,
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


def _display(people: Sequence[MatchPerson], attribute: str) -> list[str]:
    """Return each member's spelling of a shared set attribute, once per value."""
    common = {v.lower() for v in getattr(people[0], attribute)}.intersection(
        *({v.lower() for v in getattr(p, attribute)} for p in people[1:])
    )
    spelled = {v.lower(): v for v in sorted(getattr(people[0], attribute))}
    return [spelled[v] for v in sorted(common)]


def _likeness(ctx: MatchContext, members: Sequence[int], *, audience: str) -> list[str]:
    people = [ctx.people[i] for i in members]
    names = [p.name for p in people]
    you = audience == "participant"
    reasons: list[str] = []
    both = _both(len(people))
    levels = [p.level for p in people]
    if all(levels):
        shown = [str(lv) for lv in levels]
        ranks = [p.level_rank for p in people]
        if len({s.lower() for s in shown}) == 1:
            label = _plural(shown[0])
            if _rank_level(shown[0]) is not None and any(ch.isdigit() for ch in shown[0]):
                label = f"at level {shown[0]}"
            reasons.append(f"You are {both.lower()} {label}" if you else f"{both} {label}")
        elif all(r is not None for r in ranks) and max(ranks) - min(ranks) <= 1:  # type: ignore[type-var, operator]
            reasons.append(f"Similar levels: {_join(_distinct(shown))}")
        else:
            reasons.append(f"Different levels: {_join(_distinct(shown))}")
    functions = [p.function for p in people]
    if all(functions):
        shown = _distinct([str(f) for f in functions])
        if len({f.lower() for f in shown}) == 1:
            reasons.append(
                f"You {both.lower()} work in {shown[0]}" if you else f"{both} in {shown[0]}"
            )
        else:
            reasons.append(f"Different functions: {_join(shown)}")
    regions = [p.region for p in people]
    if all(regions):
        shown = _distinct([str(r) for r in regions])
        if len({r.lower() for r in shown}) == 1:
            reasons.append(
                f"You are {both.lower()} based in {shown[0]}"
                if you
                else f"{both} based in {shown[0]}"
            )
        else:
            reasons.append(f"Different regions: {_join(shown)}")
    tenures = [p.tenure_years for p in people]
    if all(t is not None for t in tenures):
        text = f"{_join([_years(t) for t in tenures if t is not None])} years in the company"
        reasons.append(f"You have {text}" if you else text[0].upper() + text[1:])
    brings: list[str] = []
    for person, name in zip(people, names, strict=True):
        others = {t.lower() for p in people if p is not person for t in p.tags}
        own = sorted(t for t in person.tags if t.lower() not in others)
        if own:
            brings.append(_join(own) if you else f"{name} brings {_join(own)}")
    if brings:
        reasons.append(
            f"You bring different experience: {'; '.join(brings)}" if you else "; ".join(brings)
        )
    shared_tags = _display(people, "tags")
    if shared_tags:
        reasons.append(f"Shared experience: {_join(shared_tags)}")
    languages = _display(people, "languages")
    if languages:
        reasons.append(
            f"You {both.lower()} speak {_join(languages)}"
            if you
            else f"{both} speak {_join(languages)}"
        )
    return reasons


def describe_group(ctx: MatchContext, members: Sequence[int], *, locked: bool = False) -> Group:
    """Return a Group for positions ``members`` with its score and both sets of reasons."""
    ordered = sorted(members)
    points = sum(ctx.score(a, b) for a, b in itertools.combinations(ordered, 2))
    reasons = _likeness(ctx, ordered, audience="facilitator")
    repeats = [
        f"{ctx.people[a].name} and {ctx.people[b].name} were buddies in an earlier cohort "
        "(allowed with a penalty)"
        for a, b in itertools.combinations(ordered, 2)
        if b in ctx.penalised[a]
    ]
    reasons.extend(repeats)
    if locked:
        reasons.append("Locked by the facilitator")
    return Group(
        members=tuple(ctx.people[i].key for i in ordered),
        score=points / SCALE,
        reasons=reasons,
        participant_reasons=_likeness(ctx, ordered, audience="participant"),
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
