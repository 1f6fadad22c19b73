"""Start-up benchmark: `uv run python -m bench.bench_startup [--quick] [--repeat N]`.

A command pays only for what it does. Every figure is a whole process, timed from the outside
and printed beside `python -c pass` measured in the same run: `tandem --help`, `tandem cohort
list`, `tandem match` on the 500-person benchmark roster (beside the solve alone and beside
networkx on the same scores), and the web server from start to its first answered /healthz.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from app.services.matching import build_context, solve_context
from bench._common import ratio, report, timed
from bench._room import free_port
from bench.bench_matching import make_roster, reference_edges, reference_total
from bench.bench_matching_scale import roster_csv

ROOT = Path(__file__).resolve().parents[1]
MATCH_SIZE = 500


def _run(args: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def _best(args: Sequence[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    _run(args, env)  # warm: the first run writes the bytecode cache, as on any installation
    runs = [_run(args, env) for _ in range(repeat)]
    return min(runs), statistics.median(runs)


def _first_healthz(env: dict[str, str]) -> float:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("the server did not answer /healthz within 60 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    """Run the start-up benchmark (``--quick`` for fewer repeats)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeat", type=int, default=0, help="runs per figure (best, median)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 7)
    tandem = [sys.executable, "-m", "app.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        # A machine that forbids bytecode caches would time the compiler, not the command.
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "TANDEM_DATABASE_URL": f"sqlite:///{tmp}/tandem.db",
            "TANDEM_VAR_DIR": f"{tmp}/var",
            "TANDEM_LOG_LEVEL": "WARNING",
        }
        _run([*tandem, "db", "upgrade"], env)
        _run([*tandem, "demo", "--no-serve"], env)
        roster = Path(tmp) / "roster.csv"
        roster.write_bytes(roster_csv(MATCH_SIZE))
        slug = subprocess.run(
            [*tandem, "cohort", "create", "Bench 500", "--start", "2027-03-01"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        _run([*tandem, "roster", "import", slug, str(roster)], env)

        baseline, _ = _best([sys.executable, "-c", "pass"], env, repeat)
        report("python -c pass (baseline)", baseline, "s")
        for name, command, target in (
            ("tandem --help", [*tandem, "--help"], 0.5),
            ("tandem cohort list", [*tandem, "cohort", "list"], 0.5),
            (f"tandem match, {MATCH_SIZE} people", [*tandem, "match", slug, "--json"], 1.0),
        ):
            best, median = _best(command, env, repeat)
            report(f"{name} (best)", best, "s", target=f"<= {target} s", ok=best <= target)
            report(f"{name} / python -c pass", ratio(best, baseline), "x")
            report(f"{name} (median of {repeat})", median, "s")
            if name.startswith("tandem match"):
                match_best = best

        people, history = make_roster(MATCH_SIZE, seed=MATCH_SIZE)
        ctx = build_context(people, history=history)
        solve_s = min(
            timed(lambda: solve_context(build_context(people, history=history)))[1]
            for _ in range(repeat)
        )
        edges = reference_edges(ctx)
        _total, networkx_s = timed(lambda: reference_total(edges, MATCH_SIZE, library="networkx"))
        report(f"scoring + solve alone, {MATCH_SIZE} people", solve_s, "s")
        report("tandem match / solve alone", ratio(match_best, solve_s), "x")
        report("networkx on the same scores", networkx_s, "s")
        report("networkx / tandem match (whole command)", ratio(networkx_s, match_best), "x")

        healthz = [_first_healthz(env) for _ in range(max(1, repeat // 2))]
        report("server start to first /healthz (best)", min(healthz), "s")
        report("first /healthz / python -c pass", ratio(min(healthz), baseline), "x")


if __name__ == "__main__":
    main()
