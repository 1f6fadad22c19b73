"""Plain-language reasons for groups, for blocked pairs and for people left without a buddy."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from app.core.i18n import N_, format_list, format_number, ngettext
from app.core.i18n import gettext as _
from app.core.messages import Message, listing, number
from app.services.matching.context import MatchContext, normalise_key
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


def _cause(rule: str, n: int) -> str:
    """How many people ``rule`` rules out for someone left alone."""
    if rule == RULE_MANAGER:
        return ngettext(
            "a management chain rules out %(num)s person",
            "a management chain rules out %(num)s people",
            n,
        )
    if rule == RULE_CONFLICT:
        return ngettext(
            "a shared conflict group rules out %(num)s person",
            "a shared conflict group rules out %(num)s people",
            n,
        )
    if rule == RULE_AVOID:
        return ngettext(
            "an avoid request rules out %(num)s person",
            "an avoid request rules out %(num)s people",
            n,
        )
    if rule == RULE_LANGUAGE:
        return ngettext(
            "no shared working language rules out %(num)s person",
            "no shared working language rules out %(num)s people",
            n,
        )
    return ngettext(
        "an earlier buddy pairing rules out %(num)s person",
        "an earlier buddy pairing rules out %(num)s people",
        n,
    )


_CRITERIA = {
    # Translators: a part of a pair's score, followed by its points: "similar level 2".
    "similar_level": N_("similar level %(points)s"),
    "different_function": N_("different function %(points)s"),
    "different_region": N_("different region %(points)s"),
    "different_tenure": N_("different tenure %(points)s"),
    "complementary_tags": N_("complementary experience %(points)s"),
    "shared_tags": N_("shared experience %(points)s"),
    "shared_language": N_("shared language %(points)s"),
    "complement": N_("one can teach what the other wants to learn %(points)s"),
    "history_penalty": N_("earlier buddies %(points)s"),
}


def _format_score(points: int) -> str:
    return format_number(points / SCALE)


def _distinct(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _years(value: float) -> dict[str, object]:
    return number(value, "#,##0" if value == int(value) else "#,##0.0")


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
    years: float | None
    band: int | None
    tags: tuple[tuple[str, str], ...]
    tag_spelling: dict[str, str]
    language_spelling: dict[str, str]
    offers: dict[str, str]
    wants: dict[str, str]


def _card(person: MatchPerson) -> _Card:
    tags = tuple((t, t.lower()) for t in sorted(person.tags))
    return _Card(
        name=person.name,
        level=person.level or None,
        rank=person.level_rank,
        function=person.function or None,
        region=person.region or None,
        years=person.tenure_years,
        band=tenure_band(person.tenure_years),
        tags=tags,
        tag_spelling=_spelled(person.tags),
        language_spelling=_spelled(person.languages),
        offers=_spelled(person.offers),
        wants=_spelled(person.wants),
    )


# From the intake: what one member wants to learn that another offers. These values are not
# HR data: each person chose them in the intake for the pairing, and the intake says that the
# buddy reads them. One message per direction is stored, naming both people; ``reasons_for``
# turns it into "you" for the two people it is about.
# Translators: from the intake: "Ana wants to learn about turnarounds and pricing, which Ben
# can offer".
LEARNING = N_("%(learner)s wants to learn about %(topics)s, which %(teacher)s can offer")
LEARNING_YOU = N_("You want to learn about %(topics)s, which %(teacher)s can offer")
LEARNING_FROM_YOU = N_("%(learner)s wants to learn about %(topics)s, which you can offer")


def _learning(people: Sequence[MatchPerson], cards: Sequence[_Card]) -> list[str]:
    """Return, for each member, what they want to learn that another member offers."""
    said: list[str] = []
    for learner, card in zip(people, cards, strict=True):
        for teacher, other in zip(people, cards, strict=True):
            topics = [v for low, v in sorted(card.wants.items()) if low in other.offers]
            if teacher is learner or not topics:
                continue
            said.append(
                Message(
                    LEARNING,
                    learner=card.name,
                    topics=listing(topics),
                    teacher=other.name,
                    learner_key=learner.key,
                    teacher_key=teacher.key,
                )
            )
    return said


def reasons_for(reasons: Sequence[str], reader: str | None) -> list[str]:
    """Return a group's participant reasons as ``reader`` (a member's key) reads them.

    What someone wants to learn, which a buddy can offer, reads as "you" for the two people
    it is about; every other reader (a pair's shared workbook: ``None``) reads both names.
    """
    key = normalise_key(reader) if reader else None
    shown: list[str] = []
    for reason in reasons:
        if not isinstance(reason, Message) or reason.msgid != LEARNING or key is None:
            shown.append(reason)
        elif reason.args.get("learner_key") == key:
            shown.append(
                Message(LEARNING_YOU, topics=reason.args["topics"], teacher=reason.args["teacher"])
            )
        elif reason.args.get("teacher_key") == key:
            shown.append(
                Message(
                    LEARNING_FROM_YOU, learner=reason.args["learner"], topics=reason.args["topics"]
                )
            )
        else:
            shown.append(reason)
    return shown


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
# They are stored as messages without values and read in each buddy's own language.
PARTICIPANT_LEVEL = N_("You are at a similar level, so you face similar kinds of decisions")
PARTICIPANT_FUNCTION = N_("You work in different functions, so each of you brings a fresh view")
PARTICIPANT_REGION = N_("You are based in different regions")
PARTICIPANT_TENURE = N_("You have been with the company for different lengths of time")
PARTICIPANT_EXPERIENCE = N_("You bring different experience to each other")
PARTICIPANT_SHARED = N_("You also have some experience in common")
PARTICIPANT_LANGUAGE = N_("You share a working language")


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
    return [Message(msgid) for msgid in said]


def _likeness(cards: Sequence[_Card]) -> list[str]:
    """Return the facilitator wording of what members share and differ in, with values."""
    facilitator: list[str] = []
    pair = len(cards) == 2  # groups are pairs or the one trio
    levels = [c.level for c in cards]
    if all(levels):
        shown = [str(lv) for lv in levels]
        if (level := _alike(shown)) is not None:
            facilitator.append(
                Message(N_("Both at level %(level)s"), level=level)
                if pair
                else Message(N_("All three at level %(level)s"), level=level)
            )
        else:
            ranks = [c.rank for c in cards]
            known = [r for r in ranks if r is not None]
            similar = len(known) == len(ranks) and max(known) - min(known) <= 1
            found = listing(_distinct(shown))
            facilitator.append(
                Message(N_("Similar levels: %(levels)s"), levels=found)
                if similar
                else Message(N_("Different levels: %(levels)s"), levels=found)
            )
    functions = [c.function for c in cards]
    if all(functions):
        shown = [str(f) for f in functions]
        if (function := _alike(shown)) is not None:
            facilitator.append(
                Message(N_("Both in %(function)s"), function=function)
                if pair
                else Message(N_("All three in %(function)s"), function=function)
            )
        else:
            facilitator.append(
                Message(
                    N_("Different functions: %(functions)s"), functions=listing(_distinct(shown))
                )
            )
    regions = [c.region for c in cards]
    if all(regions):
        shown = [str(r) for r in regions]
        if (region := _alike(shown)) is not None:
            facilitator.append(
                Message(N_("Both based in %(region)s"), region=region)
                if pair
                else Message(N_("All three based in %(region)s"), region=region)
            )
        else:
            facilitator.append(
                Message(N_("Different regions: %(regions)s"), regions=listing(_distinct(shown)))
            )
    years = [c.years for c in cards]
    if all(y is not None for y in years):
        facilitator.append(
            Message(
                # Translators: a list of numbers, one per member: "3 and 12 years in the company".
                N_("%(years)s years in the company"),
                years=listing(_years(y) for y in years if y is not None),
            )
        )
    for card in cards:
        others = set().union(*(o.tag_spelling for o in cards if o is not card))
        own = [t for t, low in card.tags if low not in others]
        if own:
            facilitator.append(
                # Translators: what one member knows that the others do not: "Ana brings M&A".
                Message(N_("%(name)s brings %(tags)s"), name=card.name, tags=listing(own))
            )
    shared_tags = _shared([c.tag_spelling for c in cards])
    if shared_tags:
        facilitator.append(Message(N_("Shared experience: %(tags)s"), tags=listing(shared_tags)))
    languages = _shared([c.language_spelling for c in cards])
    if languages:
        found = listing(languages)
        facilitator.append(
            Message(N_("Both speak %(languages)s"), languages=found)
            if pair
            else Message(N_("All three speak %(languages)s"), languages=found)
        )
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
    learning = _learning(people, cards)
    reasons.extend(learning)
    participant.extend(learning)
    for x, a in enumerate(ordered):
        penalised = ctx.penalised[a]
        if not penalised:
            continue
        reasons.extend(
            Message(
                N_("%(a)s and %(b)s were buddies in an earlier cohort (allowed with a penalty)"),
                a=people[x].name,
                b=ctx.people[b].name,
            )
            for b in ordered[x + 1 :]
            if b in penalised
        )
    if locked:
        reasons.append(Message(N_("Locked by the facilitator")))
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
        return _("%(above)s is in %(below)s's management chain", above=above.name, below=below.name)
    if rule == RULE_CONFLICT:
        return _("They are in the same conflict group")
    if rule == RULE_AVOID:
        return _("One asked not to be paired with the other")
    if rule == RULE_LANGUAGE:
        return _(
            "They share no working language (%(a)s: %(a_languages)s; %(b)s: %(b_languages)s)",
            a=a.name,
            a_languages=format_list(sorted(a.languages)),
            b=b.name,
            b_languages=format_list(sorted(b.languages)),
        )
    return _("They were buddies in an earlier cohort")


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
        return [_("%(name)s cannot be paired with themselves", name=ctx.people[i].name)]
    reasons = [describe_rule(ctx, i, j, rule) for rule in ctx.block_rules(i, j)]
    gone = {normalise_key(k) for k in excluded}
    for person in (ctx.people[i], ctx.people[j]):
        if person.key in gone:
            reasons.append(_("%(name)s is excluded from this matching", name=person.name))
    keys = {ctx.people[i].key, ctx.people[j].key}
    for group in locked:
        members = {normalise_key(k) for k in group}
        if members & keys and not keys <= members:
            for person in (ctx.people[i], ctx.people[j]):
                if person.key in members:
                    others = sorted(
                        ctx.people[ctx.position(k)].name for k in members - {person.key}
                    )
                    reasons.append(
                        _(
                            "%(name)s is locked in a group with %(others)s",
                            name=person.name,
                            others=format_list(others),
                        )
                    )
    if reasons:
        return reasons
    parts = ctx.parts(i, j)
    detail = [_(_CRITERIA[name], points=_format_score(v)) for name, v in parts.items() if v]
    score = _format_score(sum(parts.values()))
    if not detail:
        return [_("Allowed: score %(score)s (nothing in common or apart)", score=score)]
    return [_("Allowed: score %(score)s (%(parts)s)", score=score, parts=format_list(detail))]


def _relaxation(ctx: MatchContext, i: int, j: int, rule: str) -> str | None:
    other = ctx.people[j].name
    if rule == RULE_HISTORY:
        return _(
            "allow repeat buddies (history mode 'penalty') so they can pair with %(name)s",
            name=other,
        )
    if rule == RULE_AVOID:
        return _("drop the avoid request between them and %(name)s", name=other)
    if rule == RULE_CONFLICT:
        return _("take them or %(name)s out of their shared conflict group", name=other)
    if rule == RULE_LANGUAGE:
        return _("record a working language they share with %(name)s", name=other)
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
                names = format_list([ctx.people[v].name for v in group])
                relax.append(_("unlock the group of %(names)s", names=names))
        for v in sorted(excluded):
            if ctx.allowed(u, v):
                relax.append(_("include %(name)s again", name=ctx.people[v].name))
        causes = [_cause(r, n) for r, n in sorted(counts.items())]
        if not others:
            message = _("%(name)s is the only person left to match", name=person.name)
        elif not partners:
            message = _(
                "%(name)s has no allowed partner: %(causes)s",
                name=person.name,
                causes=format_list(causes),
            )
        else:
            message = _(
                "%(name)s could only be paired with %(partners)s, who are needed in other groups",
                name=person.name,
                partners=format_list([ctx.people[v].name for v in partners]),
            )
            relax.append(_("allow a second group of three"))
        problems.append(
            MatchProblem(
                keys=(person.key,),
                message=message,
                rules=tuple(sorted(counts)),
                relaxations=tuple(dict.fromkeys(relax))[:6],
            )
        )
    return problems
