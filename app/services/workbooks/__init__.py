"""Printed workbooks: collect a cohort's data, cleared by the privacy policy, into workbook
data and export editions (participant, pair, blank) as background jobs; erasure and purge
that reach the printed (and mailed) copies too.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.workbooks.erasure import erase_participant_everywhere, purge_cohort_everywhere
from app.services.workbooks.export import export_workbooks
from app.services.workbooks.service import (
    EDITIONS,
    PAPERS,
    forget_printed_copies,
    pair_workbook_pdf,
    participant_workbook_pdf,
)

__all__ = [
    "EDITIONS",
    "PAPERS",
    "erase_participant_everywhere",
    "export_workbooks",
    "forget_printed_copies",
    "pair_workbook_pdf",
    "participant_workbook_pdf",
    "purge_cohort_everywhere",
]
