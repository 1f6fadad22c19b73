"""The optimiser: maximum-cardinality, maximum-score pairs plus the best single trio.

Method, in the order the code runs it:

1. Allowed graph. Every allowed pair of the pool is an edge weighted by its integer score.
   Up to ``DENSE_LIMIT`` people the graph is complete (exact); above it each person keeps
   their ``CANDIDATES`` best partners (a sparse graph), and anyone the sparse solve leaves
   alone gets all their allowed edges back before a second solve (repair).
2. Pairs. ``rustworkx.max_weight_matching(max_cardinality=True)`` on weights shifted to be
   positive: all maximum-cardinality matchings have the same size, so a constant shift does
   not change which one scores best, and integers keep the comparison exact.
3. Trio. Let k be the matching size. One trio T = {a, b, c} plus pairs covers at most 2k + 1
   people (T holds the edge ab, so the rest has at most k - 1 pairs), so when someone is left
   the best arrangement is max over T of s(T) + M(pool - T) with |M| = k - 1, where
   s(T) = s(ab) + s(ac) + s(bc). Since ab together with M is a k-matching of pool - c,
   s(T) + M(pool - T) <= M_k(pool - c) + s(ac) + s(bc) for each c in T; the minimum over the
   three choices of c is an upper bound UB(T). Branch and bound: compute M_k(pool - c) for
   every c (n matchings; it equals the first solve when c was left alone), list the
   triangles by UB, and solve pool - T exactly in that order until the best found reaches
   the next UB. The result is optimal; tests compare it with brute force. Above
   ``EXACT_TRIO_LIMIT`` the same candidates are tried greedily (the left-out person joined
   to each pair, plus their best triangles re-solved) and the gap to the bound is reported.
4. Bound for large pools: each pair scores at most half the sum of its members' best
   scores, so the total is at most half the sum of everyone's best score (plus half their
   second best for the three people of a trio).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import rustworkx as rx

from app.services.matching_context import MatchContext

DENSE_LIMIT = 500
EXACT_TRIO_LIMIT = 80
CANDIDATES = 40
_GREEDY_TRIANGLES = 4


@dataclass(slots=True)
class Arrangement:
    """Pairs, the optional trio and who is left, as positions in the context."""

    pairs: list[tuple[int, int]]
    trio: tuple[int, int, int] | None
    unpaired: list[int]
    total: int
    upper_bound: int
    optimal: bool


@dataclass(slots=True)
class _Graph:
    adj: dict[int, dict[int, int]]
    best: dict[int, tuple[int, int]] = field(default_factory=dict)
    exact: bool = True


def _top_two(scores: Iterable[int]) -> tuple[int, int]:
    top = heapq.nlargest(2, scores)
    return (top[0] if top else 0, top[1] if len(top) > 1 else 0)


def _build_graph(
    ctx: MatchContext, pool: Sequence[int], forbid: Collection[frozenset[int]]
) -> _Graph:
    adj: dict[int, dict[int, int]] = {i: {} for i in pool}
    if len(pool) <= DENSE_LIMIT:
        for position, i in enumerate(pool):
            others = pool[position + 1 :]
            for j, s in zip(others, ctx.row(i, others), strict=True):
                if s is not None:
                    adj[i][j] = s
                    adj[j][i] = s
        graph = _Graph(adj)
    else:
        graph = _Graph(adj, exact=False)
        size = len(pool)
        for i in pool:
            row = ctx.row(i, pool)
            # Encoding score and position in one int lets heapq pick the top in C, with a
            # deterministic tie-break towards the smaller key.
            coded = [s * size + (size - 1 - p) for p, s in enumerate(row) if s is not None]
            top = heapq.nlargest(CANDIDATES, coded)
            graph.best[i] = _top_two(c // size for c in top[:2])
            for c in top:
                j = pool[size - 1 - c % size]
                adj[i][j] = adj[j][i] = c // size
    for pair in forbid:
        a, b = sorted(pair)
        if a in adj and b in adj[a]:
            del adj[a][b], adj[b][a]
    if graph.exact:
        graph.best = {i: _top_two(adj[i].values()) for i in pool}
    return graph


def _match(graph: _Graph, nodes: Sequence[int]) -> list[tuple[int, int]]:
    local = {v: k for k, v in enumerate(nodes)}
    edges = [
        (local[i], local[j], s)
        for i in nodes
        for j, s in graph.adj[i].items()
        if i < j and j in local
    ]
    if not edges:
        return []
    shift = 1 - min(0, min(e[2] for e in edges))
    g = rx.PyGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from([(u, v, s + shift) for u, v, s in edges])
    found = rx.max_weight_matching(g, max_cardinality=True, weight_fn=int)
    return sorted(tuple(sorted((nodes[u], nodes[v]))) for u, v in found)  # type: ignore[misc]


def _score(graph: _Graph, pairs: Iterable[tuple[int, int]]) -> int:
    return sum(graph.adj[a][b] for a, b in pairs)


def _trio_score(graph: _Graph, a: int, b: int, c: int) -> int:
    return graph.adj[a][b] + graph.adj[a][c] + graph.adj[b][c]


def _half_sum_bound(graph: _Graph, nodes: Sequence[int], trio: bool) -> int:
    doubled = sum(max(graph.best[v][0], 0) for v in nodes)
    if trio:
        doubled += sum(heapq.nlargest(3, (max(graph.best[v][1], 0) for v in nodes)))
    return doubled // 2


def _triangles_with(graph: _Graph, c: int, limit: int) -> list[tuple[int, int, int]]:
    near = sorted(graph.adj[c], key=lambda v: (-graph.adj[c][v], v))[: limit * 3]
    found = [
        (graph.adj[c][a] + graph.adj[c][b] + graph.adj[a][b], tuple(sorted((a, b, c))))
        for x, a in enumerate(near)
        for b in near[x + 1 :]
        if b in graph.adj[a]
    ]
    found.sort(key=lambda item: (-item[0], item[1]))
    return [t for _s, t in found[:limit]]  # type: ignore[misc]


def _best_trio(
    graph: _Graph, nodes: Sequence[int], pairs: list[tuple[int, int]], free: list[int]
) -> tuple[int, list[tuple[int, int]], tuple[int, int, int]] | None:
    """Return (value, pairs, trio) of the best arrangement with one trio, or None."""
    k, base = len(pairs), _score(graph, pairs)
    best: tuple[int, list[tuple[int, int]], tuple[int, int, int]] | None = None

    def consider(value: int, rest: list[tuple[int, int]], trio: tuple[int, int, int]) -> None:
        nonlocal best
        if best is None or value > best[0]:
            best = (value, rest, trio)

    for c in free:
        for a, b in pairs:
            if a in graph.adj[c] and b in graph.adj[c]:
                rest = [p for p in pairs if p != (a, b)]
                consider(base + graph.adj[c][a] + graph.adj[c][b], rest, tuple(sorted((a, b, c))))  # type: ignore[arg-type]

    def solve_without(trio: tuple[int, int, int]) -> None:
        rest = _match(graph, [v for v in nodes if v not in trio])
        if len(rest) == k - 1:
            consider(_score(graph, rest) + _trio_score(graph, *trio), rest, trio)

    if not (graph.exact and len(nodes) <= EXACT_TRIO_LIMIT):
        for c in free:
            for trio in _triangles_with(graph, c, _GREEDY_TRIANGLES):
                solve_without(trio)
        return best
    free_set = set(free)
    value_without: dict[int, int | None] = {}
    for c in nodes:
        if c in free_set:
            value_without[c] = base
        else:
            rest = _match(graph, [v for v in nodes if v != c])
            value_without[c] = _score(graph, rest) if len(rest) == k else None
    candidates: list[tuple[int, tuple[int, int, int]]] = []
    for a in nodes:
        va = value_without[a]
        if va is None:
            continue
        for b in graph.adj[a]:
            vb = value_without.get(b)
            if b <= a or vb is None:
                continue
            sab = graph.adj[a][b]
            for c, sac in graph.adj[a].items():
                vc = value_without.get(c)
                if c <= b or vc is None or c not in graph.adj[b]:
                    continue
                sbc = graph.adj[b][c]
                bound = min(vc + sac + sbc, va + sab + sac, vb + sab + sbc)
                candidates.append((bound, (a, b, c)))
    candidates.sort(key=lambda item: (-item[0], item[1]))
    for bound, trio in candidates:
        if best is not None and best[0] >= bound:
            break
        solve_without(trio)
    return best


def solve_pool(
    ctx: MatchContext,
    pool: Sequence[int],
    *,
    allow_trio: bool = True,
    forbid: Collection[frozenset[int]] = (),
) -> Arrangement:
    """Return the best arrangement of ``pool`` (positions) into pairs and at most one trio."""
    nodes = sorted(pool)
    graph = _build_graph(ctx, nodes, forbid)
    pairs = _match(graph, nodes)
    if not graph.exact:
        matched = {v for p in pairs for v in p}
        lonely = [v for v in nodes if v not in matched]
        if lonely:
            for i in lonely:
                for j, s in zip(nodes, ctx.row(i, nodes), strict=True):
                    if s is not None and frozenset((i, j)) not in forbid:
                        graph.adj[i][j] = graph.adj[j][i] = s
            pairs = _match(graph, nodes)
    matched = {v for p in pairs for v in p}
    free = [v for v in nodes if v not in matched]
    total = base = _score(graph, pairs)
    trio: tuple[int, int, int] | None = None
    found = _best_trio(graph, nodes, pairs, free) if free and allow_trio else None
    if found is not None:
        total, pairs, trio = found
        covered = {v for p in pairs for v in p} | set(trio)
        free = [v for v in nodes if v not in covered]
    exact = graph.exact and (not free or not allow_trio or len(nodes) <= EXACT_TRIO_LIMIT)
    if exact:
        bound = total
    elif graph.exact:
        bound = base + max(sum(graph.best[c]) for c in nodes)
    else:
        bound = _half_sum_bound(graph, nodes, trio is not None)
    return Arrangement(pairs, trio, free, total, max(bound, total), exact)
