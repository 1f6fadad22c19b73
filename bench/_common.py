"""Tiny helpers shared by the benchmark scripts: timing and ratio lines."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """Return the result of ``work()`` and the wall time it took in seconds."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def ratio(numerator: float, denominator: float) -> float:
    """Return numerator / denominator, or infinity when the denominator is zero."""
    return numerator / denominator if denominator else float("inf")


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def report(
    name: str, value: float, unit: str = "", *, target: str = "", ok: bool | None = None
) -> None:
    """Print one figure as an aligned line, with its target and a pass mark when given."""
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    goal = f"  (target {target})" if target else ""
    print(f"  {name:<38} {value:>12.6g} {unit:<4}{goal}{mark}")
