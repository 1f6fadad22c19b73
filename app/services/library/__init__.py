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
from app.services.library.yaml_source import (
    KeyPath,
    Mark,
    MarkedDocument,
    YamlRejected,
    display_path,
    explain_error,
    read_yaml_file,
    render_path,
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
    "KeyPath",
    "LanguageStatus",
    "Library",
    "LicenceUse",
    "Mark",
    "MarkedDocument",
    "PromptSpec",
    "YamlRejected",
    "adopt_updates",
    "bind_program",
    "bound_exercise",
    "credit_line",
    "current_library",
    "display_path",
    "explain_error",
    "filter_library",
    "language_code",
    "library_updates",
    "licences_of",
    "load_library",
    "localized",
    "missing_translations",
    "parse_filter",
    "program_of",
    "read_yaml_file",
    "render_path",
    "translation_report",
    "translation_status",
]
