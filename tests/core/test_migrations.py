"""Migrations build exactly the models' schema, and unwind completely, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from app.core.db import create_db_engine
from app.core.migrations import downgrade_database, is_at_head, upgrade_database
from tests.conftest import build_schema


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind; PostgreSQL's shared one is rebuilt afterwards."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    _reset_schema(db_url)
    yield db_url
    _reset_schema(db_url)
    build_schema(db_url)


def _reset_schema(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def test_upgrade_head_on_empty_database_matches_models(empty_url: str) -> None:
    url = empty_url
    upgrade_database(url)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert is_at_head(engine)
    engine.dispose()
    assert diff == []


def test_downgrade_base_removes_every_table(empty_url: str) -> None:
    url = empty_url
    upgrade_database(url)
    downgrade_database(url, "base")
    engine = create_db_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert not is_at_head(engine)
    engine.dispose()
    assert tables == set()
