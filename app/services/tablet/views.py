"""What the tablet pages show: the home (now, next, exercises, buddy) and one exercise.

Answer content reaches these views only through ``visibility``; statuses come from
``progress`` and never load values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, select

from app.core.errors import NotFound
from app.core.i18n import _
from app.models import Cohort, Participant
from app.models.agenda import AgendaItem
from app.services.agenda import NowInfo, day_date, load_zone, participant_now
from app.services.library import (
    AGREEMENT_ID,
    BoundExercise,
    ExerciseSpec,
    bound_exercise,
    program_of,
)
from app.services.matching import reasons_for
from app.services.privacy import (
    BuddyAnswers,
    audience_label,
    buddies_of,
    current_group_of,
    read_answers,
    shared_with,
)
from app.services.tablet.language import language_of
from app.services.tablet.progress import Status, answered_counts, exercise_status
from app.services.tablet.responses import (
    TEXT_LIMITS,
    AgreementState,
    agreement_state,
    pair_work_open,
)


@dataclass(frozen=True, slots=True)
class HomeExercise:
    exercise_id: str
    title: str
    kind: str
    status: Status | None
    open: bool
    day: int | None = None
    start: time | None = None


@dataclass(frozen=True, slots=True)
class HomeDay:
    """One program day's exercises on the home page, in running order."""

    day: int
    date: date
    today: bool
    exercises: list[HomeExercise]


@dataclass(frozen=True, slots=True)
class HomeView:
    now: NowInfo | None
    exercises: list[HomeExercise]
    days: list[HomeDay]
    """The exercises by agenda day (empty before the agenda exists); ``focus`` is the day to
    open first: today during the program, day 1 before it, none after it."""
    focus: int | None
    unscheduled: list[HomeExercise]
    buddy_names: list[str]
    reasons: list[str]
    agreement: AgreementState

    def title_of(self, exercise_id: str | None, fallback: str) -> str:
        """An exercise's title in the reader's language (the agenda keeps the source's)."""
        return next(
            (e.title for e in self.exercises if exercise_id and e.exercise_id == exercise_id),
            fallback,
        )


@dataclass(frozen=True, slots=True)
class PromptView:
    id: str
    text: str
    type: str
    options: list[str]
    """The choices as stored (the source language's): an answer keeps these."""
    help: str | None
    visibility: str
    audience: str
    value: Any
    version: int
    limit: int | None
    choices: list[tuple[str, str]] = field(default_factory=list)
    """(stored option, the option in the reader's language), in order."""

    @property
    def labels(self) -> dict[str, str]:
        """Stored option -> the option in the reader's language (for showing answers)."""
        return dict(self.choices)


@dataclass(frozen=True, slots=True)
class ExerciseView:
    exercise_id: str
    title: str
    summary: str
    kind: str
    steps: list[str]
    prompts: list[PromptView]
    open: bool
    is_agreement: bool
    agreement: AgreementState
    buddy_names: list[str]
    shared: list[BuddyAnswers]
    trio_instructions: str | None = None
    """How a group of three shares the turns, in the reader's language: set only for a pair
    exercise when the reader is one of three, so a pair never reads it."""
    trio_minutes: int | None = None


def trio_version(spec: ExerciseSpec, *, buddy_count: int) -> tuple[str | None, int | None]:
    """The trio instructions and length a reader with ``buddy_count`` buddies follows: the
    exercise's own when they are one of three in a pair exercise, else none."""
    if spec.kind != "pair" or buddy_count < 2 or not spec.trio_instructions:
        return None, None
    return spec.trio_instructions, spec.trio_minutes


def localized_spec(exercise: BoundExercise, language: str) -> ExerciseSpec:
    """The exercise's spec in ``language``, from the cohort's snapshot (the library's
    ``BoundExercise.shown_in``): every tablet page reads exercise content through here. A
    missing translation reads as the source language, field by field; ids, types and the
    stored choice values never change."""
    return exercise.shown_in(language)


def _cohort_of(session: Session, participant: Participant) -> Cohort:
    cohort = session.get(Cohort, participant.cohort_id)
    if cohort is None:
        raise NotFound(_("no such cohort"))
    return cohort


def exercise_for(session: Session, *, participant: Participant, exercise_id: str) -> BoundExercise:
    """One exercise of the participant's own program (NotFound otherwise)."""
    return bound_exercise(session, cohort=_cohort_of(session, participant), exercise_id=exercise_id)


def _agreement_position(program: list[BoundExercise]) -> int | None:
    return next((b.row.position for b in program if b.spec.id == AGREEMENT_ID), None)


def _is_open(exercise: BoundExercise, agreement: AgreementState, position: int | None) -> bool:
    gated = (
        exercise.spec.kind == "pair"
        and exercise.spec.id != AGREEMENT_ID
        and position is not None
        and exercise.row.position > position
    )
    return not gated or agreement.complete


def _by_day(
    cohort: Cohort, exercises: list[HomeExercise], *, now: datetime
) -> tuple[list[HomeDay], int | None]:
    """Group scheduled exercises by program day and pick the day to open first."""
    today = now.astimezone(load_zone(cohort.timezone)).date()
    numbers = sorted({e.day for e in exercises if e.day is not None})
    days = [
        HomeDay(
            d,
            day_date(cohort, d),
            day_date(cohort, d) == today,
            sorted(
                (e for e in exercises if e.day == d),
                key=lambda e: (e.start or time.min, e.exercise_id),
            ),
        )
        for d in numbers
    ]
    focus = next((d.day for d in days if d.today), None)
    if focus is None and days and today < days[0].date:
        focus = days[0].day
    return days, focus


def participant_home(session: Session, *, participant: Participant, now: datetime) -> HomeView:
    """What a tablet's home shows: now and next, the exercises with status, and the buddy."""
    cohort = _cohort_of(session, participant)
    assert participant.id is not None
    language = language_of(participant, cohort)
    program = program_of(session, cohort=cohort)
    counts = answered_counts(session, participant_ids=[participant.id], program=program)
    agreement = agreement_state(session, participant=participant)
    position = _agreement_position(program)
    # The program is already loaded: read the agenda rows alone rather than load it again.
    placed = {
        row.cohort_exercise_id: row
        for row in session.exec(select(AgendaItem).where(AgendaItem.cohort_id == cohort.id))
    }
    exercises = [
        HomeExercise(
            b.spec.id,
            localized_spec(b, language).title,
            b.spec.kind,
            exercise_status(len(b.spec.prompts), counts[(participant.id, b.row.id or 0)]),
            _is_open(b, agreement, position),
            p.day if (p := placed.get(b.row.id or 0)) else None,
            p.start if p else None,
        )
        for b in program
    ]
    days, focus = _by_day(cohort, exercises, now=now)
    group = current_group_of(session, participant=participant)
    return HomeView(
        now=participant_now(session, cohort=cohort, now=now),
        exercises=exercises,
        days=days,
        focus=focus,
        unscheduled=[e for e in exercises if e.day is None] if days else [],
        buddy_names=[b.name for b in buddies_of(session, participant=participant)],
        reasons=reasons_for(group.participant_reasons, participant.email) if group else [],
        agreement=agreement,
    )


def participant_exercise(
    session: Session, *, participant: Participant, exercise_id: str
) -> ExerciseView:
    """One exercise as its participant sees it: questions with audience, own answers, and the
    buddies' shared answers they may read now."""
    cohort = _cohort_of(session, participant)
    exercise = bound_exercise(session, cohort=cohort, exercise_id=exercise_id)
    own = read_answers(session, viewer=participant, owner=participant, exercise=exercise)
    buddies = buddies_of(session, participant=participant)
    agreement = agreement_state(session, participant=participant)
    spec = localized_spec(exercise, language_of(participant, cohort))
    shown = {p.id: p for p in spec.prompts}
    prompts = []
    for p in exercise.spec.prompts:
        # Text in the reader's language; ids, types and stored options from the source.
        local = shown.get(p.id, p)
        options = list(p.options or [])
        prompts.append(
            PromptView(
                p.id,
                local.text,
                p.type,
                options,
                local.help,
                p.visibility,
                audience_label(p.visibility, buddy_count=len(buddies)),
                own[p.id].value if p.id in own else None,
                own[p.id].version if p.id in own else 0,
                TEXT_LIMITS.get(p.type),
                list(local.choices) if options else [],
            )
        )
    return ExerciseView(
        exercise.spec.id,
        spec.title,
        spec.summary,
        exercise.spec.kind,
        list(spec.steps),
        prompts,
        pair_work_open(session, participant=participant, exercise=exercise),
        exercise.spec.id == AGREEMENT_ID,
        agreement,
        [b.name for b in buddies],
        shared_with(session, viewer=participant, exercise=exercise),
        *trio_version(spec, buddy_count=len(buddies)),
    )
