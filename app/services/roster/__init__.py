"""The roster: read a messy HR export into checked rows (preview, then all-or-nothing apply),
edit participants, export.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.roster.columns import FIELDS, parse_mapping_args
from app.services.roster.csv_file import detect_columns
from app.services.roster.service import (
    RowChange,
    apply_pending_import,
    export_roster,
    get_participant,
    get_pending_import,
    import_roster,
    list_participants,
    preview_import,
    remap_pending_import,
    remove_participant,
    review_pending_import,
    update_participant,
)

__all__ = [
    "FIELDS",
    "RowChange",
    "apply_pending_import",
    "detect_columns",
    "export_roster",
    "get_participant",
    "get_pending_import",
    "import_roster",
    "list_participants",
    "parse_mapping_args",
    "preview_import",
    "remap_pending_import",
    "remove_participant",
    "review_pending_import",
    "update_participant",
]
