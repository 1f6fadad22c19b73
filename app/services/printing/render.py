"""Printed workbooks: plain data -> HTML (our own autoescaped templates) -> PDF (worker pool).

The renderer never decides privacy. It prints exactly the answers, plan and agreement it is
given; choosing which of them a reader may see (the cone of silence) is the job of the collection
step that fills ``WorkbookData`` through ``services/visibility.py``. The one exception is layout,
not policy: the *blank* edition is an empty form, so it drops answers, plan content, check-in
notes and the agreement even if they were passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from app.core.errors import InvalidInput, Problem
from app.services.printing.pool import (
    TEMPLATE_DIR,
    PdfCache,
    RenderError,
    RenderPool,
    Ticket,
    cache_key,
    get_default_pool,
)

Edition = Literal["participant", "pair", "blank"]
Paper = Literal["A4", "Letter"]
EDITIONS: tuple[str, ...] = ("participant", "pair", "blank")
PAPERS: tuple[str, ...] = ("A4", "Letter")
MAX_LINES = 80
MAX_NOTES_PAGES = 40
BREAK_EVERY = 40
ZWSP = "\u200b"


@dataclass(frozen=True, slots=True)
class Person:
    """An owner of the workbook."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """One block of a day; ``kind`` is exercise, plenary, break or anything the agenda uses."""

    start: str
    end: str
    title: str
    kind: str


@dataclass(frozen=True, slots=True)
class Day:
    """A programme day; exercises whose ``day_label`` equals ``label`` are printed in it."""

    label: str
    items: list[AgendaLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    """A written answer, already cleared for this workbook's readers."""

    author_name: str
    text: str


@dataclass(frozen=True, slots=True)
class PromptSection:
    """A prompt; ``lines`` ruled lines are printed when it has no answer."""

    id: str
    text: str
    type: str
    help: str
    lines: int
    visibility: str
    answers: list[Answer] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    """Printed as boxes to tick for choice and checklist prompts."""


@dataclass(frozen=True, slots=True)
class ExerciseSection:
    """A reflection exercise; ``qr_url`` opens it on the tablet (empty string: no QR code)."""

    id: str
    title: str
    day_label: str
    summary: str
    steps: list[str]
    prompts: list[PromptSection]
    qr_url: str


@dataclass(frozen=True, slots=True)
class Goal:
    """One development goal of the plan."""

    what: str
    why: str
    actions: list[str]
    measure: str
    support: str
    target_date: str


@dataclass(frozen=True, slots=True)
class PlanSection:
    """The development plan, already cleared for this workbook's readers."""

    aspiration: str
    goals: list[Goal]
    strengths: str
    obstacles: str


@dataclass(frozen=True, slots=True)
class CheckInLine:
    """An agreed follow-up after the programme."""

    date_label: str
    note: str


@dataclass(frozen=True, slots=True)
class WorkbookData:
    """Everything one printed workbook shows; filled by the collection step, printed verbatim."""

    edition: Edition
    cohort_name: str
    cohort_dates_label: str
    language: str
    paper: Paper
    owners: list[Person]
    buddy_names: list[str]
    pairing_reasons: list[str]
    agreement_text: str
    agenda_days: list[Day]
    exercises: list[ExerciseSection]
    plan: PlanSection | None
    checkins: list[CheckInLine]
    notes_pages: int
    privacy_note: str = "Facilitators see whether an exercise is done, never what you wrote."
    """The inside cover's cone-of-silence sentence, true for who this copy was printed for."""


@cache
def workbook_environment() -> Environment:
    """Return the Jinja environment of the print templates (autoescaped, strict)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qr_svg"] = make_qr_svg
    env.filters["breakable"] = make_breakable
    return env


_LONG_RUN = re.compile(rf"\S{{{BREAK_EVERY + 1},}}")


def make_breakable(text: str) -> str:
    """Return text with invisible break chances inside very long words.

    WeasyPrint's ``overflow-wrap: anywhere`` is quadratic in the length of a word, so 100 KB
    without a space would exhaust the time limit; zero-width spaces keep layout linear.
    """
    return _LONG_RUN.sub(
        lambda m: ZWSP.join(m[0][i : i + BREAK_EVERY] for i in range(0, len(m[0]), BREAK_EVERY)),
        text,
    )


@lru_cache(maxsize=1024)
def make_qr_svg(url: str) -> Markup:
    """Return inline SVG markup of a QR code; inline so the fetcher never has to allow data:."""
    import segno

    qr = segno.make(url, error="m")
    # segno builds the SVG from module coordinates only; the URL never appears as text in it.
    return Markup(qr.svg_inline(scale=4, border=0, dark="#1f2a37", omitsize=True))  # noqa: S704


def check_workbook_data(data: WorkbookData) -> None:
    """Raise InvalidInput listing every field of ``data`` the templates cannot print."""
    problems: list[Problem] = []
    if data.edition not in EDITIONS:
        problems.append(Problem("workbook", f"unknown edition {data.edition!r}", "edition"))
    if data.paper not in PAPERS:
        problems.append(Problem("workbook", f"unknown paper {data.paper!r}", "paper"))
    wanted = (2, 3) if data.edition == "pair" else (1, 1)
    if not wanted[0] <= len(data.owners) <= wanted[1]:
        problems.append(
            Problem(
                "workbook",
                f"the {data.edition} edition needs {wanted[0]}-{wanted[1]} owners, "
                f"got {len(data.owners)}",
                "owners",
            )
        )
    if not 0 <= data.notes_pages <= MAX_NOTES_PAGES:
        problems.append(
            Problem("workbook", f"notes_pages must be 0-{MAX_NOTES_PAGES}", "notes_pages")
        )
    for ex in data.exercises:
        for prompt in ex.prompts:
            if not 0 <= prompt.lines <= MAX_LINES:
                problems.append(
                    Problem(
                        f"exercise {ex.id}, prompt {prompt.id}",
                        f"lines must be 0-{MAX_LINES}",
                        "lines",
                    )
                )
    if problems:
        raise InvalidInput("this workbook cannot be printed", problems)


def _owner_label(data: WorkbookData) -> str:
    names = [p.name for p in data.owners]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]


@dataclass(frozen=True, slots=True)
class _ExerciseView:
    ex: ExerciseSection
    anchor: str


@dataclass(frozen=True, slots=True)
class _ChapterView:
    label: str
    anchor: str
    items: list[AgendaLine]
    exercises: list[_ExerciseView]


def _chapters(data: WorkbookData) -> list[_ChapterView]:
    # Anchors are positional: exercise ids come from YAML and need not be valid HTML ids.
    views = [_ExerciseView(ex, f"ex-{i}") for i, ex in enumerate(data.exercises, 1)]
    chapters = [
        _ChapterView(
            day.label,
            f"day-{i}",
            list(day.items),
            [v for v in views if v.ex.day_label == day.label],
        )
        for i, day in enumerate(data.agenda_days, 1)
    ]
    labels = {day.label for day in data.agenda_days}
    unscheduled = [v for v in views if v.ex.day_label not in labels]
    if unscheduled:
        chapters.append(_ChapterView("More exercises", "day-more", [], unscheduled))
    return chapters


def render_workbook_html(data: WorkbookData) -> str:
    """Return the complete print HTML of one workbook (the input of ``render_workbook_pdf``)."""
    check_workbook_data(data)
    filled = 0 if data.edition == "blank" else len(data.checkins)
    template = workbook_environment().get_template(f"{data.edition}.html")
    return template.render(
        wb=data,
        owner_label=_owner_label(data),
        chapters=_chapters(data),
        checkin_blank_rows=max(4, 8 - filled),
        notes_lines=27 if data.paper == "A4" else 25,
    )


def workbook_file_name(data: WorkbookData) -> str:
    """Return a safe, readable PDF file name for a workbook."""
    return f"{slugify(data.cohort_name)}-{data.edition}-{slugify(_owner_label(data))}.pdf"


def slugify(text: str) -> str:
    """Return lowercase ASCII words joined by dashes (``workbook`` if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "workbook"


def render_workbook_pdf(
    data: WorkbookData, *, pool: RenderPool | None = None, cache: PdfCache | None = None
) -> bytes:
    """Render one workbook to PDF in a worker, reusing the disk cache when the content is known."""
    html = render_workbook_html(data)
    key = cache_key(html) if cache is not None else ""
    if cache is not None and (hit := cache.read(key)) is not None:
        return hit
    pdf = (pool or get_default_pool()).render_pdf(html)
    if cache is not None:
        cache.write(key, pdf)
    return pdf


def _unique_names(datas: list[WorkbookData]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for data in datas:
        name = workbook_file_name(data)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name[:-4]}-{seen[name]}.pdf")
    return names


def render_many(
    datas: Iterable[WorkbookData],
    *,
    pool: RenderPool,
    cache: PdfCache | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(file name, PDF)`` per workbook in input order, rendering on all workers at once.

    A worker lost to a sibling's crash is retried once; a workbook that still fails raises
    RenderError naming it, so an export never silently misses someone.
    """
    items = list(datas)
    names = _unique_names(items)
    total = len(items)
    done = 0
    if on_progress:
        on_progress(0, total)
    # Only as many in flight as workers: the hard deadline is measured from submission.
    window: list[tuple[int, str, Ticket | bytes]] = []
    next_index = 0
    while next_index < total or window:
        while next_index < total and len(window) < pool.workers:
            data = items[next_index]
            html = render_workbook_html(data)
            key = cache_key(html) if cache is not None else ""
            hit = cache.read(key) if cache is not None else None
            window.append((next_index, key, hit if hit is not None else pool.submit(html)))
            next_index += 1
        index, key, job = window.pop(0)
        pdf = job if isinstance(job, bytes) else _collect_with_retry(pool, job, items[index])
        if cache is not None and not isinstance(job, bytes):
            cache.write(key, pdf)
        done += 1
        if on_progress:
            on_progress(done, total)
        yield names[index], pdf


def _collect_with_retry(pool: RenderPool, ticket: Ticket, data: WorkbookData) -> bytes:
    try:
        return pool.collect(ticket)
    except RenderError as first:
        if "stopped abruptly" not in first.message:
            raise RenderError(f"workbook of {_owner_label(data)}: {first.message}") from None
    try:
        return pool.render_pdf(render_workbook_html(data))
    except RenderError as second:
        raise RenderError(f"workbook of {_owner_label(data)}: {second.message}") from None
