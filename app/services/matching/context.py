"""Roster prepared for matching: attribute codes, hard-constraint lookups and integer scores."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext as _
from app.services.matching.types import (
    COMPLEMENT_CAP,
    COMPLEMENTARY_TAG_CAP,
    RULE_AVOID,
    RULE_CONFLICT,
    RULE_HISTORY,
    RULE_LANGUAGE,
    RULE_MANAGER,
    SCALE,
    SHARED_TAG_CAP,
    HistoryMode,
    MatchPerson,
    Weights,
    rank_level,
    tenure_band,
)

# Far below any real rank and spaced apart so that two unknown levels never look adjacent.
_UNKNOWN_RANK = -(10**6)


def normalise_key(key: str) -> str:
    """Return the comparable form of an e-mail key (trimmed, lower case)."""
    return key.strip().lower()


def _codes(values: Iterable[str]) -> dict[str, int]:
    return {value: position for position, value in enumerate(sorted(set(values)))}


def _mask(values: Iterable[str], codes: Mapping[str, int]) -> int:
    mask = 0
    for value in values:
        mask |= 1 << codes[value.lower()]
    return mask


def _members(sets: Sequence[frozenset[str]], codes: Mapping[str, int]) -> npt.NDArray[np.bool_]:
    """Return a person x value membership matrix (lower-cased values)."""
    matrix = np.zeros((len(sets), len(codes)), dtype=np.bool_)
    for row, values in enumerate(sets):
        for value in values:
            matrix[row, codes[value.lower()]] = True
    return matrix


def _pair_arrays(pairs: Iterable[tuple[int, int]]) -> npt.NDArray[np.int64]:
    """Return unique unordered pairs as a (k, 2) array with the smaller position first."""
    found = sorted({(min(i, j), max(i, j)) for i, j in pairs if i != j})
    return np.array(found, dtype=np.int64).reshape(-1, 2)


# Titles repeat across a roster; the regex ladder runs once per distinct spelling.
_rank_level = lru_cache(maxsize=4096)(rank_level)


def _band_code(years: float | None) -> int:
    band = tenure_band(years)
    return -1 if band is None else band


def _clean_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v.strip())


@dataclass(frozen=True, eq=False, slots=True)
class CodeArrays:
    """Per-person attribute codes as arrays, for scoring a whole pool at once.

    ``blocked`` lists the pairs kept apart by a manager chain, an avoid request or (in
    forbid mode) history; conflict groups and languages are matrices because one group can
    hold many people. ``penalised`` lists repeat pairs that cost the history penalty.
    """

    rank: npt.NDArray[np.int64]
    function: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    band: npt.NDArray[np.int64]
    tags: npt.NDArray[np.bool_]
    languages: npt.NDArray[np.bool_]
    conflicts: npt.NDArray[np.bool_]
    offers: npt.NDArray[np.bool_]
    wants: npt.NDArray[np.bool_]
    blocked: npt.NDArray[np.int64]
    penalised: npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False, slots=True)
class MatchContext:
    """Everything the engine needs about one roster, indexed by position in key order."""

    people: tuple[MatchPerson, ...]
    weights: Weights
    history: frozenset[frozenset[str]]
    history_mode: HistoryMode
    index: Mapping[str, int]
    ancestors: tuple[frozenset[str], ...]
    rank: tuple[int, ...]
    function: tuple[int, ...]
    region: tuple[int, ...]
    band: tuple[int, ...]
    tags: tuple[int, ...]
    languages: tuple[int, ...]
    conflicts: tuple[int, ...]
    offers: tuple[int, ...]
    wants: tuple[int, ...]
    hard: tuple[frozenset[int], ...]
    penalised: tuple[frozenset[int], ...]
    int_weights: tuple[int, int, int, int, int, int, int, int, int]
    arrays: CodeArrays

    def key(self, i: int) -> str:
        """Return the key of the person at position ``i``."""
        return self.people[i].key

    def position(self, key: str) -> int:
        """Return the position of ``key`` or raise InvalidInput naming it."""
        found = self.index.get(normalise_key(key))
        if found is None:
            raise InvalidInput(
                _("Unknown participant %(key)s", key=repr(key)), [Problem(key, _("not in roster"))]
            )
        return found

    def allowed(self, i: int, j: int) -> bool:
        """Return whether persons ``i`` and ``j`` may be grouped under every hard constraint."""
        if i == j or j in self.hard[i] or self.conflicts[i] & self.conflicts[j]:
            return False
        li, lj = self.languages[i], self.languages[j]
        return not (li and lj and not li & lj)

    def block_rules(self, i: int, j: int) -> list[str]:
        """Return every rule that forbids grouping ``i`` with ``j`` (empty when allowed)."""
        a, b = self.people[i], self.people[j]
        rules: list[str] = []
        if a.key in self.ancestors[j] or b.key in self.ancestors[i]:
            rules.append(RULE_MANAGER)
        if self.conflicts[i] & self.conflicts[j]:
            rules.append(RULE_CONFLICT)
        if b.key in a.avoid or a.key in b.avoid:
            rules.append(RULE_AVOID)
        li, lj = self.languages[i], self.languages[j]
        if li and lj and not li & lj:
            rules.append(RULE_LANGUAGE)
        if self.history_mode == "forbid" and frozenset((a.key, b.key)) in self.history:
            rules.append(RULE_HISTORY)
        return rules

    def parts(self, i: int, j: int) -> dict[str, int]:
        """Return each weighted criterion's contribution (thousandths) to the pair score."""
        lvl, fun, reg, ten, comp, shared, lang, pen, learn = self.int_weights
        ti, tj = self.tags[i], self.tags[j]
        li, lj = self.languages[i], self.languages[j]
        fi, fj, gi, gj = self.function[i], self.function[j], self.region[i], self.region[j]
        bi, bj = self.band[i], self.band[j]
        complementary = min((ti & ~tj).bit_count(), COMPLEMENTARY_TAG_CAP) + min(
            (tj & ~ti).bit_count(), COMPLEMENTARY_TAG_CAP
        )
        return {
            "similar_level": lvl if abs(self.rank[i] - self.rank[j]) <= 1 else 0,
            "different_function": fun if fi and fj and fi != fj else 0,
            "different_region": reg if gi and gj and gi != gj else 0,
            "different_tenure": ten if bi >= 0 and bj >= 0 and bi != bj else 0,
            "complementary_tags": comp * complementary,
            "shared_tags": shared * min((ti & tj).bit_count(), SHARED_TAG_CAP),
            "shared_language": lang if li & lj else 0,
            "complement": learn * self.learning(i, j),
            "history_penalty": -pen if j in self.penalised[i] else 0,
        }

    def learning(self, i: int, j: int) -> int:
        """Return how many topics (capped each way) one wants to learn that the other offers."""
        return min((self.wants[i] & self.offers[j]).bit_count(), COMPLEMENT_CAP) + min(
            (self.wants[j] & self.offers[i]).bit_count(), COMPLEMENT_CAP
        )

    def score(self, i: int, j: int) -> int:
        """Return the pair score of ``i`` and ``j`` in thousandths."""
        return sum(self.parts(i, j).values())


def _validate_people(people: Sequence[MatchPerson]) -> list[MatchPerson]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, person in enumerate(people, start=1):
        key = normalise_key(person.key)
        if not key:
            problems.append(
                Problem(_("person %(row)s", row=row), _("key (e-mail) is empty"), "key")
            )
        elif key in seen:
            problems.append(
                Problem(
                    _("person %(row)s", row=row),
                    _("%(key)s is listed twice (also person %(row)s)", key=key, row=seen[key]),
                    "key",
                )
            )
        else:
            seen[key] = row
        if person.tenure_years is not None and person.tenure_years < 0:
            problems.append(
                Problem(_("person %(row)s", row=row), _("tenure_years is negative"), "tenure_years")
            )
    if problems:
        raise InvalidInput(_("The roster cannot be matched"), problems)
    return sorted(people, key=lambda p: normalise_key(p.key))


def _ancestor_sets(
    people: Sequence[MatchPerson], extra_links: Mapping[str, str]
) -> tuple[frozenset[str], ...]:
    links = {normalise_key(k): normalise_key(v) for k, v in extra_links.items() if v.strip()}
    for person in people:
        if person.manager_key and person.manager_key.strip():
            links[person.key] = normalise_key(person.manager_key)
    result: list[frozenset[str]] = []
    for person in people:
        seen: set[str] = set()
        boss = links.get(person.key)
        # A cycle in an HR export must not hang the engine; stop at the first repeat.
        while boss is not None and boss not in seen and boss != person.key:
            seen.add(boss)
            boss = links.get(boss)
        result.append(frozenset(seen))
    return tuple(result)


def build_context(
    people: Sequence[MatchPerson],
    *,
    weights: Weights | None = None,
    history: Collection[frozenset[str]] = (),
    history_mode: HistoryMode = "forbid",
    extra_manager_links: Mapping[str, str] | None = None,
) -> MatchContext:
    """Validate a roster and precompute the codes and lookups every matching call uses."""
    if history_mode not in ("forbid", "penalty"):
        raise InvalidInput(
            _("Unknown history mode"),
            [Problem("history_mode", repr(history_mode), "history_mode")],
        )
    weights = weights or Weights()
    ordered = _validate_people(people)
    roster = tuple(
        MatchPerson(
            key=normalise_key(p.key),
            name=p.name.strip() or normalise_key(p.key),
            level=p.level,
            level_rank=p.level_rank if p.level_rank is not None else _rank_level(p.level),
            function=p.function.strip() if p.function and p.function.strip() else None,
            region=p.region.strip() if p.region and p.region.strip() else None,
            tenure_years=p.tenure_years,
            manager_key=normalise_key(p.manager_key) if p.manager_key else None,
            languages=_clean_set(p.languages),
            tags=_clean_set(p.tags),
            avoid=frozenset(normalise_key(k) for k in p.avoid if k.strip()),
            conflict_groups=_clean_set(p.conflict_groups),
            offers=_clean_set(p.offers),
            wants=_clean_set(p.wants),
        )
        for p in ordered
    )
    index = {p.key: i for i, p in enumerate(roster)}
    pairs = frozenset(
        frozenset(normalise_key(k) for k in pair) for pair in history if len(set(pair)) == 2
    )
    ancestors = _ancestor_sets(roster, extra_manager_links or {})
    hard: list[set[int]] = [set() for _ in roster]
    penalised: list[set[int]] = [set() for _ in roster]
    blocked_pairs: list[tuple[int, int]] = []
    penalised_pairs: list[tuple[int, int]] = []
    for i, person in enumerate(roster):
        for key in ancestors[i] | person.avoid:
            j = index.get(key)
            if j is not None and j != i:
                blocked_pairs.append((i, j))
    for pair in pairs:
        a, b = sorted(pair)
        if a in index and b in index:
            found = (index[a], index[b])
            (blocked_pairs if history_mode == "forbid" else penalised_pairs).append(found)
    blocked = _pair_arrays(blocked_pairs)
    penalties = _pair_arrays(penalised_pairs)
    for into, listed in ((hard, blocked), (penalised, penalties)):
        for i, j in listed.tolist():
            into[i].add(j)
            into[j].add(i)

    func_codes = _codes(p.function.lower() for p in roster if p.function)
    region_codes = _codes(p.region.lower() for p in roster if p.region)
    tag_codes = _codes(t.lower() for p in roster for t in p.tags)
    lang_codes = _codes(t.lower() for p in roster for t in p.languages)
    conflict_codes = _codes(t.lower() for p in roster for t in p.conflict_groups)
    # One vocabulary for both directions, so that a wish and an offer of a topic compare.
    topic_codes = _codes(t.lower() for p in roster for t in p.offers | p.wants)
    rank = tuple(
        p.level_rank if p.level_rank is not None else _UNKNOWN_RANK * (i + 1)
        for i, p in enumerate(roster)
    )
    function = tuple(func_codes[p.function.lower()] + 1 if p.function else 0 for p in roster)
    region = tuple(region_codes[p.region.lower()] + 1 if p.region else 0 for p in roster)
    band = tuple(_band_code(p.tenure_years) for p in roster)
    arrays = CodeArrays(
        rank=np.array(rank, dtype=np.int64),
        function=np.array(function, dtype=np.int64),
        region=np.array(region, dtype=np.int64),
        band=np.array(band, dtype=np.int64),
        tags=_members([p.tags for p in roster], tag_codes),
        languages=_members([p.languages for p in roster], lang_codes),
        conflicts=_members([p.conflict_groups for p in roster], conflict_codes),
        offers=_members([p.offers for p in roster], topic_codes),
        wants=_members([p.wants for p in roster], topic_codes),
        blocked=blocked,
        penalised=penalties,
    )
    return MatchContext(
        people=roster,
        weights=weights,
        history=pairs,
        history_mode=history_mode,
        index=index,
        ancestors=ancestors,
        rank=rank,
        function=function,
        region=region,
        band=band,
        tags=tuple(_mask(p.tags, tag_codes) for p in roster),
        languages=tuple(_mask(p.languages, lang_codes) for p in roster),
        conflicts=tuple(_mask(p.conflict_groups, conflict_codes) for p in roster),
        offers=tuple(_mask(p.offers, topic_codes) for p in roster),
        wants=tuple(_mask(p.wants, topic_codes) for p in roster),
        hard=tuple(frozenset(s) for s in hard),
        penalised=tuple(frozenset(s) for s in penalised),
        int_weights=(
            round(weights.similar_level * SCALE),
            round(weights.different_function * SCALE),
            round(weights.different_region * SCALE),
            round(weights.different_tenure * SCALE),
            round(weights.complementary_tags * SCALE),
            round(weights.shared_tags * SCALE),
            round(weights.shared_language * SCALE),
            round(weights.history_penalty * SCALE),
            round(weights.complement * SCALE),
        ),
        arrays=arrays,
    )
