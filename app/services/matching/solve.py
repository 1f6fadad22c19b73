"""The optimiser: maximum-cardinality, maximum-score pairs plus the best single trio.

Method, in the order the code runs it:

1. Scores. One integer matrix for the pool (``matching_rows.score_pool``).
2. Candidate pairs. Each person keeps their ``CANDIDATES`` best allowed partners; the
   compiled blossom solver (``rustworkx.max_weight_matching(max_cardinality=True)``, weights
   shifted to be positive: all maximum-cardinality matchings have the same size, so a
   constant shift does not change which one scores best) gives a first matching M0 when
   the rounded LP solution of step 4 is not good enough.
3. Duals. The fractional matching LP is solved on the candidate pairs, and pairs the duals
   price as profitable are added (column generation, a few rounds); the duals are then
   raised until they cover every allowed pair, so sum(y) is a proven upper bound
   (``matching_bound``).
4. Exact pairs by reduced-cost fixing. With LB = score(M0), a pair whose reduced cost
   exceeds sum(y) - LB belongs to no matching scoring LB or more, so the blossom solver on
   the remaining pairs returns the optimum over all allowed pairs. This needs M0 to have
   maximum cardinality, which holds when it leaves at most one non-isolated person single;
   otherwise pools up to ``DENSE_LIMIT`` are solved on every allowed pair. M0 is first
   read off the LP solution itself (``rounded_matching``); only when that leaves more pairs
   standing than the candidates does the blossom solver produce M0 from them. Above
   ``DENSE_LIMIT`` the exact step runs only when few pairs survive the fixing; otherwise M0
   is kept with its proven bound.
5. Trio (``matching_trio``), when someone is left and a group of three is allowed.
6. Bound for inexact results: from the duals, sum(y) for pairs; with a trio abc also at
   most sum(y) + y_a + y_b + y_c, or sum(y) - y_c + s(ac) + s(bc).

Pools above ``LARGE_LIMIT`` never become a matrix: ``matching_large`` runs the same steps
on a candidate graph, scoring the pool in blocks of rows, and returns the same bound.

Preferred pairs (the pairs a facilitator already reviewed) break ties among equal optima.
Every score is multiplied by K and each preferred pair gains 1. An arrangement has at most
(n + 3) / 2 pairs (a trio counts three), so with K above that the bonuses of any
arrangement sum to less than one thousandth of a point: an optimum of the working scores
is an optimum of the real ones, the one keeping the most preferred pairs. Totals are read
from the real scores; a bound B on the working scores bounds the real total by floor(B / K).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.services.matching.bound import (
    IntArray,
    cover_duals,
    fractional_duals,
    priced_pairs,
    rounded_matching,
)
from app.services.matching.context import MatchContext
from app.services.matching.large import Pool, join_trio, large_pairs
from app.services.matching.rows import BoolMatrix, IntMatrix, score_pool
from app.services.matching.trio import EXACT_TRIO_LIMIT, Pairs, Trio, best_trio

DENSE_LIMIT = 500
# Above this many people a pool is never held as a matrix: ``matching_large`` streams it.
LARGE_LIMIT = 1000
CANDIDATES = 12
_PRICING_ROUNDS = 4
_PRICED = 6
# Above DENSE_LIMIT the exact re-solve runs only when the fixing leaves this many pairs
# per person or fewer; beyond that the blossom solver costs more than the gap is worth.
_FIXED_PER_PERSON = 40

__all__ = ["DENSE_LIMIT", "EXACT_TRIO_LIMIT", "LARGE_LIMIT", "Arrangement", "solve_pool"]


@dataclass(slots=True)
class Arrangement:
    """Pairs, the optional trio and who is left, as positions in the context.

    ``pair_points`` holds each pair's score (thousandths) in ``pairs`` order and
    ``trio_points`` the trio's, read from the pool's score matrix.
    """

    pairs: list[tuple[int, int]]
    trio: tuple[int, int, int] | None
    unpaired: list[int]
    total: int
    upper_bound: int
    optimal: bool
    pair_points: list[int] = field(default_factory=list)
    trio_points: int = 0


def _blossom(size: int, us: IntArray, vs: IntArray, ws: IntArray) -> Pairs:
    """Return a maximum-cardinality, maximum-score matching of the given edges."""
    if not len(us):
        return []
    shift = 1 - min(0, int(ws.min()))
    import rustworkx as rx

    graph = rx.PyGraph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from(list(zip(us.tolist(), vs.tolist(), (ws + shift).tolist(), strict=True)))
    found = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return sorted((min(u, v), max(u, v)) for u, v in found)


def _edges(mask: BoolMatrix) -> tuple[IntArray, IntArray]:
    us, vs = np.nonzero(np.triu(mask, 1))
    return us.astype(np.int64), vs.astype(np.int64)


def _union(size: int, *parts: tuple[IntArray, IntArray]) -> tuple[IntArray, IntArray]:
    codes = np.sort(np.concatenate([u * size + v for u, v in parts]))
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes
    return codes // size, codes % size


def _candidates(scores: IntMatrix, allowed: BoolMatrix, count: int) -> tuple[IntArray, IntArray]:
    size = len(scores)
    if count >= size - 1:
        return _edges(allowed)
    # Score and a rotating position share one key: ties go to the people just after u in
    # key order (wrapping round), so tie-heavy rosters do not hand everyone the same few.
    rows = np.arange(size)
    turn = size - 1 - (rows[None, :] - rows[:, None]) % size
    keyed = np.where(allowed, scores * size + turn, np.iinfo(np.int64).min)
    top = np.argpartition(keyed, size - count, axis=1)[:, size - count :]
    us, vs = np.repeat(rows, count), top.ravel()
    keep = allowed[us, vs]
    us, vs = us[keep], vs[keep]
    return _union(size, (np.minimum(us, vs), np.maximum(us, vs)))


def _sides(trio: Trio) -> Pairs:
    a, b, c = trio
    return [(a, b), (a, c), (b, c)]


def _points(scores: IntMatrix, pairs: Pairs) -> list[int]:
    if not pairs:
        return []
    ends = np.asarray(pairs, dtype=np.int64)
    found: list[int] = scores[ends[:, 0], ends[:, 1]].tolist()
    return found


def _total(scores: IntMatrix, pairs: Pairs) -> int:
    return sum(_points(scores, pairs))


def best_pairs(
    scores: IntMatrix, allowed: BoolMatrix, *, exact: bool
) -> tuple[Pairs, IntArray, bool]:
    """Return the best maximum-cardinality matching, covering doubled duals, and if proven."""
    size = len(scores)
    us, vs = _candidates(scores, allowed, CANDIDATES)
    doubled = np.zeros(size, dtype=np.int64)
    mate = np.arange(size, dtype=np.int64)
    for _round in range(_PRICING_ROUNDS):
        doubled, mate = fractional_duals(size, us, vs, scores[us, vs])
        extra = priced_pairs(doubled, scores, allowed, _PRICED)
        if not len(extra[0]):
            break
        us, vs = _union(size, (us, vs), extra)
    doubled = cover_duals(doubled, scores, allowed)
    reachable = int(allowed.any(axis=1).sum())
    reduced = doubled[:, None] + doubled[None, :] - 2 * scores

    def fixed(lower: Pairs, most_pairs: int) -> Pairs | None:
        """Return the optimum, solved on the pairs that can still beat ``lower``, or None.

        None when ``lower`` may lack maximum cardinality (the fixing argument needs it) or
        when more than ``most_pairs`` pairs survive the fixing.
        """
        if 2 * len(lower) < reachable - 1:
            return None
        gap = int(doubled.sum()) - 2 * _total(scores, lower)
        if gap == 0:
            return lower
        kept = _edges(allowed & (reduced <= gap))
        if len(kept[0]) > most_pairs:
            return None
        return _blossom(size, *kept, scores[kept])

    # The LP's own half-integral solution, rounded, often scores as well as a blossom run
    # on the candidates would; then one blossom run (on no more pairs than the candidates)
    # replaces two. When the rounding leaves a wide gap, the candidate matching goes first.
    found = fixed(rounded_matching(mate, scores, allowed), len(us))
    if found is not None:
        return found, doubled, True
    first = _blossom(size, us, vs, scores[us, vs])
    found = fixed(first, size * size if exact else size * _FIXED_PER_PERSON)
    if found is not None:
        return found, doubled, True
    if exact:
        every = _edges(allowed)
        return _blossom(size, *every, scores[every]), doubled, True
    return first, doubled, False


def _top(values: IntMatrix, allowed: BoolMatrix, count: int) -> IntArray:
    """Return, per row, the sum of the ``count`` largest allowed values (None-like if fewer)."""
    low = np.iinfo(np.int64).min // 4
    masked = np.where(allowed, values, low)
    width = masked.shape[1]
    if width < count:
        return np.full(len(values), low, dtype=np.int64)
    best = -np.partition(-masked, count - 1, axis=1)[:, :count]
    return np.asarray(best.sum(axis=1), dtype=np.int64)


def _trio_bound(doubled: IntArray, top2: IntArray) -> int:
    """Return a proven bound (doubled) on any arrangement with one trio, from covering duals.

    ``top2`` holds each person's two best allowed scores summed.
    """
    three = int(np.sort(doubled)[-3:].sum())
    attach = int((2 * top2 - doubled).max())
    return int(doubled.sum()) + min(three, attach)


def _tie_break(
    points: IntMatrix, local: dict[int, int], prefer: Collection[frozenset[int]]
) -> tuple[IntMatrix, int]:
    """Return working scores favouring ``prefer`` among equal optima, and their scale K."""
    ends = [
        (local[a], local[b])
        for pair in prefer
        if len(pair) == 2 and all(p in local for p in pair)
        for a, b in [tuple(pair)]
    ]
    if not ends:
        return points, 1
    scale = min(len(ends), (len(points) + 3) // 2) + 1
    scores = points * scale
    for a, b in ends:
        scores[a, b] += 1
        scores[b, a] += 1
    return scores, scale


def solve_pool(
    ctx: MatchContext,
    pool: Sequence[int],
    *,
    allow_trio: bool = True,
    forbid: Collection[frozenset[int]] = (),
    prefer: Collection[frozenset[int]] = (),
) -> Arrangement:
    """Return the best arrangement of ``pool`` (positions) into pairs and at most one trio.

    Among arrangements of equal score, the one keeping the most ``prefer`` pairs is returned.
    """
    if len(pool) > LARGE_LIMIT:
        return _solve_large(ctx, pool, allow_trio=allow_trio, forbid=forbid, prefer=prefer)
    table = score_pool(ctx, sorted(pool))
    points, allowed, back = table.scores, table.allowed, table.pool
    size = len(back)
    local = {p: k for k, p in enumerate(back)}
    for pair in forbid:
        if len(pair) == 2 and all(p in local for p in pair):
            a, b = (local[p] for p in pair)
            allowed[a, b] = allowed[b, a] = False
    scores, scale = _tie_break(points, local, prefer)
    if size < 2:
        return Arrangement([], None, list(back), 0, 0, True)
    exact = size <= DENSE_LIMIT
    pairs, doubled, proven = best_pairs(scores, allowed, exact=exact)

    def solve_rest(nodes: Sequence[int]) -> Pairs:
        index = np.asarray(nodes, dtype=np.int64)
        sub = np.ix_(index, index)
        found = best_pairs(scores[sub], allowed[sub], exact=len(index) <= DENSE_LIMIT)[0]
        return [(int(index[a]), int(index[b])) for a, b in found]

    matched = {v for p in pairs for v in p}
    free = [v for v in range(size) if v not in matched]
    total = base = _total(scores, pairs)
    trio: Trio | None = None
    searched = bool(free) and allow_trio
    found = best_trio(scores, allowed, pairs, free, solve_rest=solve_rest) if searched else None
    if found is not None:
        total, pairs, trio = found
        covered = {v for p in pairs for v in p} | set(trio)
        free = [v for v in range(size) if v not in covered]
    optimal = proven and (not searched or size <= EXACT_TRIO_LIMIT)
    bound = total if optimal else int(doubled.sum()) // 2
    if searched and not optimal and size >= 3:
        with_trio = _trio_bound(doubled, _top(scores, allowed, 2)) // 2
        if proven:
            # Any trio arrangement is a k-matching of pool - c plus c's two links.
            with_trio = min(with_trio, base + int(_top(scores, allowed, 2).max()))
        bound = max(bound, with_trio)
    pair_points = _points(points, pairs)
    trio_points = 0 if trio is None else _total(points, _sides(trio))
    real = sum(pair_points) + trio_points
    return Arrangement(
        pairs=[(back[a], back[b]) for a, b in pairs],
        trio=None if trio is None else (back[trio[0]], back[trio[1]], back[trio[2]]),
        unpaired=[back[v] for v in free],
        total=real,
        upper_bound=real if optimal else max(bound // scale, real),
        optimal=optimal,
        pair_points=pair_points,
        trio_points=trio_points,
    )


def _solve_large(
    ctx: MatchContext,
    pool: Sequence[int],
    *,
    allow_trio: bool,
    forbid: Collection[frozenset[int]],
    prefer: Collection[frozenset[int]],
) -> Arrangement:
    """Return a near-best arrangement of a large pool with its proven bound (not optimal)."""
    big = Pool(ctx, pool, forbid=forbid, prefer=prefer)
    pairs, doubled, top2, _reachable = large_pairs(big)

    matched = {v for p in pairs for v in p}
    free = [v for v in range(big.size) if v not in matched]
    searched = bool(free) and allow_trio
    trio: Trio | None = None
    found = join_trio(big, pairs, free) if searched else None
    if found is not None:
        _gain, pairs, trio = found
        free = [v for v in free if v not in trio]
    bound = int(doubled.sum()) // 2
    if searched and big.size >= 3:
        bound = max(bound, _trio_bound(doubled, top2) // 2)
    ends = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    pair_points: list[int] = big.real(ends[:, 0], ends[:, 1]).tolist()
    trio_points = 0
    if trio is not None:
        sides = np.asarray(_sides(trio), dtype=np.int64)
        trio_points = int(big.real(sides[:, 0], sides[:, 1]).sum())
    real = sum(pair_points) + trio_points
    upper = max(bound // big.scale, real)
    back = big.back.tolist()
    return Arrangement(
        pairs=[(back[a], back[b]) for a, b in pairs],
        trio=None if trio is None else (back[trio[0]], back[trio[1]], back[trio[2]]),
        unpaired=[back[v] for v in free],
        total=real,
        upper_bound=upper,
        optimal=real >= upper,
        pair_points=pair_points,
        trio_points=trio_points,
    )
