"""The cone of silence: who may read which answer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.core.errors import NotFound
from app.models import Facilitator, Participant
from app.services.accounts.service import create_facilitator
from app.services.library import program
from app.services.privacy import visibility
from app.services.tablet import responses
from tests.services.tablet.factories import World, add_participant, make_group, make_world

EX = "meet-your-buddy"
"""Prompts: their-week (private), curious-about (buddy), first-impression (private)."""


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _save(
    session: Session, who: Participant, prompt: str, value: Any, *, exercise_id: str = EX
) -> None:
    cohort = program.bound_exercise(session, cohort=_cohort(session, who), exercise_id=exercise_id)
    current = visibility.read_answers(session, viewer=who, owner=who, exercise=cohort)
    base = current[prompt].version if prompt in current else 0
    responses.save_answer(
        session,
        participant=who,
        exercise=cohort,
        prompt_id=prompt,
        value=value,
        base_version=base,
        idempotency_key=f"key-{who.id}-{prompt}-{base}",
    )
    session.commit()


def _cohort(session: Session, who: Participant) -> Any:
    from app.models import Cohort

    return session.get(Cohort, who.cohort_id)


def _read(session: Session, viewer: visibility.Viewer, owner: Participant) -> dict[str, Any]:
    exercise = program.bound_exercise(session, cohort=_cohort(session, owner), exercise_id=EX)
    answers = visibility.read_answers(session, viewer=viewer, owner=owner, exercise=exercise)
    return {k: a.value for k, a in answers.items()}


def test_owner_reads_every_own_answer(session: Session, world: World) -> None:
    _save(session, world.ana, "their-week", "private notes")
    _save(session, world.ana, "curious-about", "shared notes")
    assert _read(session, world.ana, world.ana) == {
        "their-week": "private notes",
        "curious-about": "shared notes",
    }


def test_buddy_reads_shared_answers_only_once_both_answered(session: Session, world: World) -> None:
    _save(session, world.ana, "their-week", "private notes")
    _save(session, world.ana, "curious-about", "shared notes")
    assert _read(session, world.ben, world.ana) == {}
    _save(session, world.ben, "curious-about", "my own")
    assert _read(session, world.ben, world.ana) == {"curious-about": "shared notes"}


def test_non_buddy_of_the_same_cohort_gets_not_found(session: Session, world: World) -> None:
    _save(session, world.ana, "curious-about", "shared notes")
    _save(session, world.cai, "curious-about", "cai's")
    with pytest.raises(NotFound):
        _read(session, world.cai, world.ana)


def test_participant_of_another_cohort_gets_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        _read(session, world.eve, world.ana)


@pytest.mark.parametrize("admin", [False, True])
def test_facilitators_and_admins_never_read_content(
    session: Session, world: World, admin: bool
) -> None:
    _save(session, world.ana, "curious-about", "shared notes")
    user: Facilitator = create_facilitator(
        session, email="f@example.com", name="F", password="long enough password", admin=admin
    )
    with pytest.raises(NotFound):
        _read(session, user, world.ana)


def test_anonymous_gets_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        _read(session, None, world.ana)


def test_former_buddy_loses_access_when_the_group_ends(session: Session, world: World) -> None:
    _save(session, world.ana, "curious-about", "shared notes")
    _save(session, world.ben, "curious-about", "mine")
    assert _read(session, world.ben, world.ana) == {"curious-about": "shared notes"}
    world.group.state = "ended"
    session.add(world.group)
    session.commit()
    with pytest.raises(NotFound):
        _read(session, world.ben, world.ana)
    assert visibility.buddies_of(session, participant=world.ben) == []


def test_trio_members_read_both_others_shared_answers(session: Session, world: World) -> None:
    world.group.state = "ended"
    fay = add_participant(session, world.cohort, "Fay")
    make_group(session, world.cohort, [world.ana, world.ben, fay])
    session.commit()
    for who, text in ((world.ana, "from ana"), (world.ben, "from ben"), (fay, "from fay")):
        _save(session, who, "curious-about", text)
    exercise = program.bound_exercise(session, cohort=world.cohort, exercise_id=EX)
    shared = visibility.shared_with(session, viewer=fay, exercise=exercise)
    assert [(b.name, b.answers["curious-about"].value) for b in shared] == [
        ("Ana", "from ana"),
        ("Ben", "from ben"),
    ]


def test_participant_for_hides_strangers(session: Session, world: World) -> None:
    assert world.ben.id is not None
    assert world.cai.id is not None
    assert (
        visibility.participant_for(session, viewer=world.ana, participant_id=world.ben.id)
        == world.ben
    )
    with pytest.raises(NotFound):
        visibility.participant_for(session, viewer=world.ana, participant_id=world.cai.id)
    with pytest.raises(NotFound):
        visibility.participant_for(session, viewer=world.ana, participant_id=999_999)


def test_audience_label_names_who_will_read() -> None:
    assert visibility.audience_label("private") == "Only you"
    assert visibility.audience_label("buddy") == "You and your buddy"
    assert visibility.audience_label("buddy", buddy_count=2) == "You and your buddies"


def test_audience_label_reads_in_the_readers_language() -> None:
    from app.core.i18n import use_locale

    with use_locale("de"):
        assert visibility.audience_label("private") == "Nur Sie"
        assert visibility.audience_label("buddy") == "Sie und Ihr Buddy"
        assert visibility.audience_label("buddy", buddy_count=2) == "Sie und Ihre Buddys"
    with use_locale("fr"):
        assert visibility.audience_label("buddy", buddy_count=2) == "Vous et vos partenaires"
