"""The exercise library: load and check ``exercises/*.yaml`` into ExerciseSpec, in arc order."""

from __future__ import annotations

import difflib
import hashlib
import heapq
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import LANGUAGES
from app.services.library.yaml_source import (
    KeyPath,
    Mark,
    MarkedDocument,
    YamlRejected,
    display_path,
    explain_error,
    find_yaml_files,
    read_yaml_file,
    render_path,
)

PHASES: tuple[str, ...] = ("arrive", "explore", "deepen", "commit", "close")
KINDS: tuple[str, ...] = ("pair", "solo", "plenary", "plan")
PROMPT_TYPES: tuple[str, ...] = (
    "long_text", "short_text", "scale", "single_choice", "checklist", "plan_goal",
)  # fmt: skip
AGREEMENT_ID = "buddy-agreement"
"""The pair agreement (cone of silence, most respectful interpretation) that gates pair work."""

DEFAULT_LINES = {
    "long_text": 8, "short_text": 2, "scale": 0, "single_choice": 0, "checklist": 0, "plan_goal": 6,
}  # fmt: skip
CHOICE_TYPES = frozenset({"single_choice", "checklist"})
_NO_DAY = 1_000
RuleBreak: TypeAlias = tuple[KeyPath, str]

Kind = Literal["pair", "solo", "plenary", "plan"]
Phase = Literal["arrive", "explore", "deepen", "commit", "close"]
PromptType = Literal["long_text", "short_text", "scale", "single_choice", "checklist", "plan_goal"]
Visibility = Literal["private", "buddy"]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Paragraph = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Notes = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=120)]

SOURCE_LANGUAGE = "en"
"""The language every exercise file is written in; ``translations:`` adds the others."""
TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)

LICENSES: dict[str, str] = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "CC-BY-3.0": "https://creativecommons.org/licenses/by/3.0/",
    "CC-BY-SA-3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "GFDL-1.3-or-later": "https://www.gnu.org/licenses/fdl-1.3.html",
    "MIT": "https://opensource.org/license/mit",
    "Apache-2.0": "https://www.apache.org/licenses/LICENSE-2.0",
}
"""The SPDX licence ids an exercise may be shipped under, with where each licence is read.
An organisation's own terms are spelled the SPDX way, ``LicenseRef-<name>`` (no address)."""
_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")

_SLUG = "a slug: lowercase letters, digits and single hyphens, like 'buddy-agreement'"
_MINUTES = "a whole number between 5 and 240"


def _each(text: str) -> dict[str, Any]:
    return {"each": text}


class _Spec(BaseModel):
    # Whitespace is stripped so that YAML block styles (| or >) do not change the content hash.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


class PromptSpec(_Spec):
    """One question a participant answers, on the tablet and in the printed workbook."""

    id: Slug = Field(description=_SLUG)
    text: Paragraph = Field(description="text of 1 to 1000 characters")
    type: PromptType = Field(description="one of: " + ", ".join(PROMPT_TYPES))
    options: list[Line] | None = Field(
        None,
        min_length=2,
        max_length=12,
        description="a list of 2 to 12 choices",
        json_schema_extra=_each("a choice: text of 1 to 200 characters"),
    )
    help: Short | None = Field(None, description="text of 1 to 300 characters")
    visibility: Visibility = Field("private", description="one of: private, buddy")
    lines: int = Field(0, ge=0, le=40, description="a whole number between 0 and 40")

    # The options as shown in the reader's language (see localized()); None: the options.
    _labels: tuple[str, ...] | None = PrivateAttr(None)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """Each option as (value to store, label to show). The value is always the source
        option, in every language, so answers stay the same when the reader's language
        changes; only the label is translated."""
        options = self.options or []
        labels = self._labels if self._labels is not None else options
        return list(zip(options, labels, strict=True))

    def label(self, value: str) -> str:
        """The label to show for a stored option value (the value itself if it is unknown)."""
        return dict(self.choices).get(value, value)

    def shown_answer(self, value: Any) -> Any:
        """A stored answer with its choices as labels (text and scales pass unchanged)."""
        if self.type not in CHOICE_TYPES or self._labels is None:
            return value
        if isinstance(value, str):
            return self.label(value)
        if isinstance(value, list):
            return [self.label(item) if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_lines(cls, data: Any) -> Any:
        if isinstance(data, dict) and "lines" not in data and data.get("type") in DEFAULT_LINES:
            return {**data, "lines": DEFAULT_LINES[data["type"]]}
        return data

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Self:
        _raise_unless_deferred(prompt_rule_breaks(self), info)
        return self


class PromptTranslation(_Spec):
    """One prompt in another language; each field optional, and only if the source has it."""

    text: Paragraph | None = Field(None, description="text of 1 to 1000 characters")
    help: Short | None = Field(None, description="text of 1 to 300 characters")
    options: list[Line] | None = Field(
        None,
        description="a list of the translated choices, in the order of the source",
        json_schema_extra=_each("a choice: text of 1 to 200 characters"),
    )


class Translation(_Spec):
    """An exercise in one other language. Each field is optional but, when given, complete:
    as many steps, options and materials as the source, in the same order."""

    title: Title | None = Field(None, description="text of 1 to 120 characters")
    summary: Paragraph | None = Field(None, description="text of 1 to 1000 characters")
    trio_instructions: Notes | None = Field(None, description="text of 1 to 2000 characters")
    steps: list[Paragraph] | None = Field(
        None,
        description="a list of the translated steps, in the order of the source",
        json_schema_extra=_each("a step: text of 1 to 1000 characters"),
    )
    prompts: dict[str, PromptTranslation] = Field(
        {},
        description="a mapping of prompt ids to their translated text, help and options",
        json_schema_extra=_each("a prompt translation: a mapping with text, help or options"),
    )
    materials: list[Line] | None = Field(
        None,
        description="a list of the translated items, in the order of the source",
        json_schema_extra=_each("an item: text of 1 to 200 characters"),
    )
    facilitator_notes: Notes | None = Field(None, description="text of 1 to 2000 characters")


class Credit(_Spec):
    """Who wrote an exercise and the licence it is shared under: printed with it, in every
    language as written (a credit is never translated)."""

    author: Short = Field(description="text of 1 to 300 characters")
    license: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="an SPDX licence id, like CC-BY-4.0"
    )
    adapted_from: Short | None = Field(None, description="text of 1 to 300 characters")
    url: Short | None = Field(None, description="a web address starting with https://")

    @property
    def license_url(self) -> str | None:
        """Where the licence's text is read (None for an organisation's own LicenseRef-)."""
        return LICENSES.get(self.license)


class ExerciseSpec(_Spec):
    """One exercise of the library, as its YAML file describes it."""

    id: Slug = Field(description=_SLUG)
    version: int = Field(ge=1, le=100_000, description="a whole number of at least 1")
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(
        description="text of 1 to 120 characters"
    )
    summary: Paragraph = Field(description="text of 1 to 1000 characters")
    kind: Kind = Field(description="one of: " + ", ".join(KINDS))
    phase: Phase = Field(description="one of: " + ", ".join(PHASES))
    minutes: int = Field(ge=5, le=240, description=_MINUTES)
    trio_minutes: int | None = Field(None, ge=5, le=240, description=_MINUTES)
    trio_instructions: Notes | None = Field(None, description="text of 1 to 2000 characters")
    day: int | None = Field(None, ge=1, le=10, description="a whole number between 1 and 10")
    after: list[Slug] = Field(
        [], max_length=20, description="a list of exercise ids", json_schema_extra=_each(_SLUG)
    )
    steps: list[Paragraph] = Field(
        min_length=1,
        max_length=20,
        description="a list of 1 to 20 steps",
        json_schema_extra=_each("a step: text of 1 to 1000 characters"),
    )
    prompts: list[PromptSpec] = Field(
        [],
        max_length=20,
        description="a list of at most 20 prompts",
        json_schema_extra=_each("a prompt: a mapping with at least id, text and type"),
    )
    materials: list[Line] = Field(
        [], max_length=20, description="a list of at most 20 items", json_schema_extra=_each(
            "an item: text of 1 to 200 characters"
        ),
    )  # fmt: skip
    facilitator_notes: Notes | None = Field(None, description="text of 1 to 2000 characters")
    tags: list[Slug] = Field(
        [], max_length=12, description="a list of at most 12 tags", json_schema_extra=_each(_SLUG)
    )
    credit: Credit | None = Field(
        None, description="a mapping with author, license and, when adapted, adapted_from, url"
    )
    translations: dict[str, Translation] = Field(
        {},
        description="a mapping of language codes (" + ", ".join(TRANSLATED_LANGUAGES) + ") to"
        " translations",
        json_schema_extra=_each(
            "a translation: a mapping of translated fields (title, summary, steps, prompts...)"
        ),
    )

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Self:
        _raise_unless_deferred(exercise_rule_breaks(self), info)
        return self

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the exercise: same content, same hash."""
        return _sha256(snapshot_of(self))


class Library(BaseModel):
    """A validated set of exercises, keyed by id, in arc order."""

    model_config = ConfigDict(frozen=True)

    exercises: dict[str, ExerciseSpec]

    def get(self, exercise_id: str) -> ExerciseSpec:
        """Return the exercise with this id; raise NotFound if the library has none."""
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise NotFound(f"no exercise '{exercise_id}' in the library") from None

    def ordered(self) -> list[ExerciseSpec]:
        """The exercises by phase, then prerequisites first, then preferred day, then id."""
        return order_exercises(self.exercises.values())

    @property
    def content_hash(self) -> str:
        """SHA-256 over every exercise's id and content hash: names one library version."""
        return _sha256({key: spec.content_hash for key, spec in sorted(self.exercises.items())})


def _raise_unless_deferred(breaks: list[RuleBreak], info: ValidationInfo) -> None:
    # The file loader defers these rules so it can place each one at its own line and column.
    if breaks and not (isinstance(info.context, dict) and info.context.get("defer_rules")):
        raise ValueError("; ".join(f"{render_path(path)}: {text}" for path, text in breaks))


def prompt_rule_breaks(prompt: PromptSpec) -> list[RuleBreak]:
    """Return the prompt's rule breaks as (path inside the prompt, message)."""
    breaks: list[RuleBreak] = []
    if prompt.type in CHOICE_TYPES and prompt.options is None:
        breaks.append((("type",), f"a {prompt.type} prompt needs 'options': 2 to 12 choices"))
    if prompt.type not in CHOICE_TYPES and prompt.options is not None:
        breaks.append(
            (
                ("options",),
                f"only single_choice and checklist prompts take options, not {prompt.type}",
            )
        )
    seen: set[str] = set()
    for index, option in enumerate(prompt.options or []):
        if option in seen:
            breaks.append((("options", index), f"option '{option}' is listed twice"))
        seen.add(option)
    return breaks


def exercise_rule_breaks(spec: ExerciseSpec) -> list[RuleBreak]:
    """Return the rules one exercise breaks on its own, as (path, message)."""
    breaks: list[RuleBreak] = []
    first_use: dict[str, int] = {}
    for index, prompt in enumerate(spec.prompts):
        breaks += [(("prompts", index, *path), text) for path, text in prompt_rule_breaks(prompt)]
        if prompt.id in first_use:
            where = render_path(("prompts", first_use[prompt.id]))
            breaks.append(
                (("prompts", index, "id"), f"prompt id '{prompt.id}' is already used by {where}")
            )
        first_use.setdefault(prompt.id, index)
    if spec.kind == "pair":
        if spec.trio_minutes is None:
            breaks.append((("kind",), "a pair exercise needs 'trio_minutes' for a group of three"))
        if spec.trio_instructions is None:
            breaks.append(
                (("kind",), "a pair exercise needs 'trio_instructions' for a group of three")
            )
        if not spec.prompts:
            breaks.append((("kind",), "a pair exercise needs at least one prompt"))
    else:
        for name in ("trio_minutes", "trio_instructions"):
            if getattr(spec, name) is not None:
                breaks.append(((name,), f"only pair exercises take {name}, not {spec.kind}"))
    if spec.trio_minutes is not None and spec.trio_minutes < spec.minutes:
        breaks.append((("trio_minutes",), f"must be at least minutes ({spec.minutes})"))
    if spec.kind == "plan" and all(prompt.type != "plan_goal" for prompt in spec.prompts):
        breaks.append((("kind",), "a plan exercise needs at least one prompt of type plan_goal"))
    for index, prerequisite in enumerate(spec.after):
        if prerequisite == spec.id:
            breaks.append((("after", index), "an exercise cannot come after itself"))
        elif prerequisite in spec.after[:index]:
            breaks.append((("after", index), f"'{prerequisite}' is listed twice"))
    if spec.credit is not None:
        breaks += credit_rule_breaks(spec.credit)
    for language, translation in spec.translations.items():
        breaks += translation_rule_breaks(spec, language, translation)
    return breaks


def _known_license(text: str) -> str | None:
    """The SPDX id a licence written loosely ('CC BY 4.0', 'cc-by-4.0') stands for, if any."""
    spelled = re.sub(r"[\s_]+", "-", text.strip()).casefold()
    return next((key for key in LICENSES if key.casefold() == spelled), None)


def credit_rule_breaks(credit: Credit) -> list[RuleBreak]:
    """Return what a credit gets wrong: a licence that is no SPDX id we know, a bad address."""
    breaks: list[RuleBreak] = []
    if credit.license not in LICENSES and not _LICENSE_REF.match(credit.license):
        close = _known_license(credit.license)
        found = [close] if close else difflib.get_close_matches(credit.license, list(LICENSES), n=1)
        hint = f" (did you mean '{found[0]}'?)" if found else ""
        text = (
            f"unknown licence '{credit.license}': give an SPDX id like CC-BY-4.0 (the exercise"
            f" README lists them), or LicenseRef-<name> for your own terms{hint}"
        )
        breaks.append((("credit", "license"), text))
    if credit.url is not None and not _URL.match(credit.url):
        breaks.append((("credit", "url"), "must be a web address starting with https://"))
    return breaks


def _unknown_language(code: str) -> str:
    wanted = ", ".join(TRANSLATED_LANGUAGES)
    if code == SOURCE_LANGUAGE:
        return f"'{code}' is the language the exercise is written in; translate into {wanted}"
    base = code.replace("_", "-").split("-")[0].lower()
    if base in TRANSLATED_LANGUAGES:
        hint = f" (did you mean '{base}'?)"
    else:
        close = difflib.get_close_matches(code.lower(), TRANSLATED_LANGUAGES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown language '{code}': translations are for {wanted}{hint}"


def _count_break(
    path: KeyPath, given: list[str], source: list[str], noun: str, of: str = "the source"
) -> list[RuleBreak]:
    if not source:
        return [(path, f"{of} has no {noun}s to translate")]
    if len(given) != len(source):
        count = len(source)
        plural = noun if count == 1 else f"{noun}s"
        return [
            (
                path,
                f"{of} has {count} {plural}: give {count} translated, in the same order"
                f" (got {len(given)})",
            )
        ]
    return []


def translation_rule_breaks(
    spec: ExerciseSpec, language: str, translation: Translation
) -> list[RuleBreak]:
    """Return the rules one language block breaks against the source, as (path, message)."""
    at: KeyPath = ("translations", language)
    breaks: list[RuleBreak] = []
    if language not in TRANSLATED_LANGUAGES:
        breaks.append((at, _unknown_language(language)))
    for name in ("trio_instructions", "facilitator_notes"):
        if getattr(translation, name) is not None and getattr(spec, name) is None:
            breaks.append(((*at, name), f"the source has no {name} to translate"))
    if translation.steps is not None:
        breaks += _count_break((*at, "steps"), translation.steps, spec.steps, "step")
    if translation.materials is not None:
        breaks += _count_break((*at, "materials"), translation.materials, spec.materials, "item")
    prompts = {prompt.id: prompt for prompt in spec.prompts}
    for prompt_id, given in translation.prompts.items():
        where: KeyPath = (*at, "prompts", prompt_id)
        prompt = prompts.get(prompt_id)
        if prompt is None:
            close = difflib.get_close_matches(prompt_id, list(prompts), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            breaks.append((where, f"no prompt '{prompt_id}' in this exercise{hint}"))
            continue
        if given.help is not None and prompt.help is None:
            breaks.append(((*where, "help"), f"prompt '{prompt_id}' has no help to translate"))
        if given.options is not None:
            of = f"prompt '{prompt_id}'"
            breaks += _count_break(
                (*where, "options"), given.options, prompt.options or [], "option", of
            )
            seen: set[str] = set()
            for index, option in enumerate(given.options):
                if option in seen:
                    breaks.append(
                        ((*where, "options", index), f"option '{option}' is listed twice")
                    )
                seen.add(option)
    return breaks


def _sha256(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot_of(spec: ExerciseSpec) -> dict[str, Any]:
    """Return the exercise as JSON-ready data, to be stored as a cohort's frozen copy.

    The translations and the credit are frozen with the rest (and so count in the content
    hash); an exercise without them has no key for them."""
    data = spec.model_dump(mode="json", exclude={"translations", "credit"})
    if spec.credit is not None:
        data["credit"] = spec.credit.model_dump(mode="json", exclude_none=True)
    if spec.translations:
        data["translations"] = {
            language: translation.model_dump(mode="json", exclude_none=True)
            for language, translation in sorted(spec.translations.items())
        }
    return data


def spec_from_snapshot(data: dict[str, Any]) -> ExerciseSpec:
    """Rebuild an exercise from snapshot_of() data; raise InvalidInput if it is not valid."""
    try:
        return ExerciseSpec.model_validate(_upgraded(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            _, _, message = explain_error(ExerciseSpec, error)
            problems.append(Problem("snapshot", message, render_path(tuple(error["loc"])) or None))
        raise InvalidInput("stored exercise snapshot is invalid", problems) from None


_OLD_CREDIT = ("source", "license", "attribution")


def _upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot frozen before credits were one ``credit:`` mapping, in today's shape (its
    stored content hash stays the one it was bound with)."""
    if not any(name in data for name in _OLD_CREDIT):
        return data
    old = {name: data.get(name) for name in _OLD_CREDIT}
    data = {key: value for key, value in data.items() if key not in _OLD_CREDIT}
    if old["attribution"] is not None:
        data["credit"] = {
            "author": old["attribution"],
            "license": _known_license(str(old["license"] or "")) or "LicenseRef-as-given",
            "adapted_from": old["source"],
        }
    return data


def order_exercises(specs: Iterable[ExerciseSpec]) -> list[ExerciseSpec]:
    """Sort by phase, then prerequisites first, then preferred day, then id."""
    by_id = {spec.id: spec for spec in specs}
    waiting = {key: {item for item in spec.after if item in by_id} for key, spec in by_id.items()}
    unlocks: dict[str, list[str]] = {key: [] for key in by_id}
    for key, needs in waiting.items():
        for need in needs:
            unlocks[need].append(key)

    def rank(spec: ExerciseSpec) -> tuple[int, int, str]:
        return (PHASES.index(spec.phase), spec.day or _NO_DAY, spec.id)

    ready = [rank(by_id[key]) for key, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    result: list[ExerciseSpec] = []
    while ready:
        spec = by_id[heapq.heappop(ready)[2]]
        result.append(spec)
        for follower in unlocks[spec.id]:
            waiting[follower].discard(spec.id)
            if not waiting[follower]:
                heapq.heappush(ready, rank(by_id[follower]))
    placed = {spec.id for spec in result}
    # Only an invalid library has a cycle; keep its members rather than silently drop them.
    return result + sorted((s for s in by_id.values() if s.id not in placed), key=rank)


@dataclass(frozen=True, slots=True)
class _Loaded:
    order: int
    shown: str
    spec: ExerciseSpec
    doc: MarkedDocument


@dataclass(frozen=True, slots=True)
class _Found:
    order: int
    mark: Mark
    problem: Problem


def _at(order: int, shown: str, mark: Mark, message: str, path: KeyPath = ()) -> _Found:
    where = f"{shown}:{mark.line}:{mark.column}"
    return _Found(order, mark, Problem(where, message, render_path(path) or None))


def _read_file(path: Path, order: int) -> tuple[_Loaded | None, list[_Found], str]:
    """Return the exercise (None if it has problems), its problems and the id it claims."""
    shown = display_path(path)
    try:
        doc = read_yaml_file(path)
    except YamlRejected as exc:
        return None, [_at(order, shown, exc.mark, exc.message)], path.stem
    found = [_at(order, shown, f.mark, f.message, f.path) for f in doc.findings]
    if not isinstance(doc.data, dict):
        message = "an exercise file must be a mapping of fields (id: ..., title: ...)"
        return None, [*found, _at(order, shown, doc.locate(()), message)], path.stem
    claim = doc.data.get("id")
    claim = claim if isinstance(claim, str) else path.stem
    names = list(doc.data)
    if "translations" in names and names[-1] != "translations":
        text = (
            "field 'translations': must be the last field of the file"
            f" ('{names[-1]}' comes after it)"
        )
        path_t: KeyPath = ("translations",)
        found.append(_at(order, shown, doc.locate(path_t, key=True), text, path_t))
    try:
        spec = ExerciseSpec.model_validate(doc.data, context={"defer_rules": True})
    except ValidationError as exc:
        for error in exc.errors():
            where, on_key, message = explain_error(ExerciseSpec, error)
            field = tuple(error["loc"])
            found.append(_at(order, shown, doc.locate(where, key=on_key), message, field))
        return None, found, claim
    for where, text in exercise_rule_breaks(spec):
        # A translation's problem points at its key: the language, the prompt id, the field.
        mark = doc.locate(where, key=bool(where) and where[0] == "translations")
        found.append(_at(order, shown, mark, f"field '{render_path(where)}': {text}", where))
    if spec.id != path.stem:
        text = f"field 'id': '{spec.id}' does not match the file name; name it {spec.id}.yaml"
        found.append(_at(order, shown, doc.locate(("id",)), text, ("id",)))
    return (None if found else _Loaded(order, shown, spec, doc)), found, claim


def _raise_problems(found: list[_Found]) -> None:
    if found:
        found.sort(key=lambda item: (item.order, item.mark))
        count = len(found)
        noun = "problem" if count == 1 else "problems"
        raise InvalidInput(f"exercise library has {count} {noun}", [f.problem for f in found])


def load_exercise_file(path: Path) -> ExerciseSpec:
    """Load one exercise file on its own; raise InvalidInput listing all of its problems."""
    loaded, found, _ = _read_file(path, 0)
    _raise_problems(found)
    assert loaded is not None
    return loaded.spec


def _cycles(after: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of 'after' links once, from its smallest id, each member waiting on the next."""
    stuck = set(after)
    peeled = True
    while peeled:  # what cannot be peeled off waits, directly or not, on a cycle
        ready = {key for key in stuck if not any(n in stuck and n != key for n in after[key])}
        stuck -= ready
        peeled = bool(ready)
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for key in sorted(stuck):
        path: list[str] = []
        while key not in seen and key not in path:
            path.append(key)
            key = min(need for need in after[key] if need in stuck and need != key)
        if key in path:
            cycle = path[path.index(key) :]
            start = cycle.index(min(cycle))
            cycles.append(cycle[start:] + cycle[:start])
        seen.update(path)
    return cycles


def _library_problems(loaded: dict[str, _Loaded], claimed: set[str]) -> list[_Found]:
    found: list[_Found] = []
    for item in loaded.values():
        spec = item.spec
        for index, need in enumerate(spec.after):
            path: KeyPath = ("after", index)
            mark = item.doc.locate(path)
            prefix = f"field '{render_path(path)}': "
            other = loaded.get(need)
            if other is None and need in claimed:
                continue  # that file's own problems are reported; one fault, one message
            if other is None:
                close = difflib.get_close_matches(need, list(loaded), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                text = f"no exercise '{need}' in the library{hint}"
            elif PHASES.index(other.spec.phase) > PHASES.index(spec.phase):
                text = f"'{need}' is in phase {other.spec.phase}, later than {spec.phase}"
            elif other.spec.day and spec.day and other.spec.day > spec.day:
                text = f"'{need}' prefers day {other.spec.day}, later than day {spec.day}"
            else:
                continue
            found.append(_at(item.order, item.shown, mark, prefix + text, path))
    for cycle in _cycles({key: item.spec.after for key, item in loaded.items()}):
        first = loaded[cycle[0]]
        path = ("after", first.spec.after.index(cycle[1 % len(cycle)]))
        chain = " after ".join([*cycle, cycle[0]])
        text = f"field '{render_path(path)}': exercises wait on each other in a cycle: {chain}"
        found.append(_at(first.order, first.shown, first.doc.locate(path), text, path))
    return found


def load_library(dirs: Sequence[Path]) -> Library:
    """Load every exercise in these folders (or files); raise InvalidInput with every problem."""
    files, missing = find_yaml_files(dirs)
    found = [_Found(order, Mark(0, 0), problem) for order, problem in missing]
    loaded: dict[str, _Loaded] = {}
    claimed: set[str] = set()
    for order, path in enumerate(files, start=len(dirs)):
        item, problems, claim = _read_file(path, order)
        found += problems
        claimed.add(claim)
        if item is None:
            continue
        twin = loaded.get(item.spec.id)
        if twin is not None:
            first = twin.doc.locate(("id",))
            other = f"{twin.shown}:{first.line}:{first.column}"
            text = f"field 'id': duplicate id '{item.spec.id}': also in {other}"
            found.append(_at(order, item.shown, item.doc.locate(("id",)), text, ("id",)))
            continue
        loaded[item.spec.id] = item
    found += _library_problems(loaded, claimed)
    _raise_problems(found)
    ordered = order_exercises(item.spec for item in loaded.values())
    return Library(exercises={spec.id: spec for spec in ordered})
