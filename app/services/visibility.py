"""The cone of silence: the one place that decides who may read an answer.

Every read of answer content in the app goes through this module. The rules:

- a participant reads all of their own answers;
- a current buddy (same *published* buddy group, same cohort) reads the answers to prompts
  marked ``buddy``, and each one only once they have answered that prompt themselves, so
  nobody copies and nobody writes for an audience before they have said their own piece;
- in a trio each member reads both others' shared answers;
- a former buddy (the group ended) reads nothing any more;
- facilitators and admins never read content, whatever page, API or export asks;
- anyone else gets ``NotFound``: saying "forbidden" would confirm the answer exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.models import BuddyGroup, BuddyMember, Facilitator, Participant
from app.models.tablet import Answer
from app.services.program import BoundExercise

Viewer = Participant | Facilitator | None
"""Who is asking: a signed-in participant, a facilitator or admin, or nobody."""

Access = Literal["own", "buddy"]

_NOT_FOUND = "no such answer"


@dataclass(frozen=True, slots=True)
class ReadableAnswer:
    """One answer the viewer may read, with the version the writer last saved."""

    prompt_id: str
    value: Any
    version: int


@dataclass(frozen=True, slots=True)
class BuddyAnswers:
    """What one buddy shared in one exercise, as the viewer may see it now."""

    participant_id: int
    name: str
    answers: dict[str, ReadableAnswer]


def current_group_of(session: Session, *, participant: Participant) -> BuddyGroup | None:
    """The participant's published buddy group; None before publishing or after it ended."""
    return session.exec(
        select(BuddyGroup)
        .join(BuddyMember, col(BuddyMember.group_id) == col(BuddyGroup.id))
        .where(
            BuddyMember.participant_id == participant.id,
            BuddyGroup.state == "published",
            BuddyGroup.cohort_id == participant.cohort_id,
        )
        .order_by(col(BuddyGroup.id).desc())
    ).first()


def members_of(session: Session, *, group: BuddyGroup) -> list[Participant]:
    """Everyone in a buddy group, by name."""
    return list(session.exec(
        select(Participant)
        .join(BuddyMember, col(BuddyMember.participant_id) == col(Participant.id))
        .where(BuddyMember.group_id == group.id)
        .order_by(col(Participant.name), col(Participant.id))
    ).all())


def buddies_of(session: Session, *, participant: Participant) -> list[Participant]:
    """The participant's current buddies (one, or two in a trio), never former ones."""
    group = current_group_of(session, participant=participant)
    if group is None:
        return []
    return [p for p in members_of(session, group=group) if p.id != participant.id]


def access_to(session: Session, *, viewer: Viewer, owner: Participant) -> Access:
    """How far ``viewer`` may read ``owner``'s answers; NotFound when not at all."""
    if not isinstance(viewer, Participant) or viewer.cohort_id != owner.cohort_id:
        raise NotFound(_NOT_FOUND)
    if viewer.id == owner.id:
        return "own"
    if any(b.id == owner.id for b in buddies_of(session, participant=viewer)):
        return "buddy"
    raise NotFound(_NOT_FOUND)


def audience_label(visibility: str, *, buddy_count: int = 1) -> str:
    """Who will be able to read an answer, in the words shown before anyone types."""
    if visibility != "buddy":
        return "Only you"
    return "You and your buddies" if buddy_count > 1 else "You and your buddy"


def _stored(session: Session, *, owner_ids: Sequence[int], exercise: BoundExercise
            ) -> list[Answer]:
    return list(session.exec(
        select(Answer).where(
            col(Answer.participant_id).in_(owner_ids),
            Answer.cohort_exercise_id == exercise.row.id,
        )
    ).all())


def _readable(row: Answer) -> ReadableAnswer:
    return ReadableAnswer(row.prompt_id, row.value, row.version)


def read_answers(
    session: Session, *, viewer: Viewer, owner: Participant, exercise: BoundExercise
) -> dict[str, ReadableAnswer]:
    """The answers of ``owner`` in ``exercise`` that ``viewer`` may read now (NotFound if none
    may be read at all)."""
    access = access_to(session, viewer=viewer, owner=owner)
    if exercise.row.cohort_id != owner.cohort_id:
        raise NotFound(_NOT_FOUND)
    assert owner.id is not None
    if access == "own":
        rows = _stored(session, owner_ids=[owner.id], exercise=exercise)
        return {r.prompt_id: _readable(r) for r in rows}
    assert isinstance(viewer, Participant)
    assert viewer.id is not None
    shared = {p.id for p in exercise.spec.prompts if p.visibility == "buddy"}
    rows = _stored(session, owner_ids=[owner.id, viewer.id], exercise=exercise)
    mine = {r.prompt_id for r in rows if r.participant_id == viewer.id and r.answered}
    return {
        r.prompt_id: _readable(r)
        for r in rows
        if r.participant_id == owner.id and r.answered and r.prompt_id in shared
        and r.prompt_id in mine
    }


def shared_with(
    session: Session, *, viewer: Participant, exercise: BoundExercise
) -> list[BuddyAnswers]:
    """Each current buddy's shared answers in ``exercise`` that ``viewer`` may read now."""
    result = []
    for buddy in buddies_of(session, participant=viewer):
        assert buddy.id is not None
        answers = read_answers(session, viewer=viewer, owner=buddy, exercise=exercise)
        result.append(BuddyAnswers(buddy.id, buddy.name, answers))
    return result


def participant_for(session: Session, *, viewer: Viewer, participant_id: int) -> Participant:
    """Another participant by id, if ``viewer`` may read any of their answers (else NotFound)."""
    owner = session.get(Participant, participant_id)
    if owner is None:
        raise NotFound(_NOT_FOUND)
    access_to(session, viewer=viewer, owner=owner)
    return owner


def printable_answers(
    session: Session,
    *,
    owner: Participant,
    exercise: BoundExercise,
    edition: str,
    requester: Viewer,
) -> dict[str, ReadableAnswer]:
    """The answers of ``owner`` that a printed ``edition`` made for ``requester`` may carry.

    - blank editions carry none;
    - a participant's own download carries what they may read on screen (participant
      edition: all their own answers; pair edition: only answers marked ``buddy``);
    - a facilitator's export (requester is a facilitator, admin or the CLI) carries the
      owner's answers only when the owner chose to have their answers printed, and a pair
      edition only the ``buddy`` ones: facilitators never read, they only hand out paper.
    """
    if edition == "blank" or exercise.row.cohort_id != owner.cohort_id:
        return {}
    assert owner.id is not None
    shared = {p.id for p in exercise.spec.prompts if p.visibility == "buddy"}
    if isinstance(requester, Participant):
        answers = read_answers(session, viewer=requester, owner=owner, exercise=exercise)
        if edition == "pair":
            return {k: v for k, v in answers.items() if k in shared}
        return answers if requester.id == owner.id else {}
    if not owner.print_answers:
        return {}
    rows = [r for r in _stored(session, owner_ids=[owner.id], exercise=exercise) if r.answered]
    if edition == "pair":
        rows = [r for r in rows if r.prompt_id in shared]
    return {r.prompt_id: _readable(r) for r in rows}
