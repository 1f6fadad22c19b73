"""The one group of three: exact branch and bound for small pools, a greedy search above.

Let k be the matching size. One trio T = {a, b, c} plus pairs covers at most 2k + 1 people
(T holds the edge ab, so the rest has at most k - 1 pairs), so when someone is left the best
arrangement is max over T of s(T) + M(pool - T) with |M| = k - 1, where
s(T) = s(ab) + s(ac) + s(bc). Since ab together with M is a k-matching of pool - c,
s(T) + M(pool - T) <= M_k(pool - c) + s(ac) + s(bc) for each c in T; the minimum over the
three choices of c is an upper bound UB(T). Branch and bound: compute M_k(pool - c) for every
c, list the triangles by UB, and solve pool - T exactly in that order until the best found
reaches the next UB. Above ``EXACT_TRIO_LIMIT`` the same candidates are tried greedily (the
left-out person joined to each pair, plus their best triangles re-solved).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.services.matching.rows import BoolMatrix, IntMatrix

EXACT_TRIO_LIMIT = 80
GREEDY_TRIANGLES = 4

Pairs = list[tuple[int, int]]
Trio = tuple[int, int, int]
# Returns a maximum-cardinality, maximum-score matching of the given local positions.
PairSolver = Callable[[Sequence[int]], Pairs]


def _sorted_trio(a: int, b: int, c: int) -> Trio:
    x, y, z = sorted((a, b, c))
    return (x, y, z)


def _triangles_with(scores: IntMatrix, allowed: BoolMatrix, c: int, limit: int) -> list[Trio]:
    partners = np.flatnonzero(allowed[c])
    order = np.lexsort((partners, -scores[c, partners]))
    near = partners[order][: limit * 3].tolist()
    found = [
        (int(scores[c, a] + scores[c, b] + scores[a, b]), _sorted_trio(a, b, c))
        for x, a in enumerate(near)
        for b in near[x + 1 :]
        if allowed[a, b]
    ]
    found.sort(key=lambda item: (-item[0], item[1]))
    return [t for _s, t in found[:limit]]


def best_trio(
    scores: IntMatrix,
    allowed: BoolMatrix,
    pairs: Pairs,
    free: list[int],
    *,
    solve_rest: PairSolver,
) -> tuple[int, Pairs, Trio] | None:
    """Return (value, pairs, trio) of the best arrangement with one trio, or None.

    Exact up to ``EXACT_TRIO_LIMIT`` people (given exact ``pairs`` and ``solve_rest``).
    """
    size = len(scores)
    nodes = list(range(size))
    k = len(pairs)
    base = sum(int(scores[a, b]) for a, b in pairs)
    best: tuple[int, Pairs, Trio] | None = None

    def value_of(rest: Pairs) -> int:
        return sum(int(scores[a, b]) for a, b in rest)

    def trio_score(trio: Trio) -> int:
        a, b, c = trio
        return int(scores[a, b] + scores[a, c] + scores[b, c])

    def consider(value: int, rest: Pairs, trio: Trio) -> None:
        nonlocal best
        if best is None or value > best[0]:
            best = (value, rest, trio)

    if pairs:
        left = np.array([a for a, _b in pairs])
        right = np.array([b for _a, b in pairs])
        for c in free:
            fits = np.flatnonzero(allowed[c, left] & allowed[c, right])
            for n in fits.tolist():
                rest = pairs[:n] + pairs[n + 1 :]
                gain = int(scores[c, left[n]] + scores[c, right[n]])
                consider(base + gain, rest, _sorted_trio(int(left[n]), int(right[n]), c))

    def solve_without(trio: Trio) -> None:
        rest = solve_rest([v for v in nodes if v not in trio])
        if len(rest) == k - 1:
            consider(value_of(rest) + trio_score(trio), rest, trio)

    if size > EXACT_TRIO_LIMIT:
        for c in free:
            for trio in _triangles_with(scores, allowed, c, GREEDY_TRIANGLES):
                solve_without(trio)
        return best
    free_set = set(free)
    value_without: dict[int, int | None] = {}
    for c in nodes:
        if c in free_set:
            value_without[c] = base
        else:
            rest = solve_rest([v for v in nodes if v != c])
            value_without[c] = value_of(rest) if len(rest) == k else None
    adj = {a: np.flatnonzero(allowed[a]).tolist() for a in nodes}
    candidates: list[tuple[int, Trio]] = []
    for a in nodes:
        va = value_without[a]
        if va is None:
            continue
        for b in adj[a]:
            vb = value_without[b]
            if b <= a or vb is None:
                continue
            sab = int(scores[a, b])
            for c in adj[a]:
                vc = value_without[c]
                if c <= b or vc is None or not allowed[b, c]:
                    continue
                sac, sbc = int(scores[a, c]), int(scores[b, c])
                bound = min(vc + sac + sbc, va + sab + sac, vb + sab + sbc)
                candidates.append((bound, (a, b, c)))
    candidates.sort(key=lambda item: (-item[0], item[1]))
    for bound, trio in candidates:
        if best is not None and best[0] >= bound:
            break
        solve_without(trio)
    return best
