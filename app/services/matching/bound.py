"""LP duals for the fractional matching relaxation, used to bound and to prune pair graphs.

Any y >= 0 with y_u + y_v >= s(u, v) for every allowed pair bounds every matching by
sum(y), and a matching that uses a pair of reduced cost r = y_u + y_v - s(u, v) scores at
most sum(y) - r. So once some matching scores LB, pairs with r > sum(y) - LB can be dropped
without losing any matching that scores LB or more (reduced-cost fixing).

The relaxation is solved as an assignment on the bipartite double cover (row u to column v
scores s(u, v); row u to column u scores 0 and stands for "u stays single"), whose optimum
is twice the LP optimum. The assignment solver returns no duals, so they are recovered from
its optimal assignment by longest paths (Bellman-Ford, one array operation per round).
Duals are kept doubled (Y = 2y) so that they stay integers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from app.services.matching.rows import BoolMatrix, IntMatrix

IntArray = npt.NDArray[np.int64]


def _assignment(size: int, tails: IntArray, heads: IntArray, gains: IntArray) -> IntArray | None:
    """Return the column assigned to each row in a maximum-gain assignment, or None."""
    # OR-Tools loads when a pool is matched, not with every command that imports matching.
    from ortools.graph.python import linear_sum_assignment

    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    solver.add_arcs_with_cost(tails.astype(np.int32), heads.astype(np.int32), -gains)
    if solver.solve() != solver.OPTIMAL:
        return None
    return np.array([solver.right_mate(u) for u in range(size)], dtype=np.int64)


def fractional_duals(
    size: int, us: IntArray, vs: IntArray, ws: IntArray
) -> tuple[IntArray, IntArray]:
    """Return doubled duals Y >= 0 of the fractional matching LP on edges (us, vs, ws).

    Y_u + Y_v >= 2 * w holds on every given edge; zeros when the solver gives up (the
    caller raises the duals to feasibility in any case, so the bound stays valid). Also
    returns the optimal assignment (each person's column; their own when single).
    """
    nodes = np.arange(size, dtype=np.int64)
    tails = np.concatenate([us, vs, nodes])
    heads = np.concatenate([vs, us, nodes])
    gains = np.concatenate([ws, ws, np.zeros(size, dtype=np.int64)])
    mate = _assignment(size, tails, heads, gains)
    if mate is None:
        return np.zeros(size, dtype=np.int64), nodes
    # Complementary slackness: u_row + v_col = gain on assigned arcs, >= gain on all others.
    keys = tails * size + heads
    order = np.argsort(keys)
    at = order[np.searchsorted(keys, nodes * size + mate, sorter=order)]
    row_gain = gains[at]
    source = mate[tails]
    step = gains - row_gain[tails]
    # Every column has its own "single" arc, so each one starts a segment below.
    by_head = np.argsort(heads, kind="stable")
    starts = np.searchsorted(heads[by_head], nodes)
    source, step = source[by_head], step[by_head]
    col = np.zeros(size, dtype=np.int64)
    for _round in range(size + 1):
        raised = np.maximum(col, np.maximum.reduceat(col[source] + step, starts))
        if np.array_equal(raised, col):
            return np.asarray(row_gain - col[mate] + col, dtype=np.int64), mate
        col = raised
    return np.zeros(size, dtype=np.int64), mate


def cover_duals(doubled: IntArray, scores: IntMatrix, allowed: BoolMatrix) -> IntArray:
    """Return duals raised just enough to cover every allowed pair (y_u + y_v >= s(u, v))."""
    need = np.where(allowed, 2 * scores - doubled[None, :], 0)
    return np.asarray(np.maximum(doubled, need.max(axis=1, initial=0)), dtype=np.int64)


def priced_pairs(
    doubled: IntArray, scores: IntMatrix, allowed: BoolMatrix, per_person: int
) -> tuple[IntArray, IntArray]:
    """Return (u, v) with u < v of the pairs the duals under-price, the worst few per person."""
    short = np.where(allowed, 2 * scores - doubled[:, None] - doubled[None, :], 0)
    count = min(per_person, short.shape[1])
    none = np.zeros(0, dtype=np.int64)
    if count == 0:
        return none, none
    # Near the LP optimum few rows hold any under-priced pair; only those need ranking.
    rows = np.flatnonzero((short > 0).any(axis=1))
    if not len(rows):
        return none, none
    top = np.argpartition(short[rows], short.shape[1] - count, axis=1)[:, -count:]
    rows = np.repeat(rows, count)
    cols = top.ravel()
    keep = short[rows, cols] > 0
    return np.minimum(rows, cols)[keep], np.maximum(rows, cols)[keep]


def alternate(cycle: list[int], links: list[int]) -> list[tuple[int, int]]:
    """Return the best pairs along one cycle of the assignment (one person left when odd).

    ``links[t]`` is the score of ``cycle[t]`` with the next person round the cycle.
    """
    k = len(cycle)
    if k % 2 == 0:
        start = 0 if sum(links[0::2]) >= sum(links[1::2]) else 1
    else:
        # Leaving out person j keeps links j+1, j+3, ..., j-2; stepping j by two swaps
        # one link for another, and an odd cycle reaches every j that way.
        value = sum(links[1::2])
        best, start = value, 1
        j = 0
        for _step in range(k - 1):
            value += links[j] - links[(j + 1) % k]
            j = (j + 2) % k
            if value > best:
                best, start = value, j + 1
    return [
        (min(cycle[(start + 2 * t) % k], cycle[(start + 2 * t + 1) % k]),
         max(cycle[(start + 2 * t) % k], cycle[(start + 2 * t + 1) % k]))
        for t in range(k // 2)
    ]  # fmt: skip


def cycle_pairs(
    mate: IntArray, links: Callable[[list[int]], list[int]]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Return the pairs kept along each cycle of an assignment, and the people left out.

    Each cycle of the assignment is a half-integral stretch of the LP solution: its
    alternate pairs are kept (the better half). ``links(cycle)`` gives each link's score.
    """
    size = len(mate)
    seen = np.zeros(size, dtype=np.bool_)
    order = mate.tolist()
    pairs: list[tuple[int, int]] = []
    left: list[int] = []
    for first in range(size):
        if seen[first]:
            continue
        cycle = [first]
        seen[first] = True
        nxt = order[first]
        while not seen[nxt]:
            seen[nxt] = True
            cycle.append(nxt)
            nxt = order[nxt]
        if len(cycle) == 1:
            left.append(first)
            continue
        pairs.extend(alternate(cycle, links(cycle)))
        if len(cycle) % 2:
            matched = {v for p in pairs[-(len(cycle) // 2) :] for v in p}
            left.extend(v for v in cycle if v not in matched)
    return pairs, left


def greedy_pairs(
    people: list[int], scores: IntMatrix, allowed: BoolMatrix
) -> list[tuple[int, int]]:
    """Return pairs of ``people`` (local positions of ``scores``), best score first."""
    pairs: list[tuple[int, int]] = []
    if len(people) < 2:
        return pairs
    rest = np.asarray(sorted(people), dtype=np.int64)
    sub = np.ix_(rest, rest)
    low = np.iinfo(np.int64).min
    open_scores = np.where(np.triu(allowed[sub], 1), scores[sub], low)
    while True:
        a, b = np.unravel_index(int(np.argmax(open_scores)), open_scores.shape)
        if open_scores[a, b] == low:
            break
        pairs.append((int(rest[a]), int(rest[b])))
        open_scores[[a, b], :] = low
        open_scores[:, [a, b]] = low
    return pairs


def rounded_matching(
    mate: IntArray, scores: IntMatrix, allowed: BoolMatrix
) -> list[tuple[int, int]]:
    """Return a matching read off an optimal assignment of the double cover.

    The alternate pairs of each cycle are kept, and the people this leaves out are then
    paired greedily by score.
    """
    pairs, left = cycle_pairs(mate, lambda cycle: scores[cycle, cycle[1:] + cycle[:1]].tolist())
    return sorted(pairs + greedy_pairs(left, scores, allowed))
