"""Run every benchmark: ``python -m bench [--quick] [NAME ...]``.

Each benchmark runs in its own process (so one's memory or worker pool cannot skew another)
and prints its figures as ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

BENCHES = ("startup", "matching", "agenda", "workbooks", "i18n", "autosave", "load", "mail")


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Tandem's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="short versions (for make bench)")
    parser.add_argument("names", nargs="*", help=f"only these, of: {', '.join(BENCHES)}")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    failed = []
    for name in args.names or BENCHES:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            f"bench.bench_{name}",
            *(["--quick"] if args.quick else []),
        ]
        code = subprocess.call(command)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s, exit {code}", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
