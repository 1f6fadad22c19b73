"""Fast pair scores for one pool: per-attribute lookup tables instead of per-pair rules.

A pair score is a sum of four independent parts, each depending on one attribute bundle:
(level rank, tenure band), (function, region), tag set and language set. Rosters repeat
those bundles a lot, so each part is a small table indexed by bundle codes, and a row of
scores is four list look-ups per partner. ``MatchContext.parts`` stays the readable
reference; the tests check the two agree.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from app.services.matching_context import MatchContext
from app.services.matching_types import COMPLEMENTARY_TAG_CAP, SHARED_TAG_CAP

# Language clashes are folded into the table as a huge negative so that one comparison
# after the sum catches them.
_BLOCKED = -(10**15)

K = TypeVar("K", bound=Hashable)


class _Codes:
    def __init__(self, values: Sequence[Hashable]) -> None:
        found: dict[Hashable, int] = {}
        self.codes = [found.setdefault(v, len(found)) for v in values]
        self.values = list(found)


class PoolScorer:
    """Scores of any pool member against the pool, in pool order (None where blocked)."""

    def __init__(self, ctx: MatchContext, pool: Sequence[int]) -> None:
        self.ctx = ctx
        self.pool = list(pool)
        self.local = {v: k for k, v in enumerate(self.pool)}
        lvl, fun, reg, ten, comp, shared, lang, self._penalty = ctx.int_weights
        ranks = [ctx.people[i].level_rank for i in self.pool]
        self._level = _Codes([(r, ctx.band[i]) for r, i in zip(ranks, self.pool, strict=True)])
        self._place = _Codes([(ctx.function[i], ctx.region[i]) for i in self.pool])
        self._tags = _Codes([ctx.tags[i] for i in self.pool])
        self._langs = _Codes([ctx.languages[i] for i in self.pool])

        def level(a: tuple[int | None, int], b: tuple[int | None, int]) -> int:
            (ra, ba), (rb, bb) = a, b
            similar = ra is not None and rb is not None and abs(ra - rb) <= 1
            return (lvl if similar else 0) + (ten if ba >= 0 and bb >= 0 and ba != bb else 0)

        def place(a: tuple[int, int], b: tuple[int, int]) -> int:
            (fa, ga), (fb, gb) = a, b
            return (fun if fa and fb and fa != fb else 0) + (reg if ga and gb and ga != gb else 0)

        def tags(a: int, b: int) -> int:
            own = min((a & ~b).bit_count(), COMPLEMENTARY_TAG_CAP)
            theirs = min((b & ~a).bit_count(), COMPLEMENTARY_TAG_CAP)
            return comp * (own + theirs) + shared * min((a & b).bit_count(), SHARED_TAG_CAP)

        def langs(a: int, b: int) -> int:
            return lang if a & b else (_BLOCKED if a and b else 0)

        self._parts: list[tuple[_Codes, Callable[[object, object], int]]] = [
            (self._level, level),  # type: ignore[list-item]
            (self._place, place),  # type: ignore[list-item]
            (self._tags, tags),  # type: ignore[list-item]
            (self._langs, langs),  # type: ignore[list-item]
        ]
        self._tables: list[dict[int, list[int]]] = [{} for _ in self._parts]
        self._masks = [ctx.tags[i] for i in self.pool]
        self._sizes = [m.bit_count() for m in self._masks]
        self._max_tags = max(self._sizes, default=0)
        self._tag_weights = (comp, shared)
        self._overlap: dict[int, list[list[int]]] = {}
        # A full table costs (distinct tag sets)^2 cells; past a few per person it is slower
        # than counting the overlap pair by pair.
        self._tag_tables = len(self._tags.values) ** 2 <= 8 * len(self.pool) + 64

    def _table(self, part: int, code: int) -> list[int]:
        cache = self._tables[part]
        table = cache.get(code)
        if table is None:
            codes, rule = self._parts[part]
            mine = codes.values[code]
            table = cache[code] = [rule(mine, other) for other in codes.values]
        return table

    def _by_overlap(self, size: int) -> list[list[int]]:
        """Return tag scores indexed [partner's tag count][shared tag count] for ``size`` tags."""
        table = self._overlap.get(size)
        if table is None:
            comp, shared = self._tag_weights
            cap, scap = COMPLEMENTARY_TAG_CAP, SHARED_TAG_CAP
            table = self._overlap[size] = [
                [
                    comp * (min(size - c, cap) + min(other - c, cap)) + shared * min(c, scap)
                    for c in range(min(size, other) + 1)
                ]
                for other in range(self._max_tags + 1)
            ]
        return table

    def row(self, li: int, start: int = 0) -> list[int | None]:
        """Return the scores of pool member ``li`` with pool members ``start`` onwards."""
        ta = self._table(0, self._level.codes[li])
        tb = self._table(1, self._place.codes[li])
        td = self._table(3, self._langs.codes[li])
        level, place, langs = (
            self._level.codes[start:],
            self._place.codes[start:],
            self._langs.codes[start:],
        )
        if self._tag_tables:
            tc = self._table(2, self._tags.codes[li])
            tags = self._tags.codes[start:]
            sums = [
                ta[a] + tb[b] + tc[c] + td[d]
                for a, b, c, d in zip(level, place, tags, langs, strict=True)
            ]
        else:
            # Too many distinct tag sets for a table: the score only needs the overlap size.
            mine = self._masks[li]
            by = self._by_overlap(mine.bit_count())
            sums = [
                ta[a] + tb[b] + td[d] + by[n][(mine & m).bit_count()]
                for a, b, d, n, m in zip(
                    level, place, langs, self._sizes[start:], self._masks[start:], strict=True
                )
            ]
        floor = _BLOCKED // 2
        out: list[int | None] = [v if v > floor else None for v in sums]
        if start <= li:
            out[li - start] = None
        i = self.pool[li]
        local = self.local
        for j in self.ctx.hard[i]:
            k = local.get(j)
            if k is not None and k >= start:
                out[k - start] = None
        for j in self.ctx.penalised[i]:
            k = local.get(j)
            if k is not None and k >= start and (v := out[k - start]) is not None:
                out[k - start] = v - self._penalty
        return out
