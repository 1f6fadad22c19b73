"""A short crash test on each database: the server is killed mid-load and restarted; no
acknowledged save may be lost and no request may end in a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_load import scenario_crash

pytestmark = pytest.mark.slow


def test_killed_server_loses_no_acknowledged_save(db_url: str, tmp_path: Path) -> None:
    workers = 1 if db_url.startswith("sqlite") else 2
    assert scenario_crash(db_url, tmp_path, tablets=20, crashes=2, workers=workers)
