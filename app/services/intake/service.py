"""A participant's intake (fill in, change until the pairs are published) and the facilitator's
status of it: who has answered and when, never what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.i18n import current_language, ngettext
from app.core.i18n import gettext as _
from app.models import Cohort, Participant, utcnow
from app.models.intake import IntakeAnswer, IntakeAvoid
from app.services.intake.questions import (
    MAX_NOTE_CHARS,
    IntakeForm,
    ShownForm,
    current_form,
    localized_form,
)
from app.services.matching import pairing_state
from app.services.ops import record_event
from app.services.privacy import IntakeView, read_intake
from app.services.roster import list_participants


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What a cohort's intake offers to choose from: the roster's background tags and
    working languages, each spelled as the roster first spells it."""

    tags: list[str]
    languages: list[str]


@dataclass(frozen=True, slots=True)
class Colleague:
    """Someone in the cohort a participant may name in the "rather not" picker."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class IntakePage:
    """Everything the participant's intake page shows."""

    form: ShownForm
    vocabulary: Vocabulary
    colleagues: list[Colleague]
    answers: IntakeView
    editable: bool


@dataclass(frozen=True, slots=True)
class IntakeChoices:
    """What a participant submits: chosen tags, languages, people (ids) and free text."""

    offers: Sequence[str] = ()
    wants: Sequence[str] = ()
    languages: Sequence[str] = ()
    avoid: Sequence[int] = ()
    notes: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One participant on the facilitator's intake page: answered or not, and when."""

    participant_id: int
    name: str
    submitted_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class IntakeStatus:
    """Who has answered the cohort's intake; ``open`` until the pairs are published."""

    rows: list[StatusRow]
    open: bool

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.submitted_at is not None)

    @property
    def waiting(self) -> list[StatusRow]:
        return [r for r in self.rows if r.submitted_at is None]


def _distinct(values: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        text = value.strip()
        if text:
            seen.setdefault(text.casefold(), text)
    return sorted(seen.values(), key=str.casefold)


def cohort_vocabulary(session: Session, *, cohort: Cohort) -> Vocabulary:
    """The choices of the cohort's intake, from its roster."""
    people = list_participants(session, cohort=cohort)
    return Vocabulary(
        tags=_distinct([t for p in people for t in p.tags]),
        languages=_distinct([lang for p in people for lang in p.languages]),
    )


def intake_open(session: Session, *, cohort: Cohort) -> bool:
    """Participants may change their intake until the cohort's pairs are published."""
    return pairing_state(session, cohort=cohort) != "published"


def intake_page(
    session: Session,
    *,
    participant: Participant,
    language: str | None,
    form: IntakeForm | None = None,
) -> IntakePage:
    """The participant's own intake page in ``language``."""
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    form = form or current_form()
    colleagues = [
        Colleague(p.id, p.name)
        for p in list_participants(session, cohort=cohort)
        if p.id is not None and p.id != participant.id
    ]
    return IntakePage(
        form=localized_form(form, language),
        vocabulary=cohort_vocabulary(session, cohort=cohort),
        colleagues=colleagues,
        answers=read_intake(session, viewer=participant, owner=participant),
        editable=intake_open(session, cohort=cohort),
    )


def _checked(
    chosen: Sequence[str], allowed: Sequence[str], limit: int | None, where: str, field: str
) -> tuple[list[str], list[Problem]]:
    by_fold = {a.casefold(): a for a in allowed}
    picked = _distinct([c for c in chosen if c.strip()])
    problems = [
        Problem(where, _("“%(value)s” is not one of the choices", value=c), field)
        for c in picked
        if c.casefold() not in by_fold
    ]
    if limit is not None and len(picked) > limit:
        message = ngettext("choose at most one", "choose at most %(num)s", limit)
        problems.append(Problem(where, message, field))
    return [by_fold[c.casefold()] for c in picked if c.casefold() in by_fold], problems


def _validate(
    form: IntakeForm,
    choices: IntakeChoices,
    vocabulary: Vocabulary,
    colleagues: set[int],
) -> tuple[dict[str, list[str]], list[int], dict[str, str], list[Problem]]:
    problems: list[Problem] = []
    # Each problem is placed at its question as the reader reads it.
    shown = {q.id: q.text for q in localized_form(form, current_language()).questions}
    lists: dict[str, list[str]] = {"offers": [], "wants": [], "languages": []}
    sources = {
        "offers": (choices.offers, vocabulary.tags),
        "wants": (choices.wants, vocabulary.tags),
        "languages": (choices.languages, vocabulary.languages),
    }
    for kind, (chosen, allowed) in sources.items():
        question = form.question(kind)
        if question is None:
            continue
        where = shown[question.id]
        lists[kind], found = _checked(chosen, allowed, question.max_choices, where, kind)
        problems += found
    avoid: list[int] = []
    question = form.question("avoid")
    if question is not None:
        avoid = sorted(set(choices.avoid))
        if any(i not in colleagues for i in avoid):
            problems.append(Problem(shown[question.id], _("choose people of your cohort"), "avoid"))
        if question.max_choices is not None and len(avoid) > question.max_choices:
            message = ngettext("choose at most one", "choose at most %(num)s", question.max_choices)
            problems.append(Problem(shown[question.id], message, "avoid"))
    notes: dict[str, str] = {}
    takes_text = {q.id: q for q in form.questions if q.type == "text" or q.note is not None}
    for key, text in (choices.notes or {}).items():
        q = takes_text.get(key)
        if q is None or not text.strip():
            continue
        if len(text) > MAX_NOTE_CHARS:
            message = _("at most %(num)s characters", num=MAX_NOTE_CHARS)
            problems.append(Problem(shown[q.id], message, f"note-{key}"))
        notes[key] = text.strip()
    return lists, avoid, notes, problems


def save_intake(
    session: Session,
    *,
    participant: Participant,
    choices: IntakeChoices,
    form: IntakeForm | None = None,
) -> IntakeView:
    """Store the participant's intake (all of it or, with any problem, nothing).

    Conflict once the pairs are published: the intake was for the pairing."""
    assert participant.id is not None
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    if not intake_open(session, cohort=cohort):
        raise Conflict(_("the pairs are published: your intake can no longer be changed"))
    form = form or current_form()
    colleagues = {p.id for p in list_participants(session, cohort=cohort) if p.id != participant.id}
    lists, avoid, notes, problems = _validate(
        form, choices, cohort_vocabulary(session, cohort=cohort), {i for i in colleagues if i}
    )
    if problems:
        raise InvalidInput(_("your intake was not saved"), problems)
    row = session.get(IntakeAnswer, participant.id)
    now = utcnow()
    if row is None:
        row = IntakeAnswer(participant_id=participant.id, cohort_id=participant.cohort_id)
        row.submitted_at = now
    row.offers, row.wants, row.languages = lists["offers"], lists["wants"], lists["languages"]
    row.notes = notes
    row.updated_at = now
    session.add(row)
    session.exec(delete(IntakeAvoid).where(col(IntakeAvoid.participant_id) == participant.id))
    session.add_all(IntakeAvoid(participant_id=participant.id, avoided_id=i) for i in avoid)
    session.flush()
    # Ids and the fact of saving only: what was chosen or written stays out of the trail.
    record_event(
        session,
        actor=f"participant:{participant.id}",
        action="intake.save",
        object_type="participant",
        object_id=participant.id,
        cohort_id=participant.cohort_id,
    )
    return read_intake(session, viewer=participant, owner=participant)


def intake_status(session: Session, *, cohort: Cohort) -> IntakeStatus:
    """Who in the cohort has answered the intake and when (never what)."""
    answered = {
        pid: (submitted, updated)
        for pid, submitted, updated in session.exec(
            select(
                IntakeAnswer.participant_id, IntakeAnswer.submitted_at, IntakeAnswer.updated_at
            ).where(IntakeAnswer.cohort_id == cohort.id)
        ).all()
    }
    rows = []
    for p in list_participants(session, cohort=cohort):
        assert p.id is not None
        submitted, updated = answered.get(p.id, (None, None))
        rows.append(StatusRow(p.id, p.name, submitted, updated))
    return IntakeStatus(rows, intake_open(session, cohort=cohort))
