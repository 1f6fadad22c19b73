"""The plan-sharing migration: plans left at the old default share nothing afterwards."""

from __future__ import annotations

from sqlalchemy import JSON, column, select, table
from sqlmodel import Session

from app.core.db import create_db_engine
from app.core.migrations import downgrade_database, upgrade_database
from app.models.plans import Plan
from tests.core.test_migrations import empty_url  # noqa: F401  (the fixture)
from tests.services.tablet.factories import make_world

REVISION = "20261203plans"


def test_plans_at_the_old_default_share_nothing_and_chosen_sharing_stays(
    empty_url: str,  # noqa: F811
) -> None:
    upgrade_database(empty_url)
    engine = create_db_engine(empty_url)
    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
        chosen = {world.ana.id: ["goals"], world.ben.id: ["goals", "strengths"], world.cai.id: []}
        for pid, parts in chosen.items():
            assert pid is not None
            session.add(Plan(participant_id=pid, shared_parts=parts))
        session.commit()
    # Back to just before this revision and up through it alone, whatever comes after it.
    downgrade_database(empty_url, f"{REVISION}-1")
    upgrade_database(empty_url, REVISION)
    plan = table("plan", column("participant_id"), column("shared_parts", JSON()))
    with engine.connect() as conn:
        rows = conn.execute(select(plan).order_by(plan.c.participant_id)).all()
    upgrade_database(empty_url)
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (world.ana.id, []),
        (world.ben.id, ["goals", "strengths"]),
        (world.cai.id, []),
    ]
