"""Typesetting: workbook data -> our own autoescaped templates -> PDF in bounded worker
processes, the render cache, merging and zipping, and the invented sample workbook.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.printing.files import merge_pdfs, render_preview_png, zip_pdfs
from app.services.printing.pool import (
    PDF_VARIANT,
    STATIC_BASE_URL,
    PdfCache,
    RenderPool,
    close_default_pool,
    get_default_pool,
    make_url_fetcher,
)
from app.services.printing.render import (
    PAPERS,
    AgendaLine,
    Answer,
    CheckInLine,
    Day,
    ExerciseSection,
    Goal,
    LicenceNote,
    Paper,
    Person,
    PlanSection,
    PromptSection,
    WorkbookData,
    day_label,
    format_date_range,
    format_day,
    render_many,
    render_workbook_html,
    render_workbook_pdf,
    workbook_environment,
)
from app.services.printing.sample import make_sample_workbook

__all__ = [
    "PAPERS",
    "PDF_VARIANT",
    "STATIC_BASE_URL",
    "AgendaLine",
    "Answer",
    "CheckInLine",
    "Day",
    "ExerciseSection",
    "Goal",
    "LicenceNote",
    "Paper",
    "PdfCache",
    "Person",
    "PlanSection",
    "PromptSection",
    "RenderPool",
    "WorkbookData",
    "close_default_pool",
    "day_label",
    "format_date_range",
    "format_day",
    "get_default_pool",
    "make_sample_workbook",
    "make_url_fetcher",
    "merge_pdfs",
    "render_many",
    "render_preview_png",
    "render_workbook_html",
    "render_workbook_pdf",
    "workbook_environment",
    "zip_pdfs",
]
