"""The exercise library: safe YAML loading with file:line errors, the facilitator's browser,
and the program each cohort runs (frozen snapshots of the library).

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.library.browser import filter_library, parse_filter
from app.services.library.loader import (
    AGREEMENT_ID,
    KINDS,
    PHASES,
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

__all__ = [
    "AGREEMENT_ID",
    "KINDS",
    "PHASES",
    "BoundExercise",
    "ExerciseSpec",
    "Library",
    "PromptSpec",
    "adopt_updates",
    "bind_program",
    "bound_exercise",
    "current_library",
    "filter_library",
    "library_updates",
    "load_library",
    "parse_filter",
    "program_of",
]
