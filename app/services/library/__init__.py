"""The exercise library: safe YAML loading with file:line errors, the facilitator's browser,
and the program each cohort runs (frozen snapshots of the library).

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.library.browser import filter_library, parse_filter
from app.services.library.credits import LicenceUse, credit_line, licences_of
from app.services.library.loader import (
    AGREEMENT_ID,
    KINDS,
    LICENSES,
    PHASES,
    SOURCE_LANGUAGE,
    TRANSLATED_LANGUAGES,
    Credit,
    ExerciseSpec,
    Library,
    PromptSpec,
    load_library,
)
from app.services.library.program import (
    BoundExercise,
    adopt_updates,
    bind_program,
    bound_exercise,
    current_library,
    library_updates,
    program_of,
)
from app.services.library.translations import (
    LanguageStatus,
    language_code,
    localized,
    missing_translations,
    translation_report,
    translation_status,
)

__all__ = [
    "AGREEMENT_ID",
    "KINDS",
    "LICENSES",
    "PHASES",
    "SOURCE_LANGUAGE",
    "TRANSLATED_LANGUAGES",
    "BoundExercise",
    "Credit",
    "ExerciseSpec",
    "LanguageStatus",
    "Library",
    "LicenceUse",
    "PromptSpec",
    "adopt_updates",
    "bind_program",
    "bound_exercise",
    "credit_line",
    "current_library",
    "filter_library",
    "language_code",
    "library_updates",
    "licences_of",
    "load_library",
    "localized",
    "missing_translations",
    "parse_filter",
    "program_of",
    "translation_report",
    "translation_status",
]
