"""Development plans: versions, autosave promises, sharing and buddy comments, all through
the visibility policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.core.errors import InvalidInput, NotFound
from app.models import Facilitator, utcnow
from app.services.plans import service as plans
from app.services.plans.partnership import change_partnership
from app.services.privacy import visibility
from tests.services.tablet.factories import World, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _plan(goal: str = "Listen first", aspiration: str = "") -> dict[str, object]:
    return {
        "aspiration": aspiration,
        "goals": [{"id": "g1", "what": goal, "actions": ["a"]}],
        "strengths": "calm",
        "obstacles": "time",
    }


def test_save_plan_grows_versions_and_coalesces_snapshots(session: Session, world: World) -> None:
    start = utcnow()
    plans.save_plan(
        session,
        participant=world.ana,
        content=_plan("one"),
        base_version=0,
        idempotency_key="key-00001",
        now=start,
    )
    plans.save_plan(
        session,
        participant=world.ana,
        content=_plan("two"),
        base_version=1,
        idempotency_key="key-00002",
        now=start + timedelta(minutes=2),
    )
    result = plans.save_plan(
        session,
        participant=world.ana,
        content=_plan("three"),
        base_version=2,
        idempotency_key="key-00003",
        now=start + timedelta(minutes=30),
    )
    versions = visibility.read_plan_versions(session, viewer=world.ana, owner=world.ana)
    assert result.version == 3
    assert [(v.version, v.content["goals"][0]["what"]) for v in versions] == [
        (3, "three"),
        (2, "two"),
    ]


def test_save_plan_retry_returns_stored_result_and_stale_gets_server_copy(
    session: Session, world: World
) -> None:
    first = plans.save_plan(
        session,
        participant=world.ana,
        content=_plan("mine"),
        base_version=0,
        idempotency_key="key-retry1",
    )
    again = plans.save_plan(
        session,
        participant=world.ana,
        content=_plan("ignored"),
        base_version=0,
        idempotency_key="key-retry1",
    )
    with pytest.raises(plans.StalePlan) as stale:
        plans.save_plan(
            session,
            participant=world.ana,
            content=_plan("other device"),
            base_version=0,
            idempotency_key="key-stale1",
        )
    assert again == first
    assert stale.value.server.content["goals"][0]["what"] == "mine"
    assert stale.value.server.version == 1


def test_clean_plan_names_every_faulty_field() -> None:
    with pytest.raises(InvalidInput) as bad:
        plans.clean_plan({"goals": [{"what": "x", "target_date": "soon"}, {}, {}, {}]})
    assert [str(p) for p in bad.value.problems] == [
        "My goals: The plan has 4 goals; a plan has one to 3.",
        "Goal 1, Target date: “soon” is not a date like 2027-06-30.",
    ]


def test_buddy_reads_only_shared_parts_and_others_get_not_found(
    session: Session, world: World
) -> None:
    plans.save_plan(
        session,
        participant=world.ana,
        content=_plan("SHARED-GOAL", "SECRET-ASP"),
        base_version=0,
        idempotency_key="key-share1",
    )
    # Nothing is shared until the writer shares it.
    unshared = visibility.read_plan(session, viewer=world.ben, owner=world.ana)
    assert (unshared.parts, unshared.shared_parts) == ({}, [])
    plans.set_shared_parts(session, participant=world.ana, parts=["goals"])
    seen = visibility.read_plan(session, viewer=world.ben, owner=world.ana)
    assert seen.parts == {
        "goals": [
            {
                "id": "g1",
                "what": "SHARED-GOAL",
                "why": "",
                "actions": ["a"],
                "measure": "",
                "support": "",
                "target_date": "",
            }
        ]
    }
    plans.set_shared_parts(session, participant=world.ana, parts=["aspiration"])
    assert visibility.read_plan(session, viewer=world.ben, owner=world.ana).parts == {
        "aspiration": "SECRET-ASP"
    }
    for viewer in (
        world.cai,
        world.eve,
        Facilitator(id=1, email="f@x", name="F", password_hash="x", role="admin"),
        None,
    ):
        with pytest.raises(NotFound):
            visibility.read_plan(session, viewer=viewer, owner=world.ana)


def test_buddy_comments_on_shared_parts_and_owner_resolves(session: Session, world: World) -> None:
    plans.save_plan(
        session,
        participant=world.ana,
        content=_plan(),
        base_version=0,
        idempotency_key="key-comm01",
    )
    with pytest.raises(NotFound):
        plans.add_plan_comment(
            session, author=world.ben, owner=world.ana, part="goals", text="not shared yet"
        )
    plans.set_shared_parts(session, participant=world.ana, parts=["goals"])
    comment = plans.add_plan_comment(
        session,
        author=world.ben,
        owner=world.ana,
        part="goals",
        text="Have you thought about asking your team?",
    )
    with pytest.raises(NotFound):
        plans.add_plan_comment(
            session, author=world.ben, owner=world.ana, part="obstacles", text="not shared"
        )
    with pytest.raises(NotFound):
        plans.add_plan_comment(
            session, author=world.cai, owner=world.ana, part="goals", text="not a buddy"
        )
    assert comment.id is not None
    plans.resolve_plan_comment(session, owner=world.ana, comment_id=comment.id)
    with pytest.raises(NotFound):
        plans.resolve_plan_comment(session, owner=world.ben, comment_id=comment.id)
    seen = visibility.read_plan_comments(session, viewer=world.ana, owner=world.ana)
    assert [(c.author_name, c.text, c.resolved) for c in seen] == [
        ("Ben", "Have you thought about asking your team?", True)
    ]


def test_former_buddy_reads_nothing_after_the_partnership_ends(
    session: Session, world: World
) -> None:
    plans.save_plan(
        session,
        participant=world.ana,
        content=_plan(),
        base_version=0,
        idempotency_key="key-ended1",
    )
    change_partnership(session, participant=world.ana, state="ended", reason="no_time")
    with pytest.raises(NotFound):
        visibility.read_plan(session, viewer=world.ben, owner=world.ana)
    with pytest.raises(NotFound):
        visibility.read_plan_comments(session, viewer=world.ben, owner=world.ana)


def test_plan_goal_answers_become_goal_drafts_once(session: Session, world: World) -> None:
    from app.services.library import program
    from app.services.tablet import responses

    cohort = world.cohort
    draft = program.bound_exercise(session, cohort=cohort, exercise_id="development-plan-draft")
    responses.save_answer(
        session,
        participant=world.ana,
        exercise=draft,
        prompt_id="goal-one",
        value="Delegate the weekly report",
        base_version=0,
        idempotency_key="key-draft1",
    )
    plans.import_exercise_drafts(session, participant=world.ana)
    result = plans.import_exercise_drafts(session, participant=world.ana)
    assert [g["what"] for g in result.content["goals"]] == ["Delegate the weekly report"]
    assert result.version == 1
