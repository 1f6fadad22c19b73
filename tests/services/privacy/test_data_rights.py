"""Personal data rights: complete export, erasure down to the file bytes, retention purge."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, ForeignKey
from sqlmodel import Session, SQLModel, func, select

import app.models  # noqa: F401  (every table on the metadata)
from app.core.db import checkpoint_erasure
from app.core.errors import Conflict
from app.models import AuditEvent, Participant, Person
from app.models.tablet import Answer
from app.services.library import program
from app.services.plans import partnership, steps
from app.services.plans import service as plans
from app.services.privacy import data_rights
from app.services.tablet import responses
from tests.services.tablet.factories import World, make_world

SECRET = "x" * 48


def _holds_participant_data(table: object) -> bool:
    columns = table.columns  # type: ignore[attr-defined]
    if table.name in ("participant", "person"):  # type: ignore[attr-defined]
        return True
    if any(c.name in ("participant_id", "person_id") for c in columns):
        return True
    return any(
        isinstance(fk, ForeignKey) and fk.column.table.name in ("participant", "person")
        for c in columns
        for fk in c.foreign_keys
    )


def test_every_table_with_participant_data_is_exported_and_erased() -> None:
    flagged = {t.name for t in SQLModel.metadata.sorted_tables if _holds_participant_data(t)}
    missing = sorted(flagged - set(data_rights.REGISTRY) - set(data_rights.EXCLUDED))
    assert missing == [], "add these tables to data_rights.REGISTRY (export and erase)"
    assert {"answer", "plan", "checkin_note", "participant", "person"} <= flagged


def _plant(session: Session, world: World, who: Participant, tag: str) -> None:
    bound = program.bound_exercise(session, cohort=world.cohort, exercise_id="meet-your-buddy")
    responses.save_answer(
        session,
        participant=who,
        exercise=bound,
        prompt_id="their-week",
        value=f"{tag}-ANSWER",
        base_version=0,
        idempotency_key=f"key-{tag}-1",
    )
    plans.save_plan(
        session,
        participant=who,
        content={"aspiration": f"{tag}-ASPIRATION", "goals": [{"what": f"{tag}-GOAL"}]},
        base_version=0,
        idempotency_key=f"key-{tag}-2",
    )
    partnership.save_checkin_note(
        session, participant=who, checkin_date=date(2027, 4, 3), text=f"{tag}-NOTE"
    )


@pytest.fixture
def planted(session: Session) -> World:
    world = make_world(session)
    partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
    _plant(session, world, world.ana, "ANA")
    _plant(session, world, world.ben, "BEN")
    for who in (world.ana, world.ben):
        plans.set_shared_parts(session, participant=who, parts=["goals"])
    plans.add_plan_comment(
        session, author=world.ben, owner=world.ana, part="goals", text="BEN-COMMENT-ON-ANA"
    )
    plans.add_plan_comment(
        session, author=world.ana, owner=world.ben, part="goals", text="ANA-COMMENT-ON-BEN"
    )
    steps.add_agreed_step(session, participant=world.ben, text="PAIR-STEP")
    session.commit()
    return world


def test_export_holds_my_data_and_none_of_my_buddys_private_writing(
    session: Session, planted: World
) -> None:
    dump = json.dumps(data_rights.export_my_data(session, participant=planted.ana))
    for mine in (
        "ANA-ANSWER",
        "ANA-ASPIRATION",
        "ANA-GOAL",
        "ANA-NOTE",
        "BEN-COMMENT-ON-ANA",
        "ANA-COMMENT-ON-BEN",
        "PAIR-STEP",
        "ana.spring@example.com",
        "/p/workbook.pdf",
    ):
        assert mine in dump, mine
    for theirs in ("BEN-ANSWER", "BEN-ASPIRATION", "BEN-GOAL", "BEN-NOTE"):
        assert theirs not in dump, theirs


@pytest.mark.one_database
def test_erasure_leaves_no_canary_in_the_database_file(
    session: Session, planted: World, settings: object
) -> None:
    ana_id, person_id = planted.ana.id, planted.ana.person_id
    data_rights.erase_participant(
        session, participant=planted.ana, secret=SECRET, actor="facilitator:1"
    )
    session.commit()
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    path = Path(str(bind.url.database))
    session.close()
    assert checkpoint_erasure(bind)  # as the erase page and `tandem purge` do after committing
    raw = path.read_bytes() + (
        path.with_name(path.name + "-wal").read_bytes()
        if path.with_name(path.name + "-wal").exists()
        else b""
    )
    for canary in (
        b"ANA-ANSWER",
        b"ANA-ASPIRATION",
        b"ANA-GOAL",
        b"ANA-NOTE",
        b"ANA-COMMENT-ON-BEN",
        b"ana.spring@example.com",
    ):
        assert canary not in raw, canary
    assert b"BEN-ANSWER" in raw
    assert session.get(Participant, ana_id) is None
    assert session.get(Person, person_id) is None
    actors = session.exec(
        select(AuditEvent.object_id).where(AuditEvent.action == "participant.erase")
    ).all()
    assert actors == [data_rights.pseudonym(person_id, secret=SECRET)]


def test_purge_waits_for_retention_then_removes_content_only(
    session: Session, planted: World
) -> None:
    cohort = planted.cohort
    due = data_rights.purge_due(cohort, retention_days=365)
    assert due == date(2027, 3, 4) + timedelta(days=366)
    with pytest.raises(Conflict):
        data_rights.purge_cohort_content(
            session, cohort=cohort, today=due - timedelta(days=1), retention_days=365, actor="cli"
        )
    counts = data_rights.purge_cohort_content(
        session, cohort=cohort, today=due, retention_days=365, actor="cli", dry_run=True
    )
    assert counts["answer"] == 2
    assert session.exec(select(func.count()).select_from(Answer)).one() == 2
    data_rights.purge_cohort_content(
        session, cohort=cohort, today=due, retention_days=365, actor="cli"
    )
    assert session.exec(select(func.count()).select_from(Answer)).one() == 0
    assert session.get(Participant, planted.ana.id) is not None
    assert sorted(
        c.slug for c in data_rights.purgeable_cohorts(session, today=due, retention_days=365)
    ) == ["autumn", "spring"]
    assert (
        data_rights.purgeable_cohorts(session, today=due - timedelta(days=1), retention_days=365)
        == []
    )
