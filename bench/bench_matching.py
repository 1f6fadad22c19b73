"""Buddy matching benchmark: `uv run python -m bench.bench_matching [--quick] [--repeat N]`.

Synthetic seeded rosters shaped like HR exports. For 200 people the compiled solver is
compared with networkx on the same scores; for 500 the exact total is checked against a
reference built from the slow per-pair scorer; above 500 the total is compared with the
proven upper bound. Then the whole `tandem match` command at organisation scale
(``bench_matching_scale``): 2,000 and 5,000 people, and 10,000 in the full run.
"""

from __future__ import annotations

import argparse
import random
import statistics

import networkx as nx
import rustworkx as rx

from app.services.matching import MatchContext, MatchPerson, build_context, solve_context
from bench._common import peak_rss_mb, ratio, report, timed

FUNCTIONS = ("Finance", "Operations", "Sales", "Marketing", "IT", "HR", "Legal", "R&D", "Supply")
REGIONS = ("EMEA", "APAC", "AMER", "LATAM", "Nordics")
LEVELS = ("Team lead", "Manager", "Manager", "Senior manager", "Director", "Senior director", "VP")
TAGS = (
    "m&a", "turnaround", "product launch", "digital", "audit", "start-up", "international",
    "restructuring", "customer", "regulatory", "data", "partnerships", "change", "growth", "cost",
)  # fmt: skip
LANGUAGES = ("English", "French", "German", "Spanish")


def make_roster(
    n: int, seed: int, *, intake: bool = False
) -> tuple[list[MatchPerson], set[frozenset[str]]]:
    """Return a seeded synthetic roster and a history of earlier-cohort pairs; with ``intake``
    four in five people also said what they can offer and want to learn (from the tags)."""
    rnd = random.Random(seed)
    said = random.Random(seed + 1)  # the roster itself stays the same with or without intake
    keys = [f"person{i:05d}@corp.example" for i in range(n)]
    people = []
    answered = [intake and said.random() < 0.8 for _ in keys]  # not everyone answers
    for i, key in enumerate(keys):
        languages = {"English"} if rnd.random() < 0.85 else {rnd.choice(LANGUAGES)}
        if rnd.random() < 0.2:
            languages.add(rnd.choice(LANGUAGES))
        people.append(
            MatchPerson(
                key=key,
                name=f"Person {i}",
                level=rnd.choice(LEVELS),
                function=rnd.choice(FUNCTIONS),
                region=rnd.choice(REGIONS),
                tenure_years=round(rnd.expovariate(1 / 6), 1),
                manager_key=keys[rnd.randrange(i)] if i and rnd.random() < 0.1 else None,
                languages=frozenset(languages),
                tags=frozenset(rnd.sample(TAGS, rnd.randint(1, 4))),
                avoid=frozenset({rnd.choice(keys)} - {key}) if rnd.random() < 0.03 else frozenset(),
                conflict_groups=frozenset({f"deal-{rnd.randrange(5)}"})
                if rnd.random() < 0.02
                else frozenset(),
                offers=_topics(said, 4) if answered[i] else frozenset(),
                wants=_topics(said, 3) if answered[i] else frozenset(),
            )
        )
    history = {frozenset(rnd.sample(keys, 2)) for _ in range(n // 4)}
    return people, history


def _topics(rnd: random.Random, most: int) -> frozenset[str]:
    return frozenset(rnd.sample(TAGS, rnd.randint(1, most)))


def reference_edges(ctx: MatchContext) -> list[tuple[int, int, int]]:
    """Return every allowed pair with its score from the slow, readable per-pair scorer."""
    n = len(ctx.people)
    return [(i, j, ctx.score(i, j)) for i in range(n) for j in range(i + 1, n) if ctx.allowed(i, j)]


def reference_total(edges: list[tuple[int, int, int]], n: int, *, library: str) -> int:
    """Return the best total (thousandths) of a maximum-cardinality matching of ``edges``."""
    shift = 1 - min(0, *(s for _i, _j, s in edges))
    if library == "networkx":
        graph = nx.Graph()
        graph.add_weighted_edges_from((i, j, s + shift) for i, j, s in edges)
        found = nx.max_weight_matching(graph, maxcardinality=True)
    else:
        graph = rx.PyGraph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from([(i, j, s + shift) for i, j, s in edges])
        found = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    score = {(i, j): s for i, j, s in edges}
    return sum(score[(min(a, b), max(a, b))] for a, b in found)


def run_size(n: int, *, compare_networkx: bool, repeat: int = 1, intake: bool = False) -> float:
    """Print the figures for one roster size; return the best scoring + solve time."""
    people, history = make_roster(n, seed=n, intake=intake)
    print(f"n = {n}" + (" with intake (what people offer and want to learn)" if intake else ""))

    def ours() -> tuple[MatchContext, float, float | None, bool]:
        ctx = build_context(people, history=history)
        result = solve_context(ctx)
        return ctx, result.total, result.upper_bound, result.optimal

    runs = [timed(ours) for _ in range(repeat)]
    (ctx, total, bound, optimal), seconds = min(runs, key=lambda run: run[1])
    median = statistics.median(run[1] for run in runs)
    report(
        "scoring + solve (best)",
        seconds,
        "s",
        target="< 0.5 s" if n == 500 else "",
        ok=(seconds < 0.5) if n == 500 else None,
    )
    report(f"scoring + solve (median of {repeat})", median, "s")
    if n <= 500:
        edges = reference_edges(ctx)
        exact = reference_total(edges, n, library="rustworkx") / 1000
        report("total equals exact reference", float(total == exact), "", ok=total == exact)
    if compare_networkx:
        edges = reference_edges(ctx)

        def with_networkx() -> int:
            return reference_total(edges, n, library="networkx")

        def with_rustworkx() -> int:
            return reference_total(edges, n, library="rustworkx")

        nx_total, nx_seconds = timed(with_networkx)
        _rx_total, rx_seconds = timed(with_rustworkx)
        speedup = ratio(nx_seconds, seconds)
        report("networkx time / ours (end to end)", speedup, "x", target=">= 30x", ok=speedup >= 30)
        report("networkx time / ours (median)", ratio(nx_seconds, median), "x")
        report("networkx / rustworkx (same graph)", ratio(nx_seconds, rx_seconds), "x")
        report(
            "total equals networkx",
            float(total == nx_total / 1000),
            "",
            ok=total == nx_total / 1000,
        )
    if bound is not None:
        share = ratio(total, bound)
        report("total / proven upper bound", share, "", target=">= 0.999", ok=share >= 0.999)
        report("proven optimal", float(optimal), "")
    report("peak memory so far (RSS)", peak_rss_mb(), "MiB")
    return seconds


def run_intake(n: int, *, repeat: int, compare_networkx: bool = False) -> None:
    """The same roster without and with intake answers: exactness or bound share, the speed
    ratio to networkx, and what the directional complementarity term costs, as a ratio.

    More distinct pair scores give the solver more to tell apart, so the term costs more in
    the solve than in the scoring."""
    without = run_size(n, compare_networkx=compare_networkx, repeat=repeat)
    with_intake = run_size(n, compare_networkx=compare_networkx, repeat=repeat, intake=True)
    cost = ratio(with_intake, without)
    report(f"n = {n}: time with intake / without", cost, "x", target="<= 2x", ok=cost <= 2)


def main(argv: list[str] | None = None) -> None:
    """Run the matching benchmark (``--quick`` for a short version)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="sizes up to 5,000 (10,000 in the full run)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per size (best, median)")
    args = parser.parse_args(argv)
    # Each size without and with intake answers (the same roster otherwise).
    for n in (200, 500, 800, 2000) if args.quick else (200, 500, 2000):
        run_intake(n, repeat=max(1, args.repeat if n <= 500 else 2), compare_networkx=n == 200)
    from bench import bench_matching_scale

    # 10,000 people (import included) take about a minute on a 2-core machine: bench-full.
    sizes = (2000, 5000) if args.quick else (2000, 5000, 10000)
    bench_matching_scale.run(sizes, budget=20.0 if args.quick else 120.0)


if __name__ == "__main__":
    main()
