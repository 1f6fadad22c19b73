"""Organisation-scale matching: the whole `tandem match` command for 2,000 to 10,000 people.

Each size is a fresh SQLite database with the seeded benchmark roster imported through
`tandem roster import`; `tandem match --json` is then timed from the outside with its own
peak memory (RSS), and its total is read beside the bound it proves. On the same roster
(every allowed pair) networkx and rustworkx blossom
run in a child process each (the graph built first, then the solver timed) under a
time budget; a run over budget prints "did not finish
in N s" and one over the memory cap "ran out of memory".
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import ratio, report
from bench.bench_matching import make_roster

ROOT = Path(__file__).resolve().parents[1]
TANDEM = [sys.executable, "-m", "app.cli"]
REFERENCE_MEMORY = 3 * 1024**3
"""A reference solver past this much memory is stopped (the machine is shared)."""


def roster_csv(n: int) -> bytes:
    """The seeded benchmark roster of ``n`` people as an HR export."""
    people, _history = make_roster(n, seed=n)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Name", "Email", "Level", "Function", "Region", "Tenure", "Manager", "Languages", "Tags"]
    )
    for p in people:
        writer.writerow(
            [
                p.name,
                p.key,
                p.level,
                p.function,
                p.region,
                p.tenure_years,
                p.manager_key or "",
                "; ".join(sorted(p.languages)),
                "; ".join(sorted(p.tags)),
            ]
        )
    return out.getvalue().encode()


def _env(tmp: str) -> dict[str, str]:
    # A machine that forbids bytecode caches would time the compiler, not the command.
    return {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "TANDEM_DATABASE_URL": f"sqlite:///{tmp}/tandem.db",
        "TANDEM_VAR_DIR": f"{tmp}/var",
        "TANDEM_LOG_LEVEL": "WARNING",
        "TANDEM_LANGUAGE": "en",
    }


# A forked child starts from its parent's peak memory: a small launcher forks the command,
# so the figure is the command's own and not this benchmark's.
_LAUNCH = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def _measured(args: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run a command; return its stdout, wall seconds and its own peak RSS in MiB."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout, seconds, int(done.stderr.split()[-1]) / 1024


def whole_command(n: int) -> tuple[dict[str, object], float, float]:
    """Import the roster of ``n`` and time `tandem match`: (its JSON, seconds, peak MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(tmp)
        subprocess.run(
            [*TANDEM, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        slug = subprocess.run(
            [*TANDEM, "cohort", "create", f"Bench {n}", "--start", "2027-03-01"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        roster = Path(tmp) / "roster.csv"
        roster.write_bytes(roster_csv(n))
        subprocess.run(
            [*TANDEM, "roster", "import", slug, str(roster)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        out, seconds, peak = _measured([*TANDEM, "match", slug, "--json"], env)
    return json.loads(out), seconds, peak


def reference_child(n: int, library: str) -> None:
    """In a child process: print the exact optimum (thousandths) and the solver's seconds."""
    import numpy as np

    from app.services.matching import build_context, score_pool
    from bench.bench_matching import reference_total

    people, _history = make_roster(n, seed=n)
    # The graph from the vectorised scorer (the 500-person run checks it against the
    # readable one), so that the budget goes to the solver rather than to building it.
    table = score_pool(build_context(people), range(n))
    us, vs = np.nonzero(np.triu(table.allowed, 1))
    edges = list(zip(us.tolist(), vs.tolist(), table.scores[us, vs].tolist(), strict=True))
    del table
    started = time.perf_counter()
    total = reference_total(edges, n, library=library)
    print(json.dumps({"total": total, "seconds": time.perf_counter() - started}))


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (REFERENCE_MEMORY, REFERENCE_MEMORY))


def reference(n: int, library: str, budget: float) -> dict[str, float] | str:
    """The exact optimum by ``library`` within ``budget`` seconds, or why there is none."""
    code = (
        f"from bench.bench_matching_scale import reference_child; reference_child({n}, {library!r})"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=budget,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {budget:.0f} s"
    if done.returncode != 0:
        signs = ("MemoryError", "memory allocation", "bad_alloc", "Cannot allocate")
        if any(sign in done.stderr for sign in signs) or done.returncode < 0:
            return f"ran out of memory (cap {REFERENCE_MEMORY // 1024**3} GiB)"
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:120]
    found: dict[str, float] = json.loads(done.stdout)
    return found


def run(sizes: tuple[int, ...], *, budget: float) -> None:
    """Print the whole-command figures for each size, the references and the growth."""
    seconds_at: dict[int, float] = {}
    # Wall times on a shared machine say little without how busy it was.
    report(
        "load average (1 min) before the runs",
        os.getloadavg()[0],
        "",
        target=f"{os.cpu_count()} cores",
    )
    for n in sizes:
        data, seconds, peak = whole_command(n)
        seconds_at[n] = seconds
        total, bound = float(data["total"]), float(data["bound"])  # type: ignore[arg-type]
        print(f"n = {n} (whole command: tandem match --json, SQLite)")
        target = {2000: 3.0, 10000: 30.0}.get(n)
        report(
            "whole command",
            seconds,
            "s",
            target=f"<= {target:.0f} s" if target else "",
            ok=seconds <= target if target else None,
        )
        report(
            "peak memory (RSS) of the command",
            peak,
            "MiB",
            target="<= 1536 MiB" if n == 10000 else "",
            ok=peak <= 1536 if n == 10000 else None,
        )
        share = ratio(total, bound)
        report("total / proven bound", share, "", target=">= 0.999", ok=share >= 0.999)
        report("proven optimal", float(bool(data["optimal"])), "")
        for library in ("networkx", "rustworkx"):
            found = reference(n, library, budget)
            if isinstance(found, str):
                print(f"  {library} blossom, same graph: {found}")
                continue
            exact = found["total"] / 1000
            report(f"{library} time / whole command", ratio(found["seconds"], seconds), "x")
            report(f"total / {library} optimum", ratio(total, exact), "", ok=total <= exact)
    if 5000 in seconds_at and 10000 in seconds_at:
        growth = ratio(seconds_at[10000], seconds_at[5000])
        report("growth 5,000 -> 10,000 (time)", growth, "x", target="<= 3x", ok=growth <= 3)
