"""Progress without content: who has started or finished which exercise, and pair agreements.

Statuses are computed from the ``answered`` flag stored beside each answer, so this module
never loads a single answer value: the facilitator's board cannot leak what was written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, func, select

from app.core.i18n import N_, current_language
from app.models import BuddyGroup, BuddyMember, Cohort, Participant
from app.models.tablet import Answer, PairAgreement
from app.services.library import BoundExercise, program_of

Status = Literal["not_started", "in_progress", "done"]
STATUS_LABELS: dict[str, str] = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
}
"""Source text: translate where shown (``_(STATUS_LABELS[status])``)."""
AgreementLabel = Literal["no_buddy", "not_accepted", "waiting", "accepted"]
AGREEMENT_LABELS: dict[str, str] = {
    "no_buddy": N_("No buddy yet"),
    "not_accepted": N_("Not accepted"),
    "waiting": N_("Waiting for buddy"),
    "accepted": N_("Accepted by all"),
}
"""Source text: translate where shown (``_(AGREEMENT_LABELS[label])``)."""


@dataclass(frozen=True, slots=True)
class Column:
    exercise_id: str
    title: str
    kind: str
    prompts: int


@dataclass(frozen=True, slots=True)
class ProgressRow:
    participant_id: int
    name: str
    statuses: list[Status | None]
    """One per column; None for an exercise without written questions."""
    agreement: AgreementLabel


@dataclass(frozen=True, slots=True)
class ProgressBoard:
    columns: list[Column]
    rows: list[ProgressRow]
    done: list[int]
    """How many participants finished each column."""


def exercise_status(prompts: int, answered: int) -> Status | None:
    """Not started, in progress or done, from how many of the questions have an answer."""
    if prompts == 0:
        return None
    if answered == 0:
        return "not_started"
    return "done" if answered >= prompts else "in_progress"


def answered_counts(
    session: Session, *, participant_ids: Sequence[int], program: Sequence[BoundExercise]
) -> Counter[tuple[int, int]]:
    """(participant id, cohort exercise id) -> how many questions have a non-empty answer."""
    ids = [b.row.id for b in program]
    rows = session.exec(
        select(Answer.participant_id, Answer.cohort_exercise_id, func.count())
        .where(
            col(Answer.participant_id).in_(participant_ids),
            col(Answer.cohort_exercise_id).in_(ids),
            col(Answer.answered).is_(True),
        )
        .group_by(col(Answer.participant_id), col(Answer.cohort_exercise_id))
    ).all()
    return Counter({(p, e): n for p, e, n in rows})


def _agreement_labels(session: Session, cohort: Cohort) -> dict[int, AgreementLabel]:
    members: dict[int, list[int]] = {}
    for group_id, participant_id in session.exec(
        select(BuddyMember.group_id, BuddyMember.participant_id)
        .join(BuddyGroup, col(BuddyGroup.id) == col(BuddyMember.group_id))
        .where(BuddyGroup.cohort_id == cohort.id, BuddyGroup.state == "published")
    ).all():
        members.setdefault(group_id, []).append(participant_id)
    accepted = set(
        session.exec(
            select(PairAgreement.group_id, PairAgreement.participant_id).where(
                col(PairAgreement.group_id).in_(list(members))
            )
        ).all()
    )
    labels: dict[int, AgreementLabel] = {}
    for group_id, people in members.items():
        count = sum((group_id, p) in accepted for p in people)
        for p in people:
            if count == len(people):
                labels[p] = "accepted"
            else:
                labels[p] = "waiting" if (group_id, p) in accepted else "not_accepted"
    return labels


def progress_board(session: Session, *, cohort: Cohort) -> ProgressBoard:
    """Participants x exercises -> status, and each pair's agreement; counts, never content."""
    program = [b for b in program_of(session, cohort=cohort) if b.spec.prompts]
    people = list(
        session.exec(
            select(Participant)
            .where(Participant.cohort_id == cohort.id)
            .order_by(col(Participant.name), col(Participant.id))
        ).all()
    )
    ids = [p.id for p in people if p.id is not None]
    counts = answered_counts(session, participant_ids=ids, program=program)
    labels = _agreement_labels(session, cohort)
    language = current_language()
    columns = [
        Column(b.spec.id, b.shown_in(language).title, b.spec.kind, len(b.spec.prompts))
        for b in program
    ]
    rows = []
    for person in people:
        assert person.id is not None
        statuses = [
            exercise_status(len(b.spec.prompts), counts[(person.id, b.row.id or 0)])
            for b in program
        ]
        rows.append(
            ProgressRow(person.id, person.name, statuses, labels.get(person.id, "no_buddy"))
        )
    done = [sum(r.statuses[i] == "done" for r in rows) for i in range(len(columns))]
    return ProgressBoard(columns, rows, done)
