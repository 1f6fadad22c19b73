"""Migrations build exactly the models' schema, and unwind completely, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app.core.db import create_db_engine
from app.core.migrations import downgrade_database, is_at_head, upgrade_database


@pytest.fixture
def empty_url(db_url: str) -> Iterator[str]:
    """The test database emptied by ``downgrade base``, migrated again afterwards."""
    downgrade_database(db_url, "base")
    yield db_url
    upgrade_database(db_url)


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
    engine = create_db_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert not is_at_head(engine)
    engine.dispose()
    assert tables == set()
