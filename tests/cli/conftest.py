"""The CLI reads its database from the environment, as it does in real use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli._common import engine
from app.core.config import get_settings


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TANDEM_DATABASE_URL", db_url)
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    engine.cache_clear()
    yield
    engine().dispose()
    engine.cache_clear()
    get_settings.cache_clear()
