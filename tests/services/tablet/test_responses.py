"""Autosave: versions, idempotent retries, conflicts, validation, the agreement gate, progress."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Participant
from app.models.tablet import Answer, SaveReceipt
from app.services.library import program
from app.services.library.program import BoundExercise
from app.services.tablet import progress, responses
from tests.services.tablet.factories import World, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _ex(session: Session, world: World, exercise_id: str = "meet-your-buddy") -> BoundExercise:
    return program.bound_exercise(session, cohort=world.cohort, exercise_id=exercise_id)


def _save(
    session: Session,
    who: Participant,
    exercise: BoundExercise,
    prompt: str,
    value: Any,
    base: int,
    key: str,
) -> responses.SaveResult:
    return responses.save_answer(
        session,
        participant=who,
        exercise=exercise,
        prompt_id=prompt,
        value=value,
        base_version=base,
        idempotency_key=key,
    )


def test_saves_count_versions_up_from_one(session: Session, world: World) -> None:
    ex = _ex(session, world)
    first = _save(session, world.ana, ex, "their-week", "Mon", 0, "key-00001")
    second = _save(session, world.ana, ex, "their-week", "Mon Tue", 1, "key-00002")
    assert (first.version, first.value) == (1, "Mon")
    assert (second.version, second.value) == (2, "Mon Tue")


def test_retry_with_the_same_key_returns_the_stored_result(session: Session, world: World) -> None:
    ex = _ex(session, world)
    first = _save(session, world.ana, ex, "their-week", "Mon", 0, "key-00001")
    session.commit()
    again = _save(session, world.ana, ex, "their-week", "Mon", 0, "key-00001")
    assert again == first
    receipts = session.exec(select(func.count()).select_from(SaveReceipt)).one()
    assert receipts == 1


def test_key_reused_for_another_question_is_refused(session: Session, world: World) -> None:
    ex = _ex(session, world)
    _save(session, world.ana, ex, "their-week", "Mon", 0, "key-00001")
    with pytest.raises(Conflict):
        _save(session, world.ana, ex, "curious-about", "x", 0, "key-00001")


def test_stale_version_raises_with_the_server_copy_and_changes_nothing(
    session: Session, world: World
) -> None:
    ex = _ex(session, world)
    _save(session, world.ana, ex, "their-week", "from the laptop", 0, "key-00001")
    session.commit()
    with pytest.raises(responses.StaleAnswer) as caught:
        _save(session, world.ana, ex, "their-week", "from the tablet", 0, "key-00002")
    assert (caught.value.server.value, caught.value.server.version) == ("from the laptop", 1)
    session.rollback()
    row = session.exec(select(Answer)).one()
    assert (row.value, row.version) == ("from the laptop", 1)


def test_stale_version_with_the_same_value_is_not_a_conflict(
    session: Session, world: World
) -> None:
    ex = _ex(session, world)
    _save(session, world.ana, ex, "their-week", "same", 0, "key-00001")
    assert _save(session, world.ana, ex, "their-week", "same", 0, "key-00002").version == 1


@pytest.mark.parametrize(
    ("prompt", "value", "message"),
    [
        ("first-impression", 0, "The answer must be a whole number from 1 to 5."),
        ("first-impression", 6, "The answer must be a whole number from 1 to 5."),
        ("first-impression", "3", "The answer must be a whole number from 1 to 5."),
        ("first-impression", True, "The answer must be a whole number from 1 to 5."),
        ("their-week", 12, "The answer must be text."),
        ("their-week", "x" * 20_001, "The answer is 20,001 characters long; the limit is 20,000."),
        ("curious-about", "x" * 2_001, "The answer is 2,001 characters long; the limit is 2,000."),
    ],
)
def test_values_are_checked_against_the_prompt_type(
    session: Session, world: World, prompt: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _save(session, world.ana, _ex(session, world), prompt, value, 0, "key-00001")
    assert [str(p) for p in caught.value.problems] == [f"question '{prompt}': {message}"]


def test_choices_must_be_offered_and_checklists_keep_option_order(
    session: Session, world: World
) -> None:
    agreement = _ex(session, world, "buddy-agreement")
    options = agreement.spec.prompts[0].options
    assert options is not None
    with pytest.raises(InvalidInput) as caught:
        _save(session, world.ana, agreement, "agreements", ["not offered"], 0, "key-00001")
    assert caught.value.problems[0].message == "The answer holds a choice that is not offered."
    saved = _save(
        session, world.ana, agreement, "agreements", [options[2], options[0]], 0, "key-00002"
    )
    assert saved.value == [options[0], options[2]]
    stories = _ex(session, world, "career-stories")
    with pytest.raises(InvalidInput):
        responses.clean_value(stories.spec.prompts[2], "maybe")


def test_unknown_question_and_bad_key_are_refused(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        _save(session, world.ana, _ex(session, world), "nope", "x", 0, "key-00001")
    with pytest.raises(InvalidInput):
        _save(session, world.ana, _ex(session, world), "their-week", "x", 0, "bad key!")


def test_pair_work_after_the_agreement_waits_for_every_buddy(
    session: Session, world: World
) -> None:
    stories = _ex(session, world, "career-stories")
    with pytest.raises(Forbidden):
        _save(session, world.ana, stories, "what-shaped-them", "x", 0, "key-00001")
    assert responses.accept_agreement(session, participant=world.ana).complete is False
    with pytest.raises(Forbidden):
        _save(session, world.ana, stories, "what-shaped-them", "x", 0, "key-00002")
    state = responses.accept_agreement(session, participant=world.ben)
    assert (state.accepted, state.members, state.complete) == (2, 2, True)
    assert _save(session, world.ana, stories, "what-shaped-them", "x", 0, "key-00003").version == 1


def test_meeting_the_buddy_and_the_agreement_are_never_gated(
    session: Session, world: World
) -> None:
    for exercise_id in ("meet-your-buddy", "buddy-agreement"):
        assert (
            responses.pair_work_open(
                session, participant=world.ana, exercise=_ex(session, world, exercise_id)
            )
            is True
        )


def test_progress_board_counts_statuses_without_values(session: Session, world: World) -> None:
    ex = _ex(session, world)
    _save(session, world.ana, ex, "their-week", "CANARY-board", 0, "key-00001")
    for i, prompt in enumerate(("their-week", "curious-about", "first-impression")):
        _save(
            session,
            world.ben,
            ex,
            prompt,
            3 if prompt == "first-impression" else "t",
            0,
            f"key-1000{i}",
        )
    _save(session, world.cai, ex, "their-week", "   ", 0, "key-00009")
    responses.accept_agreement(session, participant=world.ana)
    board = progress.progress_board(session, cohort=world.cohort)
    column = [c.exercise_id for c in board.columns].index("meet-your-buddy")
    assert {r.name: r.statuses[column] for r in board.rows} == {
        "Ana": "in_progress",
        "Ben": "done",
        "Cai": "not_started",
        "Dan": "not_started",
    }
    assert {r.name: r.agreement for r in board.rows} == {
        "Ana": "waiting",
        "Ben": "not_accepted",
        "Cai": "not_accepted",
        "Dan": "not_accepted",
    }
    assert board.done[column] == 1
    assert "CANARY" not in repr(board)
