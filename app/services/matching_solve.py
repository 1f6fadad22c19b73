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
4. Bound for large pools: LP duality for the fractional matching relaxation. Duals from
   GLOP on the candidate graph are raised until they cover every allowed pair (full score
   rows), so sum(y) is a proven bound; pairs the duals price as profitable are added to the
   graph and the pairs re-solved (column generation, a few rounds) until the total is
   within 1/2000 of the bound.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import rustworkx as rx
from ortools.linear_solver import pywraplp

from app.services.matching_context import MatchContext
from app.services.matching_rows import PoolScorer

DENSE_LIMIT = 500
EXACT_TRIO_LIMIT = 80
CANDIDATES = 40
_GREEDY_TRIANGLES = 4
_PRICING_ROUNDS = 3
_PRICED = 8
# Pricing stops once the total is within 1/2000 of the proven bound (half the 0.1% target).
_GAP_DENOMINATOR = 2000


@dataclass(slots=True)
class Arrangement:
    """Pairs, the optional trio and who is left, as positions in the context."""

    pairs: list[tuple[int, int]]
    trio: tuple[int, int, int] | None
    unpaired: list[int]
    total: int
    upper_bound: int
    optimal: bool


class _Graph:
    """Allowed graph of a pool in local positions 0..m-1 (``pool[k]`` is the context position)."""

    def __init__(self, pool: Sequence[int], exact: bool) -> None:
        self.pool = list(pool)
        self.exact = exact
        self.edges: list[tuple[int, int, int]] = []
        self._adj: dict[int, dict[int, int]] | None = None

    @property
    def adj(self) -> dict[int, dict[int, int]]:
        if self._adj is None:
            adj: dict[int, dict[int, int]] = {k: {} for k in range(len(self.pool))}
            for u, v, s in self.edges:
                adj[u][v] = adj[v][u] = s
            self._adj = adj
        return self._adj

    def add(self, edges: Iterable[tuple[int, int, int]]) -> None:
        known = {(u, v) for u, v, _s in self.edges}
        self.edges.extend(e for e in edges if (e[0], e[1]) not in known)
        self._adj = None


def _build_graph(
    scorer: PoolScorer, pool: Sequence[int], forbid: Collection[frozenset[int]]
) -> _Graph:
    size = len(pool)
    graph = _Graph(pool, exact=size <= DENSE_LIMIT)
    if graph.exact:
        for u in range(size):
            row = scorer.row(u, u + 1)
            graph.edges += [(u, u + 1 + k, s) for k, s in enumerate(row) if s is not None]
    else:
        chosen: dict[tuple[int, int], int] = {}
        for u in range(size):
            row = scorer.row(u)
            # Encoding score and position in one int lets heapq pick the top in C. Ties go to
            # the people just after u in key order (wrapping round): a plain smallest-key
            # tie-break would hand everyone the same few partners in tie-heavy rosters.
            coded = [
                s * size + (size - 1 - (k - u) % size) for k, s in enumerate(row) if s is not None
            ]
            top = heapq.nlargest(CANDIDATES, coded)
            for c in top:
                v = (size - 1 - c % size + u) % size
                chosen[(min(u, v), max(u, v))] = c // size
        graph.edges = [(u, v, s) for (u, v), s in sorted(chosen.items())]
    if forbid:
        local = {p: k for k, p in enumerate(pool)}
        banned = {
            tuple(sorted(local[p] for p in pair))
            for pair in forbid
            if all(p in local for p in pair)
        }
        graph.edges = [e for e in graph.edges if (e[0], e[1]) not in banned]
    return graph


def _match(graph: _Graph, nodes: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Return a maximum-cardinality, maximum-score matching of ``nodes`` (default: all)."""
    if nodes is None:
        edges = graph.edges
        ids: Sequence[int] = range(len(graph.pool))
    else:
        ids = nodes
        local = {v: k for k, v in enumerate(nodes)}
        adj = graph.adj
        edges = [
            (local[i], local[j], s)
            for i in nodes
            for j, s in adj[i].items()
            if i < j and j in local
        ]
    if not edges:
        return []
    shift = 1 - min(0, min(e[2] for e in edges))
    g = rx.PyGraph()
    g.add_nodes_from(range(len(ids)))
    g.add_edges_from([(u, v, s + shift) for u, v, s in edges])
    found = rx.max_weight_matching(g, max_cardinality=True, weight_fn=int)
    return sorted((min(ids[u], ids[v]), max(ids[u], ids[v])) for u, v in found)


def _score(graph: _Graph, pairs: Iterable[tuple[int, int]]) -> int:
    if graph._adj is not None:
        return sum(graph._adj[a][b] for a, b in pairs)
    wanted = set(pairs)
    return sum(s for u, v, s in graph.edges if (u, v) in wanted)


def _trio_score(graph: _Graph, a: int, b: int, c: int) -> int:
    return graph.adj[a][b] + graph.adj[a][c] + graph.adj[b][c]


def _lp_duals(graph: _Graph) -> list[int]:
    """Return doubled duals of the fractional matching LP on the graph's edges (GLOP)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    size = len(graph.pool)
    if solver is None or not graph.edges:
        return [0] * size
    rows = [solver.Constraint(0, 1) for _ in range(size)]
    objective = solver.Objective()
    for u, v, s in graph.edges:
        x = solver.NumVar(0, 1, "")
        rows[u].SetCoefficient(x, 1)
        rows[v].SetCoefficient(x, 1)
        objective.SetCoefficient(x, s)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return [0] * size
    return [max(0, round(2 * r.dual_value())) for r in rows]


def _feasible_duals(
    graph: _Graph, scorer: PoolScorer | None
) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Return doubled duals feasible for every allowed pair, and the pairs the LP missed.

    y starts from the LP duals on the (candidate) graph; a pass over every allowed pair
    (full score rows for a sparse graph) raises any y still short, so the duals are
    feasible whatever the solver returned. Pairs that were short are returned (the most
    short first, a few per person) so that the caller can add them and price again.
    """
    lp = _lp_duals(graph)
    doubled = list(lp)
    adj = graph.adj
    missed: list[tuple[int, int, int]] = []
    for v in range(len(graph.pool)):
        if scorer is None:
            slack = max((2 * s - doubled[u] for u, s in adj[v].items()), default=0)
        else:
            row = scorer.row(v)
            own = lp[v]
            short = [
                (2 * s - lp[u] - own, u, s)
                for u, s in enumerate(row)
                if s is not None and 2 * s > lp[u] + own and u not in adj[v]
            ]
            missed.extend(
                (min(u, v), max(u, v), s) for _gap, u, s in heapq.nlargest(_PRICED, short)
            )
            slack = max((2 * s - doubled[u] for u, s in enumerate(row) if s is not None), default=0)
        doubled[v] = max(doubled[v], slack)
    return doubled, sorted(set(missed))


def _dual_bound(graph: _Graph, doubled: list[int], trio: bool) -> int:
    """Return a proven upper bound on the total from feasible doubled duals.

    Any y >= 0 with y_u + y_v >= s(u, v) for every allowed pair bounds every matching by
    sum(y) (LP duality for the fractional matching relaxation), and an arrangement with a
    trio abc by sum(y) plus y_a + y_b + y_c (at most the three largest), or by
    sum(y) - y_c + s(ac) + s(bc) (ab is a pair of a matching of the others).
    """
    if not trio:
        return sum(doubled) // 2
    adj = graph.adj
    attach = max(2 * sum(heapq.nlargest(2, adj[c].values())) - doubled[c] for c in adj)
    return (sum(doubled) + min(sum(heapq.nlargest(3, doubled)), attach)) // 2


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
    scorer = PoolScorer(ctx, sorted(pool))
    graph = _build_graph(scorer, scorer.pool, forbid)
    nodes = list(range(len(graph.pool)))
    pairs = _match(graph)
    duals: list[int] | None = None
    for _round in range(0 if graph.exact else _PRICING_ROUNDS):
        matched = {v for p in pairs for v in p}
        lonely = [v for v in nodes if v not in matched]
        graph.add(
            (min(u, v), max(u, v), s)
            for u in lonely
            for v, s in enumerate(scorer.row(u))
            if s is not None
        )
        # Column generation: pairs the LP duals price as profitable join the graph.
        duals, missed = _feasible_duals(graph, scorer)
        close = _score(graph, pairs) * _GAP_DENOMINATOR >= _dual_bound(graph, duals, False) * (
            _GAP_DENOMINATOR - 1
        )
        if (close or not missed) and not lonely:
            break
        graph.add(missed)
        pairs = _match(graph)
        duals = None
    matched = {v for p in pairs for v in p}
    free = [v for v in nodes if v not in matched]
    total = base = _score(graph, pairs)
    trio: tuple[int, int, int] | None = None
    searched = bool(free) and allow_trio
    found = _best_trio(graph, nodes, pairs, free) if searched else None
    if found is not None:
        total, pairs, trio = found
        covered = {v for p in pairs for v in p} | set(trio)
        free = [v for v in nodes if v not in covered]
    exact = graph.exact and (not searched or len(nodes) <= EXACT_TRIO_LIMIT)
    if exact:
        bound = total
    else:
        if duals is None:
            duals = _feasible_duals(graph, None if graph.exact else scorer)[0]
        bound = _dual_bound(graph, duals, trio is not None)
        if graph.exact and searched:
            top = (heapq.nlargest(2, graph.adj[c].values()) for c in nodes)
            bound = min(bound, base + max(sum(t) for t in top))
    back = graph.pool
    return Arrangement(
        pairs=[(back[a], back[b]) for a, b in pairs],
        trio=None if trio is None else (back[trio[0]], back[trio[1]], back[trio[2]]),
        unpaired=[back[v] for v in free],
        total=total,
        upper_bound=max(bound, total),
        optimal=exact,
    )
