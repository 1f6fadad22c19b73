"""The intake questions: ``intake/*.yaml`` read safely and checked like the exercise library.

A file with any problem is refused whole, with every problem at its file:line:column; the
questions are data, so an organisation can word them its own way and translate them in the
file's ``translations:`` (the last field, as in an exercise).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from app.core.config import ROOT
from app.core.errors import InvalidInput, Problem
from app.services.library import (
    SOURCE_LANGUAGE,
    TRANSLATED_LANGUAGES,
    KeyPath,
    Mark,
    MarkedDocument,
    YamlRejected,
    display_path,
    explain_error,
    language_code,
    read_yaml_file,
    render_path,
)

SHIPPED_INTAKE = ROOT / "intake"
DEFAULT_FORM = SHIPPED_INTAKE / "default.yaml"

QUESTION_TYPES: tuple[str, ...] = ("offers", "wants", "languages", "avoid", "text")
CHOICE_TYPES = frozenset({"offers", "wants", "languages", "avoid"})
ONCE_TYPES = CHOICE_TYPES
"""Each of these feeds one thing in the matching, so a form asks it at most once."""
MAX_NOTE_CHARS = 2000

QuestionType = Literal["offers", "wants", "languages", "avoid", "text"]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Paragraph = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=120)]
RuleBreak = tuple[KeyPath, str]

_SLUG = "a slug: lowercase letters, digits and single hyphens, like 'can-offer'"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


class QuestionSpec(_Spec):
    """One intake question; choice questions may add a free-text box (``note``)."""

    id: Slug = Field(description=_SLUG)
    type: QuestionType = Field(description="one of: " + ", ".join(QUESTION_TYPES))
    text: Paragraph = Field(description="text of 1 to 1000 characters")
    help: Short | None = Field(None, description="text of 1 to 300 characters")
    note: Short | None = Field(None, description="text of 1 to 300 characters")
    max_choices: int | None = Field(
        None, ge=1, le=20, description="a whole number between 1 and 20"
    )

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Self:
        _raise_unless_deferred(question_rule_breaks(self), info)
        return self


class QuestionTranslation(_Spec):
    """One question in another language; each field only if the source has it."""

    text: Paragraph | None = Field(None, description="text of 1 to 1000 characters")
    help: Short | None = Field(None, description="text of 1 to 300 characters")
    note: Short | None = Field(None, description="text of 1 to 300 characters")


class FormTranslation(_Spec):
    """The form in one other language."""

    title: Title | None = Field(None, description="text of 1 to 120 characters")
    intro: Paragraph | None = Field(None, description="text of 1 to 1000 characters")
    questions: dict[str, QuestionTranslation] = Field(
        {},
        description="a mapping of question ids to their translated text, help and note",
        json_schema_extra={"each": "a question translation: a mapping with text, help or note"},
    )


class IntakeForm(_Spec):
    """The intake a participant fills in before day one, as its YAML file describes it."""

    id: Slug = Field(description=_SLUG)
    version: int = Field(ge=1, le=100_000, description="a whole number of at least 1")
    title: Title = Field(description="text of 1 to 120 characters")
    intro: Paragraph = Field(description="text of 1 to 1000 characters")
    questions: list[QuestionSpec] = Field(
        min_length=1,
        max_length=12,
        description="a list of 1 to 12 questions",
        json_schema_extra={"each": "a question: a mapping with at least id, type and text"},
    )
    translations: dict[str, FormTranslation] = Field(
        {},
        description="a mapping of language codes (" + ", ".join(TRANSLATED_LANGUAGES) + ") to"
        " translations",
        json_schema_extra={"each": "a translation: a mapping with title, intro and questions"},
    )

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Self:
        _raise_unless_deferred(form_rule_breaks(self), info)
        return self

    def question(self, kind: str) -> QuestionSpec | None:
        """The form's question of this type (choice types appear at most once)."""
        return next((q for q in self.questions if q.type == kind), None)


def _raise_unless_deferred(breaks: list[RuleBreak], info: ValidationInfo) -> None:
    # The file loader defers these rules so it can place each one at its own line and column.
    if breaks and not (isinstance(info.context, dict) and info.context.get("defer_rules")):
        raise ValueError("; ".join(f"{render_path(path)}: {text}" for path, text in breaks))


def question_rule_breaks(question: QuestionSpec) -> list[RuleBreak]:
    """Return the question's rule breaks as (path inside the question, message)."""
    breaks: list[RuleBreak] = []
    if question.type not in CHOICE_TYPES:
        for name in ("max_choices", "note"):
            if getattr(question, name) is not None:
                breaks.append(((name,), f"only choice questions take {name}, not text"))
    return breaks


def form_rule_breaks(form: IntakeForm) -> list[RuleBreak]:
    """Return the rules the form breaks, as (path, message)."""
    breaks: list[RuleBreak] = []
    first_id: dict[str, int] = {}
    first_type: dict[str, int] = {}
    for index, question in enumerate(form.questions):
        at: KeyPath = ("questions", index)
        breaks += [((*at, *path), text) for path, text in question_rule_breaks(question)]
        if question.id in first_id:
            where = render_path(("questions", first_id[question.id]))
            breaks.append(((*at, "id"), f"question id '{question.id}' is already used by {where}"))
        first_id.setdefault(question.id, index)
        if question.type in ONCE_TYPES:
            if question.type in first_type:
                where = render_path(("questions", first_type[question.type]))
                text = f"a form asks one {question.type} question; {where} already does"
                breaks.append(((*at, "type"), text))
            first_type.setdefault(question.type, index)
    questions = {q.id: q for q in form.questions}
    for language, translation in form.translations.items():
        at = ("translations", language)
        if language not in TRANSLATED_LANGUAGES:
            wanted = ", ".join(TRANSLATED_LANGUAGES)
            base = language.replace("_", "-").split("-")[0].lower()
            close = [base] if base in TRANSLATED_LANGUAGES else []
            close = close or difflib.get_close_matches(language.lower(), TRANSLATED_LANGUAGES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            text = f"unknown language '{language}': translations are for {wanted}{hint}"
            if language == SOURCE_LANGUAGE:
                text = (
                    f"'{language}' is the language the form is written in; translate into {wanted}"
                )
            breaks.append((at, text))
        for question_id, given in translation.questions.items():
            spot: KeyPath = (*at, "questions", question_id)
            source = questions.get(question_id)
            if source is None:
                close = difflib.get_close_matches(question_id, list(questions), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                breaks.append((spot, f"no question '{question_id}' in this form{hint}"))
                continue
            for name in ("help", "note"):
                if getattr(given, name) is not None and getattr(source, name) is None:
                    text = f"question '{question_id}' has no {name} to translate"
                    breaks.append(((*spot, name), text))
    return breaks


@dataclass(frozen=True, slots=True)
class _Found:
    mark: Mark
    problem: Problem


def _at(shown: str, mark: Mark, message: str, path: KeyPath = ()) -> _Found:
    where = f"{shown}:{mark.line}:{mark.column}"
    return _Found(mark, Problem(where, message, render_path(path) or None))


def _problems_in(doc: MarkedDocument, shown: str) -> tuple[IntakeForm | None, list[_Found]]:
    found = [_at(shown, f.mark, f.message, f.path) for f in doc.findings]
    if not isinstance(doc.data, dict):
        message = "an intake file must be a mapping of fields (id: ..., questions: ...)"
        return None, [*found, _at(shown, doc.locate(()), message)]
    names = list(doc.data)
    if "translations" in names and names[-1] != "translations":
        text = (
            "field 'translations': must be the last field of the file"
            f" ('{names[-1]}' comes after it)"
        )
        path: KeyPath = ("translations",)
        found.append(_at(shown, doc.locate(path, key=True), text, path))
    try:
        form = IntakeForm.model_validate(doc.data, context={"defer_rules": True})
    except ValidationError as exc:
        for error in exc.errors():
            where, on_key, message = explain_error(IntakeForm, error)
            found.append(_at(shown, doc.locate(where, key=on_key), message, tuple(error["loc"])))
        return None, found
    for where, text in form_rule_breaks(form):
        mark = doc.locate(where, key=bool(where) and where[0] == "translations")
        found.append(_at(shown, mark, f"field '{render_path(where)}': {text}", where))
    return form, found


def load_intake_form(path: Path) -> IntakeForm:
    """Load one intake file; raise InvalidInput listing every problem, each at file:line."""
    shown = display_path(path)
    try:
        doc = read_yaml_file(path)
    except YamlRejected as exc:
        found = [_at(shown, exc.mark, exc.message)]
        form = None
    else:
        form, found = _problems_in(doc, shown)
    if found:
        found.sort(key=lambda item: item.mark)
        count = len(found)
        noun = "problem" if count == 1 else "problems"
        raise InvalidInput(f"intake questions have {count} {noun}", [f.problem for f in found])
    assert form is not None
    return form


@lru_cache(maxsize=8)
def _cached_form(path: Path, stamp: float) -> IntakeForm:
    return load_intake_form(path)


def current_form(path: Path = DEFAULT_FORM) -> IntakeForm:
    """The intake form in ``path``, re-read only when the file changed (raises InvalidInput)."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        stamp = 0.0
    return _cached_form(path, stamp)


@dataclass(frozen=True, slots=True)
class ShownQuestion:
    """A question as one reader sees it, in their language."""

    id: str
    type: str
    text: str
    help: str | None
    note: str | None
    max_choices: int | None


@dataclass(frozen=True, slots=True)
class ShownForm:
    """The form as one reader sees it, in their language (source text where untranslated)."""

    title: str
    intro: str
    questions: tuple[ShownQuestion, ...]


def localized_form(form: IntakeForm, language: str | None) -> ShownForm:
    """The form in ``language``: each translated field replaces its source field."""
    translation = form.translations.get(language_code(language)) or FormTranslation()
    shown = []
    for q in form.questions:
        given = translation.questions.get(q.id) or QuestionTranslation()
        shown.append(
            ShownQuestion(
                id=q.id,
                type=q.type,
                text=given.text or q.text,
                help=(given.help or q.help) if q.help is not None else None,
                note=(given.note or q.note) if q.note is not None else None,
                max_choices=q.max_choices,
            )
        )
    return ShownForm(translation.title or form.title, translation.intro or form.intro, tuple(shown))
