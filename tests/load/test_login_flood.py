"""A flood of anonymous sign-ins must not cost the tablets a single save: passwords are checked
outside SQLite's write lock, a few at a time, and failed sign-ins are throttled overall."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_load import scenario_login_flood

pytestmark = [pytest.mark.slow, pytest.mark.one_database]


def test_saves_succeed_while_anonymous_sign_ins_flood_the_server(
    db_url: str, tmp_path: Path
) -> None:
    result = scenario_login_flood(db_url, tmp_path, tablets=20, seconds=8, burst=80)

    saves = result.flooded.save_statuses
    assert (sum(saves.values()) > 20, saves[200] == sum(saves.values())) == (True, True)
    assert (result.lost, result.logins[500]) == (0, 0)
    assert sum(result.logins.values()) >= 7 * 80
    assert set(result.logins) <= {400, 429, 503}
