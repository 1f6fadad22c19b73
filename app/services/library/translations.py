"""An exercise in the reader's language: the ``translations:`` of its file, field by field,
falling back to the source language (English) wherever a translation is missing."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.i18n import normalise_language
from app.services.library.loader import (
    SOURCE_LANGUAGE,
    TRANSLATED_LANGUAGES,
    ExerciseSpec,
    Library,
    PromptSpec,
    Translation,
)


def language_code(language: str | None) -> str:
    """The library's code for a language or locale: 'de-CH', 'de_DE' and 'DE' are 'de'.
    Anything the library does not translate into is the source language."""
    code = normalise_language(language)
    return code if code in TRANSLATED_LANGUAGES else SOURCE_LANGUAGE


def _prompt_in(prompt: PromptSpec, translation: Translation) -> PromptSpec:
    given = translation.prompts.get(prompt.id)
    if given is None:
        return prompt
    update: dict[str, object] = {}
    if given.text is not None:
        update["text"] = given.text
    if given.help is not None and prompt.help is not None:
        update["help"] = given.help
    shown = prompt.model_copy(update=update)
    options = prompt.options or []
    if given.options is not None and len(given.options) == len(options):
        # The options stay the source's: they are what an answer stores. Only labels change.
        shown._labels = tuple(given.options)
    return shown


def localized(spec: ExerciseSpec, language: str | None) -> ExerciseSpec:
    """The exercise as a reader of ``language`` sees it (an ExerciseSpec like any other).

    Every translated field replaces its source field; a field without a translation keeps the
    source text. Ids, kind, minutes, tags and the rest never change, and neither do the
    ``options`` of a choice prompt: they remain the values answers are stored under, so a pair
    whose buddies read different languages stores the same answer. Show a choice with
    ``prompt.choices`` (value, label) and a stored answer with ``prompt.shown_answer(value)``.
    The source language, or one without a translation, returns ``spec`` itself.
    """
    translation = spec.translations.get(language_code(language))
    if translation is None:
        return spec
    update: dict[str, object] = {}
    for name in ("title", "summary", "trio_instructions", "facilitator_notes"):
        text = getattr(translation, name)
        if text is not None and getattr(spec, name) is not None:
            update[name] = text
    if translation.steps is not None and len(translation.steps) == len(spec.steps):
        update["steps"] = list(translation.steps)
    if translation.materials is not None and len(translation.materials) == len(spec.materials):
        update["materials"] = list(translation.materials)
    if translation.prompts:
        update["prompts"] = [_prompt_in(prompt, translation) for prompt in spec.prompts]
    return spec.model_copy(update=update)


def missing_translations(spec: ExerciseSpec, language: str) -> list[str]:
    """What a reader of ``language`` would still read in the source language, as field paths
    (``title``, ``steps``, ``prompts.<id>.text``, ``prompts.<id>.options`` ...). Empty: the
    exercise is complete in that language."""
    translation = spec.translations.get(language) or Translation()
    missing: list[str] = []
    for name in ("title", "summary", "trio_instructions"):
        if getattr(spec, name) is not None and getattr(translation, name) is None:
            missing.append(name)
    if translation.steps is None:
        missing.append("steps")
    for prompt in spec.prompts:
        given = translation.prompts.get(prompt.id)
        if given is None or given.text is None:
            missing.append(f"prompts.{prompt.id}.text")
        if prompt.help is not None and (given is None or given.help is None):
            missing.append(f"prompts.{prompt.id}.help")
        if prompt.options is not None and (given is None or given.options is None):
            missing.append(f"prompts.{prompt.id}.options")
    if spec.materials and translation.materials is None:
        missing.append("materials")
    if spec.facilitator_notes is not None and translation.facilitator_notes is None:
        missing.append("facilitator_notes")
    return missing


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    language: str
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def translation_status(spec: ExerciseSpec) -> list[LanguageStatus]:
    """For each language the library translates into, what of ``spec`` is missing."""
    return [
        LanguageStatus(language, missing_translations(spec, language))
        for language in TRANSLATED_LANGUAGES
    ]


def translation_report(library: Library) -> list[str]:
    """One line of information per exercise and language that is not complete, in arc order,
    like ``meet-your-buddy: fr: missing title, steps`` (for ``tandem exercises validate``:
    a missing translation is information, never an error)."""
    lines = []
    for spec in library.ordered():
        for status in translation_status(spec):
            if status.missing:
                lines.append(f"{spec.id}: {status.language}: missing {', '.join(status.missing)}")
    return lines
