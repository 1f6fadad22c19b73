"""The cone of silence: the one place that decides who may read an answer.

Every read of answer content in the app goes through this module. The rules:

- a participant reads all of their own answers;
- a current buddy (same *published* buddy group, same cohort) reads the answers to prompts
  marked ``buddy``, and each one only once they have answered that prompt themselves, so
  nobody copies and nobody writes for an audience before they have said their own piece;
- in a trio each member reads both others' shared answers;
- a former buddy (the group ended) reads nothing any more;
- facilitators and admins never read content, whatever page, API or export asks; on paper,
  a participant who consented to printing has their ``buddy`` answers and shared plan parts
  printed for them, never an "Only you" answer;
- anyone else gets ``NotFound``: saying "forbidden" would confirm the answer exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.core.i18n import N_, lazy_gettext, ngettext
from app.core.i18n import gettext as _
from app.models import BuddyGroup, BuddyMember, Facilitator, Participant
from app.models.tablet import Answer
from app.services.library import BoundExercise

Viewer = Participant | Facilitator | None
"""Who is asking: a signed-in participant, a facilitator or admin, or nobody."""

Access = Literal["own", "buddy"]

_NOT_FOUND = N_("no such answer")


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
    return list(
        session.exec(
            select(Participant)
            .join(BuddyMember, col(BuddyMember.participant_id) == col(Participant.id))
            .where(BuddyMember.group_id == group.id)
            .order_by(col(Participant.name), col(Participant.id))
        ).all()
    )


def buddies_of(session: Session, *, participant: Participant) -> list[Participant]:
    """The participant's current buddies (one, or two in a trio), never former ones."""
    group = current_group_of(session, participant=participant)
    if group is None:
        return []
    return [p for p in members_of(session, group=group) if p.id != participant.id]


def access_to(session: Session, *, viewer: Viewer, owner: Participant) -> Access:
    """How far ``viewer`` may read ``owner``'s answers; NotFound when not at all."""
    if not isinstance(viewer, Participant) or viewer.cohort_id != owner.cohort_id:
        raise NotFound(_(_NOT_FOUND))
    if viewer.id == owner.id:
        return "own"
    if any(b.id == owner.id for b in buddies_of(session, participant=viewer)):
        return "buddy"
    raise NotFound(_(_NOT_FOUND))


def audience_label(visibility: str, *, buddy_count: int = 1) -> str:
    """Who will be able to read an answer, in the words shown before anyone types."""
    if visibility != "buddy":
        return _("Only you")
    return ngettext("You and your buddy", "You and your buddies", max(buddy_count, 1))


def _stored(session: Session, *, owner_ids: Sequence[int], exercise: BoundExercise) -> list[Answer]:
    return list(
        session.exec(
            select(Answer).where(
                col(Answer.participant_id).in_(owner_ids),
                Answer.cohort_exercise_id == exercise.row.id,
            )
        ).all()
    )


def _readable(row: Answer) -> ReadableAnswer:
    return ReadableAnswer(row.prompt_id, row.value, row.version)


def read_answers(
    session: Session, *, viewer: Viewer, owner: Participant, exercise: BoundExercise
) -> dict[str, ReadableAnswer]:
    """The answers of ``owner`` in ``exercise`` that ``viewer`` may read now (NotFound if none
    may be read at all)."""
    access = access_to(session, viewer=viewer, owner=owner)
    if exercise.row.cohort_id != owner.cohort_id:
        raise NotFound(_(_NOT_FOUND))
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
        if r.participant_id == owner.id
        and r.answered
        and r.prompt_id in shared
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
        raise NotFound(_(_NOT_FOUND))
    access_to(session, viewer=viewer, owner=owner)
    return owner


def _shared_prompts(exercise: BoundExercise) -> set[str]:
    return {p.id for p in exercise.spec.prompts if p.visibility == "buddy"}


def printable_answers(
    session: Session, *, owner: Participant, exercise: BoundExercise, requester: Viewer
) -> dict[str, ReadableAnswer]:
    """The answers of ``owner`` their own (participant) edition may carry for ``requester``.

    - the owner's own download carries everything they wrote, "Only you" answers included;
    - a facilitator's export (a facilitator, an admin or the CLI) carries only what the owner
      consented to: their answers to prompts marked ``buddy``. Answers marked "Only you", such
      as a letter to oneself, never reach a facilitator's paper, consent or not;
    - anyone else's request carries nothing.
    """
    if exercise.row.cohort_id != owner.cohort_id:
        return {}
    assert owner.id is not None
    if isinstance(requester, Participant):
        if requester.id != owner.id:
            return {}
        return read_answers(session, viewer=requester, owner=owner, exercise=exercise)
    if not owner.print_answers:
        return {}
    shared = _shared_prompts(exercise)
    rows = _stored(session, owner_ids=[owner.id], exercise=exercise)
    return {r.prompt_id: _readable(r) for r in rows if r.answered and r.prompt_id in shared}


def is_current_pair(session: Session, *, owners: Sequence[Participant]) -> bool:
    """True when ``owners`` are exactly the members of one published buddy group."""
    if not owners:
        return False
    group = current_group_of(session, participant=owners[0])
    if group is None:
        return False
    return {m.id for m in members_of(session, group=group)} == {o.id for o in owners}


def printable_pair_answers(
    session: Session, *, owners: Sequence[Participant], exercise: BoundExercise, requester: Viewer
) -> dict[int, dict[str, ReadableAnswer]]:
    """Per owner id, the answers a pair edition of ``owners`` may carry for ``requester``.

    The pair edition is one book for the pair, so it is the same whoever asks: a prompt marked
    ``buddy`` is printed once every member has answered it (on screen each reads the others'
    answer only after giving their own, so paper may not show more to anyone). A member of the
    current pair may print it; a facilitator's export carries the words of the members who
    consented to printing; anyone else gets nothing.
    """
    ids = {o.id for o in owners}
    if any(o.cohort_id != exercise.row.cohort_id for o in owners):
        return {}
    if isinstance(requester, Participant):
        if requester.id not in ids or not is_current_pair(session, owners=owners):
            return {}
        printed = ids
    else:
        printed = {o.id for o in owners if o.print_answers}
    shared = _shared_prompts(exercise)
    rows = [
        r
        for r in _stored(session, owner_ids=[i for i in ids if i is not None], exercise=exercise)
        if r.answered and r.prompt_id in shared
    ]
    answered_by: dict[str, set[int]] = {}
    for r in rows:
        answered_by.setdefault(r.prompt_id, set()).add(r.participant_id)
    complete = {prompt for prompt, who in answered_by.items() if who == ids}
    result: dict[int, dict[str, ReadableAnswer]] = {}
    for r in rows:
        if r.prompt_id in complete and r.participant_id in printed:
            result.setdefault(r.participant_id, {})[r.prompt_id] = _readable(r)
    return result


# ---- development plans and the partnership after the program --------------------------------
# The same rules for plans: the owner reads all of it; a current buddy reads the parts the owner
# chose to share (nothing until they choose) and the comments on those parts; a
# former buddy, anyone else, facilitators and admins get NotFound. Private check-in notes are
# read by their writer only; agreed next steps by the members of the group that agreed them.

from datetime import date, datetime  # noqa: E402  (appended section)

from app.models.plans import (  # noqa: E402
    PLAN_PARTS,
    AgreedStep,
    CheckInNote,
    Plan,
    PlanComment,
    PlanVersion,
)

PLAN_NOT_FOUND = N_("no such plan")
# Read in the reader's language wherever they are shown (a page, a consent sentence).
PLAN_PART_LABELS = {
    "aspiration": lazy_gettext("My aspiration"),
    "goals": lazy_gettext("My goals"),
    "strengths": lazy_gettext("Strengths I will build on"),
    "obstacles": lazy_gettext("What could get in the way"),
}


@dataclass(frozen=True, slots=True)
class PlanView:
    """The parts of one plan a viewer may read now."""

    owner_id: int
    plan_id: int | None
    access: Access
    version: int
    parts: dict[str, Any]
    shared_parts: list[str]


@dataclass(frozen=True, slots=True)
class PlanCommentView:
    """One comment on a plan, as the viewer may see it."""

    id: int
    part: str
    text: str
    author_id: int
    author_name: str
    resolved: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PlanVersionView:
    """One earlier version of a plan, for its owner."""

    version: int
    content: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NoteView:
    """A private check-in note, for its writer."""

    checkin_date: date
    text: str


@dataclass(frozen=True, slots=True)
class StepView:
    """A next step the group agreed, with who wrote it down."""

    id: int
    text: str
    created_by: str
    created_at: datetime
    done: bool = False


def _plan_row(session: Session, owner: Participant) -> Plan | None:
    return session.exec(select(Plan).where(Plan.participant_id == owner.id)).first()


def read_plan(session: Session, *, viewer: Viewer, owner: Participant) -> PlanView:
    """The parts of ``owner``'s plan ``viewer`` may read (NotFound when none at all)."""
    try:
        access = access_to(session, viewer=viewer, owner=owner)
    except NotFound:
        raise NotFound(_(PLAN_NOT_FOUND)) from None
    assert owner.id is not None
    plan = _plan_row(session, owner)
    content: dict[str, Any] = (
        dict(plan.content)
        if plan is not None and plan.content
        else {"aspiration": "", "goals": [], "strengths": "", "obstacles": ""}
    )
    shared = list(plan.shared_parts) if plan is not None else []
    parts = content if access == "own" else {k: v for k, v in content.items() if k in shared}
    return PlanView(
        owner.id, plan.id if plan else None, access, plan.version if plan else 0, parts, shared
    )


def plan_audiences(view: PlanView, *, buddy_count: int) -> dict[str, str]:
    """Who can read each part of a plan, in the words shown above the field before typing."""
    return {
        part: audience_label(
            "buddy" if part in view.shared_parts else "private", buddy_count=buddy_count
        )
        for part in PLAN_PARTS
    }


def read_plan_comments(
    session: Session, *, viewer: Viewer, owner: Participant
) -> list[PlanCommentView]:
    """Comments on ``owner``'s plan: all of them for the owner, those on shared parts for a
    current buddy (NotFound for anyone else)."""
    view = read_plan(session, viewer=viewer, owner=owner)
    if view.plan_id is None:
        return []
    rows = session.exec(
        select(PlanComment, Participant.name)
        .join(Participant, col(Participant.id) == col(PlanComment.author_id))
        .where(PlanComment.plan_id == view.plan_id)
        .order_by(col(PlanComment.created_at), col(PlanComment.id))
    ).all()
    return [
        PlanCommentView(c.id or 0, c.part, c.text, c.author_id, name, c.resolved, c.created_at)
        for c, name in rows
        if view.access == "own" or c.part in view.parts
    ]


def read_plan_versions(
    session: Session, *, viewer: Viewer, owner: Participant
) -> list[PlanVersionView]:
    """Earlier versions of a plan, newest first: for its owner only (NotFound otherwise)."""
    if read_plan(session, viewer=viewer, owner=owner).access != "own":
        raise NotFound(_(PLAN_NOT_FOUND))
    plan = _plan_row(session, owner)
    if plan is None:
        return []
    rows = session.exec(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id)
        .order_by(col(PlanVersion.version).desc())
    ).all()
    return [PlanVersionView(r.version, r.content, r.created_at, r.updated_at) for r in rows]


def printable_plan(
    session: Session,
    *,
    owner: Participant,
    edition: str,
    requester: Viewer,
    pair: Sequence[Participant] = (),
) -> dict[str, Any] | None:
    """The parts of ``owner``'s plan a printed ``edition`` made for ``requester`` may carry.

    The owner's own (participant) edition carries the whole plan; the pair edition of ``pair``
    carries the parts the owner shares with the buddy, for a member of that current pair; a
    facilitator's export carries those shared parts only when the owner consented to printing.
    """
    if edition == "blank":
        return None
    plan = _plan_row(session, owner)
    if plan is None:
        return None
    content = dict(plan.content or {})
    shared = {k: v for k, v in content.items() if k in plan.shared_parts}
    if isinstance(requester, Participant):
        if edition != "pair":
            return content if requester.id == owner.id else None
        members = {p.id for p in pair}
        if (
            requester.id in members
            and owner.id in members
            and is_current_pair(session, owners=pair)
        ):
            return shared
        return None
    return shared if owner.print_answers else None


def read_checkin_notes(session: Session, *, viewer: Viewer, owner: Participant) -> list[NoteView]:
    """A participant's private check-in notes: for themselves only (NotFound otherwise)."""
    if not isinstance(viewer, Participant) or viewer.id != owner.id:
        raise NotFound(_("no such note"))
    rows = session.exec(
        select(CheckInNote)
        .where(CheckInNote.participant_id == owner.id)
        .order_by(col(CheckInNote.checkin_date))
    ).all()
    return [NoteView(r.checkin_date, r.text) for r in rows]


def read_agreed_steps(session: Session, *, viewer: Viewer, group: BuddyGroup) -> list[StepView]:
    """The next steps a group agreed: for its members only, even after it ended."""
    if (
        not isinstance(viewer, Participant)
        or session.get(BuddyMember, (group.id, viewer.id)) is None
    ):
        raise NotFound(_("no such partnership"))
    rows = session.exec(
        select(AgreedStep, Participant.name)
        .outerjoin(Participant, col(Participant.id) == col(AgreedStep.created_by))
        .where(AgreedStep.group_id == group.id)
        .order_by(col(AgreedStep.created_at), col(AgreedStep.id))
    ).all()
    return [
        StepView(s.id or 0, s.text, name or "", s.created_at, s.done_at is not None)
        for s, name in rows
    ]


# ---- the intake before day one --------------------------------------------------------------
# Everything a participant says in their intake is theirs: they read it back, nobody else does.
# The matching reads the tag choices and languages, never the free text, and each private avoid
# request only as a pair of people kept apart, so no page, export or message can tell who
# asked. A facilitator learns how many pairs are unavailable by request, and for one pair only
# that it is.

from app.models.intake import IntakeAnswer, IntakeAvoid  # noqa: E402

INTAKE_NOT_FOUND = N_("no such intake")


@dataclass(frozen=True, slots=True)
class IntakeView:
    """A participant's own intake, for themselves."""

    offers: list[str]
    wants: list[str]
    languages: list[str]
    notes: dict[str, str]
    avoid_ids: list[int]
    submitted_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class MatchingIntake:
    """What the matching may use of a cohort's intake: tag choices and languages by
    participant id, and the pairs kept apart by request (no direction, no free text)."""

    offers: dict[int, frozenset[str]]
    wants: dict[int, frozenset[str]]
    languages: dict[int, frozenset[str]]
    apart: frozenset[frozenset[int]]


def read_intake(session: Session, *, viewer: Viewer, owner: Participant) -> IntakeView:
    """``owner``'s intake for ``owner`` alone (NotFound for anyone else, facilitators too)."""
    if not isinstance(viewer, Participant) or viewer.id != owner.id or owner.id is None:
        raise NotFound(_(INTAKE_NOT_FOUND))
    row = session.get(IntakeAnswer, owner.id)
    avoid = session.exec(
        select(IntakeAvoid.avoided_id).where(IntakeAvoid.participant_id == owner.id)
    ).all()
    if row is None:
        return IntakeView([], [], [], {}, sorted(avoid), None, None)
    return IntakeView(
        list(row.offers),
        list(row.wants),
        list(row.languages),
        dict(row.notes or {}),
        sorted(avoid),
        row.submitted_at,
        row.updated_at,
    )


def _cohort_avoids(session: Session, cohort_id: int) -> list[tuple[int, int]]:
    rows = session.exec(
        select(IntakeAvoid.participant_id, IntakeAvoid.avoided_id)
        .join(Participant, col(Participant.id) == col(IntakeAvoid.participant_id))
        .where(Participant.cohort_id == cohort_id)
    ).all()
    return [(a, b) for a, b in rows]


def intake_for_matching(session: Session, *, cohort_id: int) -> MatchingIntake:
    """The cohort's intake as the matching may see it (see ``MatchingIntake``)."""
    rows = session.exec(select(IntakeAnswer).where(IntakeAnswer.cohort_id == cohort_id)).all()
    apart = frozenset(frozenset(pair) for pair in _cohort_avoids(session, cohort_id))
    return MatchingIntake(
        offers={r.participant_id: frozenset(r.offers) for r in rows},
        wants={r.participant_id: frozenset(r.wants) for r in rows},
        languages={r.participant_id: frozenset(r.languages) for r in rows},
        apart=apart,
    )


def pairs_apart_by_request(session: Session, *, cohort_id: int) -> int:
    """How many pairs of the cohort are unavailable by request: a count, never who asked."""
    return len({frozenset(pair) for pair in _cohort_avoids(session, cohort_id)})
