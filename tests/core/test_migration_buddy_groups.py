"""The buddy-group migration: overlapping live groups resolved, old participant wording
rewritten without HR values, then the one-live-group rule enforced."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.core.db import create_db_engine
from app.core.migrations import upgrade_database
from tests.core.test_migrations import empty_url  # noqa: F401  (fixture)

NOW = "2026-11-26 10:00:00"
OLD_REASONS = [
    "Similar levels: M3 - Senior Manager and M4 - Director",
    "Different functions: Finance and Sales",
    "You are both based in EMEA",
    "You have 13.9 and 18.0 years in the company",
    "You bring different experience: M&A; launch",
    "You both speak French",
]


def _seed(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO cohort (id, name, slug, start_date, days, timezone, location, status, "
            "roster_version, created_at) VALUES (1, 'C', 'c', '2027-03-01', 4, 'UTC', '', "
            "'paired', 1, :now)"
        ),
        {"now": NOW},
    )
    for i in range(1, 5):
        conn.execute(
            text("INSERT INTO person (id, email, name, created_at) VALUES (:i, :e, :n, :now)"),
            {"i": i, "e": f"p{i}@x.example", "n": f"P{i}", "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO participant (id, cohort_id, person_id, name, email, title, level, "
                "function, region, manager_email, languages, tags, avoid, conflict_group, "
                "excluded, created_at, updated_at) VALUES (:i, 1, :i, :n, :e, '', '', '', '', "
                "'', '[]', '[]', '[]', '', :no, :now, :now)"
            ),
            {"i": i, "e": f"p{i}@x.example", "n": f"P{i}", "now": NOW, "no": False},
        )
    # Group 1 (p1, p2, p3) was split by the old re-pairing into 2 (p1, p2) and 3 (p3, p4)
    # but stayed published: three people were in two live groups at once.
    for gid, members in ((1, (1, 2, 3)), (2, (1, 2)), (3, (3, 4))):
        conn.execute(
            text(
                "INSERT INTO buddy_group (id, cohort_id, score, reasons, participant_reasons, "
                "locked, state, end_reason, created_at) VALUES (:g, 1, 1.0, '[]', :r, :no, "
                "'published', '', :now)"
            ),
            {"g": gid, "r": json.dumps(OLD_REASONS), "now": NOW, "no": False},
        )
        for p in members:
            conn.execute(
                text("INSERT INTO buddy_member (group_id, participant_id) VALUES (:g, :p)"),
                {"g": gid, "p": p},
            )


def test_migration_ends_overlapping_groups_rewrites_reasons_and_then_enforces(
    empty_url: str,  # noqa: F811
) -> None:
    upgrade_database(empty_url, "0e452ceb268e")
    engine = create_db_engine(empty_url)
    with engine.begin() as conn:
        _seed(conn)
    engine.dispose()
    upgrade_database(empty_url)
    engine = create_db_engine(empty_url)
    with engine.connect() as conn:
        states = conn.execute(text("SELECT id, state FROM buddy_group ORDER BY id")).all()
        reasons = conn.execute(text("SELECT participant_reasons FROM buddy_group")).scalars()
        live = conn.execute(
            text("SELECT group_id, live FROM buddy_member ORDER BY group_id, participant_id")
        ).all()
    assert [tuple(r) for r in states] == [(1, "ended"), (2, "published"), (3, "published")]
    for stored in reasons:
        # Later, the buddies' sentences are stored as message ids (20261203msgs).
        found = json.loads(stored) if isinstance(stored, str) else stored
        assert [r["msgid"] if isinstance(r, dict) else r for r in found] == [
            "You are at a similar level, so you face similar kinds of decisions",
            "You work in different functions, so each of you brings a fresh view",
            "You bring different experience to each other",
            "You share a working language",
        ]
    assert [(g, bool(v) if v is not None else None) for g, v in live] == [
        (1, None), (1, None), (1, None), (2, True), (2, True), (3, True), (3, True),
    ]  # fmt: skip
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text("INSERT INTO buddy_member (group_id, participant_id, live) VALUES (3, 1, :yes)"),
            {"yes": True},
        )
    engine.dispose()


def test_migration_stores_the_buddies_sentences_as_messages_and_back(
    empty_url: str,  # noqa: F811
) -> None:
    from app.core.migrations import downgrade_database
    from app.models import BuddyGroup

    upgrade_database(empty_url, "20261203languages")
    engine = create_db_engine(empty_url)
    with engine.begin() as conn:
        _seed(conn)
        conn.execute(
            text("UPDATE buddy_group SET reasons = :r, participant_reasons = :p WHERE id = 2"),
            {
                "r": json.dumps(["Both in Finance"]),
                "p": json.dumps(["You share a working language", "You lead teams"]),
            },
        )
    engine.dispose()
    upgrade_database(empty_url, "20261203msgs")
    engine = create_db_engine(empty_url)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT participant_reasons FROM buddy_group WHERE id = 2"))
        stored = raw.scalar_one()
        group = conn.execute(
            BuddyGroup.__table__.select().where(BuddyGroup.__table__.c.id == 2)  # type: ignore[attr-defined]
        ).one()
    assert (json.loads(stored) if isinstance(stored, str) else stored) == [
        {"msgid": "You share a working language", "args": {}},
        "You lead teams",  # not a sentence the pairing writes: kept as written
    ]
    assert group.participant_reasons == ["You share a working language", "You lead teams"]
    assert type(group.participant_reasons[0]).__name__ == "Message"
    assert group.reasons == ["Both in Finance"]
    engine.dispose()
    downgrade_database(empty_url, "20261203languages")
    engine = create_db_engine(empty_url)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT participant_reasons FROM buddy_group WHERE id = 2"))
        back = raw.scalar_one()
    assert (json.loads(back) if isinstance(back, str) else back) == [
        "You share a working language",
        "You lead teams",
    ]
    engine.dispose()
