"""Facilitator page: browse the exercise library as participants will see it, in any of the
languages, with what each exercise still lacks in each language."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.errors import InvalidInput
from app.core.i18n import LANGUAGE_NAMES, LANGUAGES, N_, current_language, gettext, pgettext
from app.core.templating import render
from app.deps import CurrentFacilitator, SettingsDep
from app.services.library import (
    KINDS,
    PHASES,
    SOURCE_LANGUAGE,
    ExerciseSpec,
    credit_line,
    current_library,
    filter_library,
    language_code,
    localized,
    missing_translations,
    parse_filter,
    translation_status,
)

router = APIRouter(include_in_schema=False)

_FIELDS = {
    # Translators: parts of an exercise whose translation is missing, listed after "Missing:".
    "title": N_("title"),
    "summary": N_("summary"),
    "trio_instructions": N_("instructions for three"),
    "steps": N_("steps"),
    "materials": N_("materials"),
    "facilitator_notes": N_("facilitator notes"),
}
_PROMPT_PARTS = {
    # Translators: %(id)s is the id of a question of the exercise, like "what-next".
    "text": N_("question %(id)s"),
    "help": N_("help of question %(id)s"),
    "options": N_("choices of question %(id)s"),
}


def missing_label(path: str) -> str:
    """A missing-translation path (``steps``, ``prompts.<id>.help``) as the reader says it."""
    if path.startswith("prompts."):
        prompt_id, _, part = path.removeprefix("prompts.").rpartition(".")
        return gettext(_PROMPT_PARTS[part], id=prompt_id)
    return gettext(_FIELDS[path])


def _names() -> dict[str, dict[str, str]]:
    """Phases, kinds and prompt types as the reader says them (the YAML keeps the codes)."""
    return {
        "phase_names": {
            "arrive": pgettext("phase", "arrive"),
            "explore": pgettext("phase", "explore"),
            "deepen": pgettext("phase", "deepen"),
            "commit": pgettext("phase", "commit"),
            "close": pgettext("phase", "close"),
        },
        "kind_names": {
            "pair": pgettext("exercise kind", "pair"),
            "solo": pgettext("exercise kind", "solo"),
            "plenary": pgettext("exercise kind", "plenary"),
            "plan": pgettext("exercise kind", "plan"),
        },
        "type_names": {
            "long_text": pgettext("prompt type", "long text"),
            "short_text": pgettext("prompt type", "short text"),
            "scale": pgettext("prompt type", "scale"),
            "single_choice": pgettext("prompt type", "single choice"),
            "checklist": pgettext("prompt type", "checklist"),
            "plan_goal": pgettext("prompt type", "plan goal"),
        },
    }


@dataclass(frozen=True, slots=True)
class LanguageRow:
    code: str
    name: str
    missing: list[str]


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    spec: ExerciseSpec
    """The exercise in the language the page shows (with the source wherever it lacks one)."""
    languages: list[LanguageRow]
    fallback: frozenset[str]
    """The fields (paths as in missing_translations) shown in the source language."""

    def lang(self, path: str) -> str:
        """A ``lang`` attribute for a field shown in the source language, else nothing."""
        return f' lang="{SOURCE_LANGUAGE}"' if path in self.fallback else ""

    @property
    def complete(self) -> bool:
        return all(not row.missing for row in self.languages)

    @property
    def credit(self) -> str:
        """Who wrote the exercise and its licence, in the page's language ("" without one)."""
        return credit_line(self.spec.credit) if self.spec.credit is not None else ""


def _entry(spec: ExerciseSpec, shown: str) -> LibraryEntry:
    rows = [
        LanguageRow(s.language, LANGUAGE_NAMES[s.language], [missing_label(m) for m in s.missing])
        for s in translation_status(spec)
    ]
    fallback = frozenset(missing_translations(spec, shown)) if shown != SOURCE_LANGUAGE else None
    return LibraryEntry(localized(spec, shown), rows, fallback or frozenset())


@router.get("/library")
def library_page(
    request: Request,
    settings: SettingsDep,
    user: CurrentFacilitator,
    day: str = "",
    phase: str = "",
    kind: str = "",
    max_minutes: str = "",
    q: str = "",
    lang: str = "",
) -> Response:
    flt = parse_filter(day=day, phase=phase, kind=kind, max_minutes=max_minutes, text=q)
    shown = language_code(lang if lang in LANGUAGES else current_language())
    context = {
        "flt": flt,
        "phases": PHASES,
        "kinds": KINDS,
        "shown": shown,
        "source_language": SOURCE_LANGUAGE,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        **_names(),
    }
    try:
        library = current_library(settings.all_library_dirs)
    except InvalidInput as exc:
        return render(
            request,
            "facilitator/library.html",
            {**context, "entries": [], "problems": exc.problems, "total": 0},
        )
    entries = [_entry(spec, shown) for spec in filter_library(library, flt)]
    return render(
        request,
        "facilitator/library.html",
        {**context, "entries": entries, "problems": [], "total": len(library.exercises)},
    )
