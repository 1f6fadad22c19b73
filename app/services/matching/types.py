"""Plain data of the buddy matching engine: people, weights, groups, results, level ranks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.messages import texts

HistoryMode = Literal["forbid", "penalty"]

RULE_MANAGER = "manager_chain"
RULE_CONFLICT = "conflict_group"
RULE_AVOID = "avoid"
RULE_LANGUAGE = "no_shared_language"
RULE_HISTORY = "history"
RULES: tuple[str, ...] = (RULE_MANAGER, RULE_CONFLICT, RULE_AVOID, RULE_LANGUAGE, RULE_HISTORY)

# Scores are summed as integers (thousandths) so that totals compare exactly.
SCALE = 1000
# Tag counts are capped so that one person with a long CV does not dominate every pair.
COMPLEMENTARY_TAG_CAP = 3
SHARED_TAG_CAP = 2
# What one wants to learn and the other offers counts up to this many topics each way.
COMPLEMENT_CAP = 2
TENURE_BANDS: tuple[tuple[float, str], ...] = (
    (2.0, "under 2 years"),
    (5.0, "2-5 years"),
    (10.0, "5-10 years"),
    (float("inf"), "10+ years"),
)


@dataclass(frozen=True, slots=True)
class MatchPerson:
    """One participant as the matcher sees them; ``key`` (normalised e-mail) is the identity."""

    key: str
    name: str
    level: str | None = None
    level_rank: int | None = None
    function: str | None = None
    region: str | None = None
    tenure_years: float | None = None
    manager_key: str | None = None
    languages: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()
    conflict_groups: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()
    """Tags the person says, in their intake, they can offer a buddy."""
    wants: frozenset[str] = frozenset()
    """Tags the person says, in their intake, they want to learn about."""


class Weights(BaseModel):
    """How much each likeness or difference adds to a pair's score (all >= 0)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    similar_level: float = Field(default=3.0, ge=0)
    different_function: float = Field(default=2.0, ge=0)
    different_region: float = Field(default=1.0, ge=0)
    different_tenure: float = Field(default=1.5, ge=0)
    complementary_tags: float = Field(default=1.0, ge=0)
    shared_tags: float = Field(default=0.25, ge=0)
    shared_language: float = Field(default=0.5, ge=0)
    # Directional: what A wants to learn that B can offer, and the other way round.
    complement: float = Field(default=1.5, ge=0)
    history_penalty: float = Field(default=5.0, ge=0)


@dataclass(frozen=True, slots=True)
class Group:
    """A buddy pair (or the one trio); ``reasons`` are for facilitators, the others for members."""

    members: tuple[str, ...]
    score: float
    reasons: list[str] = field(default_factory=list)
    participant_reasons: list[str] = field(default_factory=list)
    locked: bool = False


@dataclass(frozen=True, slots=True)
class MatchProblem:
    """Why someone could not be placed, which rules cause it and what would help."""

    keys: tuple[str, ...]
    message: str
    rules: tuple[str, ...] = ()
    relaxations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Groups found, their total score, who is left out and why.

    ``upper_bound`` is a proven bound on the best possible total; ``optimal`` says the total
    is proven to reach it (exact solve) rather than merely to come close (large rosters).
    """

    groups: list[Group]
    total: float
    unpaired: list[str] = field(default_factory=list)
    problems: list[MatchProblem] = field(default_factory=list)
    optimal: bool = True
    upper_bound: float | None = None

    @property
    def gap(self) -> float | None:
        """How far the total may lie below the best possible, as a share of the bound.

        0.0 when the total reaches the bound (proven optimal); None without a bound.
        """
        if self.upper_bound is None:
            return None
        # Scores are whole thousandths: less than half of one is rounding, not a gap.
        missing = self.upper_bound - self.total
        if missing < 0.5 / SCALE:
            return 0.0
        return missing / max(abs(self.upper_bound), abs(self.total))

    @property
    def proven_optimal(self) -> bool:
        """Whether no grouping under the same rules can score more (the gap is zero)."""
        return self.gap == 0.0

    def to_json(self) -> dict[str, Any]:
        """Return the groups, total, unpaired keys and the proof (bound, gap) as JSON data."""
        gap = self.gap
        return {
            "groups": [
                {"members": list(g.members), "score": g.score, "reasons": texts(g.reasons)}
                for g in self.groups
            ],
            "total": self.total,
            "unpaired": list(self.unpaired),
            "bound": None if self.upper_bound is None else round(self.upper_bound, 3),
            "gap": None if gap is None else round(gap, 6),
            "optimal": self.proven_optimal,
        }


@dataclass(frozen=True, slots=True)
class Matrix:
    """Pair scores in ``keys`` order (symmetric, 0 on the diagonal) and every blocking rule."""

    keys: list[str]
    scores: list[list[float]]
    blocked: list[tuple[str, str, str]]


@dataclass(frozen=True, slots=True)
class ResultDiff:
    """What changed between two results: groups added/removed, who moved, score change."""

    added: list[Group]
    removed: list[Group]
    kept: list[Group]
    moved: list[str]
    changes: list[str]
    score_change: float


_NUMERIC_GRADE = re.compile(r"^(?:(?:grade|level|band|step)\s*|[a-z]{1,3}\s*-?\s*)?(\d{1,2})$")

# Checked in order: the most specific phrase first ("senior vice president" before
# "vice president" before "president"), so a title lands on its own rung.
_TITLE_RANKS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern), rank)
    for pattern, rank in (
        (r"\b(executive vice president|evp)\b", 9),
        (r"\b(senior vice president|svp|sr\.? vice president)\b", 8),
        (r"\b(vice president|vp|avp)\b", 7),
        (r"\b(chief \w+ officer|ceo|cfo|coo|cto|cio|chro|cmo|president|c-level)\b", 10),
        (r"\b(senior director|sr\.? director|executive director)\b", 6),
        (r"\b(director|head of|general manager)\b", 5),
        (r"\b(senior manager|sr\.? manager)\b", 4),
        (r"\b(manager)\b", 3),
        (r"\b(team lead|team leader|lead|supervisor)\b", 2),
        (
            r"\b(individual contributor|ic|specialist|engineer|analyst|associate|"
            r"consultant|coordinator|officer)\b",
            1,
        ),
    )
)


def rank_level(level: str | None) -> int | None:
    """Return a comparable rank for a numeric grade ("L5", "Grade 7") or a common job title.

    Titles rank individual contributor 1 < team lead 2 < manager 3 < senior manager 4 <
    director 5 < senior director 6 < VP 7 < SVP 8 < EVP 9 < C-level 10; a roster should use
    one scale (grades or titles) because the two are not comparable to each other.
    """
    if level is None:
        return None
    text = " ".join(level.strip().lower().replace("_", " ").split())
    if not text:
        return None
    numeric = _NUMERIC_GRADE.match(text)
    if numeric:
        return int(numeric.group(1))
    for pattern, rank in _TITLE_RANKS:
        if pattern.search(text):
            return rank
    return None


def tenure_band(years: float | None) -> int | None:
    """Return the tenure band index (<2, 2-5, 5-10, 10+ years) or None when unknown."""
    if years is None or years < 0:
        return None
    for index, (upper, _label) in enumerate(TENURE_BANDS):
        if years < upper:
            return index
    return len(TENURE_BANDS) - 1
