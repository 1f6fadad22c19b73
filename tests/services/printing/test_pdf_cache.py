"""The render cache stays bounded: copies unused for too long go, and past the size bound the
least recently used go first."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.core.config import Settings
from app.services.printing.pool import PdfCache
from app.services.workbooks.service import pdf_cache

KEY_A, KEY_B, KEY_C = "aa" + "1" * 62, "bb" + "2" * 62, "cc" + "3" * 62


def _age(cache: PdfCache, key: str, seconds: float) -> None:
    path = cache.folder / key[:2] / f"{key}.pdf"
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_copy_unused_for_too_long_is_neither_served_nor_kept(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path, max_age_seconds=3600)
    cache.write(KEY_A, b"%PDF old words")
    cache.write(KEY_B, b"%PDF fresh")
    _age(cache, KEY_A, 3601)

    assert cache.read(KEY_A) is None
    assert cache.prune() == 1
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == [f"{KEY_B}.pdf"]
    assert cache.read(KEY_B) == b"%PDF fresh"


def test_past_the_size_bound_the_least_recently_used_go_first(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path, max_bytes=250, prune_every_seconds=3600)
    for key, age in ((KEY_A, 30), (KEY_B, 20), (KEY_C, 10)):
        cache.write(key, b"x" * 100)
        _age(cache, key, age)
    assert cache.read(KEY_A) == b"x" * 100  # used just now: now the most recent

    assert cache.prune() == 1

    assert cache.read(KEY_B) is None
    assert cache.read(KEY_A) is not None
    assert cache.read(KEY_C) is not None


def test_writes_prune_at_most_once_per_interval(tmp_path: Path) -> None:
    cache = PdfCache(tmp_path, max_bytes=150, prune_every_seconds=3600)
    cache.write(KEY_A, b"x" * 100)  # the first write prunes (nothing to do)
    cache.write(KEY_B, b"x" * 100)  # within the interval: over the bound for now
    assert len(list(tmp_path.rglob("*.pdf"))) == 2

    eager = PdfCache(tmp_path, max_bytes=150, prune_every_seconds=0)
    _age(eager, KEY_A, 10)
    eager.write(KEY_C, b"x" * 10)

    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == [f"{KEY_B}.pdf", f"{KEY_C}.pdf"]


def test_the_settings_bound_the_cache(tmp_path: Path) -> None:
    settings = Settings(
        env="test",
        var_dir=tmp_path,
        secret_key="s" * 40,
        pdf_cache_mb=3,
        pdf_cache_hours=2,
        _env_file=None,
    )  # type: ignore[call-arg]

    cache = pdf_cache(settings)

    assert (cache.folder, cache.max_bytes, cache.max_age_seconds) == (
        tmp_path / "pdf-cache",
        3 * 1024 * 1024,
        7200,
    )
    assert pdf_cache(settings) is cache
