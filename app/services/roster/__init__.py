"""The roster: read a messy HR export into checked rows (preview, then all-or-nothing apply),
edit participants, export.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.roster.columns import FIELDS, parse_mapping_args
from app.services.roster.people import (
    export_roster,
    get_participant,
    list_participants,
    remove_participant,
    update_participant,
)
from app.services.roster.preview import describe_preview, field_choices, reading_lines
from app.services.roster.service import (
    RowChange,
    UnacceptedWarnings,
    apply_pending_import,
    choose_pending_reading,
    get_pending_import,
    import_roster,
    preview_import,
    remap_pending_import,
    review_pending_import,
)
from app.services.roster.text import ENCODINGS
from app.services.roster.uploads import (
    cancel_upload,
    count_expired_uploads,
    expire_uploads,
    forget_uploads_mentioning,
)
from app.services.roster.values import guard_formula

__all__ = [
    "ENCODINGS",
    "FIELDS",
    "RowChange",
    "UnacceptedWarnings",
    "apply_pending_import",
    "cancel_upload",
    "choose_pending_reading",
    "count_expired_uploads",
    "describe_preview",
    "expire_uploads",
    "export_roster",
    "field_choices",
    "forget_uploads_mentioning",
    "get_participant",
    "get_pending_import",
    "guard_formula",
    "import_roster",
    "list_participants",
    "parse_mapping_args",
    "preview_import",
    "reading_lines",
    "remap_pending_import",
    "remove_participant",
    "review_pending_import",
    "update_participant",
]
