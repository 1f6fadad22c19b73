"""Autosave of answers: validated by prompt type, versioned, idempotent, never silently lost.

Every save names the version it was based on and carries an idempotency key. A retry with a
key already seen returns the stored result (the first response may have been lost on hotel
Wi-Fi); a save based on an older version than the stored one is refused with the server copy,
so the tablet can offer a merge instead of overwriting what another device wrote.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from app.core.i18n import _, format_number
from app.models import CohortExercise, Participant, utcnow
from app.models.tablet import Answer, PairAgreement, SaveReceipt
from app.services.library import AGREEMENT_ID, BoundExercise, PromptSpec
from app.services.privacy import current_group_of, members_of

TEXT_LIMITS = {"long_text": 20_000, "plan_goal": 20_000, "short_text": 2_000}
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What the server holds after a save: the value and its version."""

    exercise_id: str
    prompt_id: str
    value: Any
    version: int
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form sent to the tablet and kept in the receipt."""
        return asdict(self)


class StaleAnswer(Conflict):
    """The save was based on an older version; ``server`` is the copy now stored."""

    def __init__(self, server: SaveResult) -> None:
        super().__init__(_("This answer was changed on another device: choose what to keep."))
        self.server = server


@dataclass(frozen=True, slots=True)
class AgreementState:
    """The group's acceptance of the buddy agreement: who has accepted, out of how many."""

    group_id: int | None
    accepted: int
    members: int
    accepted_by_me: bool

    @property
    def complete(self) -> bool:
        """True when every member of a published group has accepted."""
        return self.group_id is not None and self.accepted == self.members


def is_answered(value: Any) -> bool:
    """True when a value says something (not empty text, no empty selection)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def prompt_of(exercise: BoundExercise, prompt_id: str) -> PromptSpec:
    """The prompt with this id in the exercise (NotFound otherwise)."""
    for prompt in exercise.spec.prompts:
        if prompt.id == prompt_id:
            return prompt
    raise NotFound(_("no such question in this exercise"))


def clean_value(prompt: PromptSpec, value: Any) -> Any:
    """The value in stored form, checked against the prompt's type (InvalidInput if wrong)."""
    where = f"question '{prompt.id}'"

    def bad(message: str) -> InvalidInput:
        return InvalidInput(_("the answer cannot be saved"), [Problem(where, message, "value")])

    if prompt.type in TEXT_LIMITS:
        limit = TEXT_LIMITS[prompt.type]
        if value is None:
            return ""
        if not isinstance(value, str):
            raise bad(_("The answer must be text."))
        if len(value) > limit:
            raise bad(
                _(
                    "The answer is %(length)s characters long; the limit is %(limit)s.",
                    length=format_number(len(value)),
                    limit=format_number(limit),
                )
            )
        return value
    if value is None:
        return None
    options = prompt.options or []
    if prompt.type == "scale":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise bad(_("The answer must be a whole number from 1 to 5."))
        return value
    if prompt.type == "single_choice":
        if value not in options:
            raise bad(_("The answer must be one of the offered choices."))
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(_("The answer must be a list of the offered choices."))
    if any(v not in options for v in value):
        raise bad(_("The answer holds a choice that is not offered."))
    return [o for o in options if o in value]


def agreement_state(session: Session, *, participant: Participant) -> AgreementState:
    """How far the participant's current buddy group has accepted the buddy agreement."""
    group = current_group_of(session, participant=participant)
    if group is None:
        return AgreementState(None, 0, 0, False)
    members = {p.id for p in members_of(session, group=group)}
    accepted = (
        set(
            session.exec(
                select(PairAgreement.participant_id).where(PairAgreement.group_id == group.id)
            ).all()
        )
        & members
    )
    return AgreementState(group.id, len(accepted), len(members), participant.id in accepted)


def accept_agreement(session: Session, *, participant: Participant) -> AgreementState:
    """Record that the participant accepts the buddy agreement of their current group."""
    group = current_group_of(session, participant=participant)
    if group is None or group.id is None or participant.id is None:
        raise Conflict(_("you can accept the agreement once your buddy has been announced"))
    if session.get(PairAgreement, (group.id, participant.id)) is None:
        session.add(PairAgreement(group_id=group.id, participant_id=participant.id))
        session.flush()
    return agreement_state(session, participant=participant)


def is_gated(session: Session, *, exercise: BoundExercise) -> bool:
    """True for pair work placed after the agreement in the arc: it waits for acceptance.
    Meeting the buddy comes before the agreement, so that pair exercise is never gated."""
    if exercise.spec.kind != "pair" or exercise.spec.id == AGREEMENT_ID:
        return False
    agreement = session.exec(
        select(CohortExercise).where(
            CohortExercise.cohort_id == exercise.row.cohort_id,
            CohortExercise.exercise_id == AGREEMENT_ID,
            col(CohortExercise.selected).is_(True),
        )
    ).first()
    return agreement is not None and exercise.row.position > agreement.position


def pair_work_open(session: Session, *, participant: Participant, exercise: BoundExercise) -> bool:
    """Gated pair work opens once every member of the buddy group accepted the agreement."""
    if not is_gated(session, exercise=exercise):
        return True
    return agreement_state(session, participant=participant).complete


def _result(exercise: BoundExercise, row: Answer) -> SaveResult:
    return SaveResult(
        exercise.spec.id, row.prompt_id, row.value, row.version, row.updated_at.isoformat()
    )


def _receipt(session: Session, participant: Participant, key: str) -> SaveReceipt | None:
    return session.exec(
        select(SaveReceipt).where(
            SaveReceipt.participant_id == participant.id, SaveReceipt.idempotency_key == key
        )
    ).first()


def _replay(receipt: SaveReceipt, exercise: BoundExercise, prompt_id: str) -> SaveResult:
    result = SaveResult(**receipt.result)
    if (result.exercise_id, result.prompt_id) != (exercise.spec.id, prompt_id):
        raise Conflict(_("this save key was already used for another question"))
    return result


def save_answer(
    session: Session,
    *,
    participant: Participant,
    exercise: BoundExercise,
    prompt_id: str,
    value: Any,
    base_version: int,
    idempotency_key: str,
) -> SaveResult:
    """Store an answer if ``base_version`` is current; a known key returns the stored result,
    a stale version raises StaleAnswer with the server copy."""
    if not KEY_PATTERN.match(idempotency_key):
        raise InvalidInput(
            _("the answer cannot be saved"),
            [
                Problem(
                    "idempotency_key",
                    _("The save key must be 8 to 100 letters, digits or -_.:"),
                    "idempotency_key",
                )
            ],
        )
    if exercise.row.cohort_id != participant.cohort_id:
        raise NotFound(_("no such exercise in your program"))
    receipt = _receipt(session, participant, idempotency_key)
    if receipt is not None:
        return _replay(receipt, exercise, prompt_id)
    prompt = prompt_of(exercise, prompt_id)
    cleaned = clean_value(prompt, value)
    if not pair_work_open(session, participant=participant, exercise=exercise):
        raise Forbidden(_("pair work opens once you and your buddy have accepted the agreement"))
    assert participant.id is not None
    assert exercise.row.id is not None
    row = session.exec(
        select(Answer).where(
            Answer.participant_id == participant.id,
            Answer.cohort_exercise_id == exercise.row.id,
            Answer.prompt_id == prompt_id,
        )
    ).first()
    current = row.version if row is not None else 0
    if base_version != current:
        if row is not None and row.value == cleaned:
            # Two devices typed the same thing: nothing to merge.
            return _result(exercise, row)
        if row is None:
            row = Answer(
                participant_id=participant.id,
                cohort_exercise_id=exercise.row.id,
                prompt_id=prompt_id,
                value=None,
                version=0,
            )
        raise StaleAnswer(_result(exercise, row))
    now = utcnow()
    try:
        with session.begin_nested():
            if row is None:
                row = Answer(
                    participant_id=participant.id,
                    cohort_exercise_id=exercise.row.id,
                    prompt_id=prompt_id,
                    value=cleaned,
                    answered=is_answered(cleaned),
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
            else:
                # A conditional update: on PostgreSQL two writers may have read the same
                # version, and only one of them may win.
                changed = session.execute(
                    update(Answer)
                    .where(col(Answer.id) == row.id, col(Answer.version) == current)
                    .values(
                        value=cleaned,
                        answered=is_answered(cleaned),
                        version=current + 1,
                        updated_at=now,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if changed != 1:
                    raise _Raced
                session.refresh(row)
            result = _result(exercise, row)
            assert row.id is not None
            session.add(
                SaveReceipt(
                    participant_id=participant.id,
                    idempotency_key=idempotency_key,
                    answer_id=row.id,
                    version=row.version,
                    result=result.to_dict(),
                )
            )
            session.flush()
    except (IntegrityError, _Raced):
        # Another request won the race: same key means a retry, else the version moved on.
        receipt = _receipt(session, participant, idempotency_key)
        if receipt is not None:
            return _replay(receipt, exercise, prompt_id)
        fresh = session.exec(
            select(Answer)
            .where(
                Answer.participant_id == participant.id,
                Answer.cohort_exercise_id == exercise.row.id,
                Answer.prompt_id == prompt_id,
            )
            .execution_options(populate_existing=True)
        ).first()
        assert fresh is not None
        raise StaleAnswer(_result(exercise, fresh)) from None
    return result


class _Raced(Exception):
    pass
