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
from datetime import date
from functools import cache, lru_cache
from typing import Literal

from babel import dates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from app.core.errors import InvalidInput, Problem
from app.core.i18n import (
    N_,
    current_language,
    format_date,
    install_i18n,
    locale,
    ngettext,
    normalise_language,
    use_locale,
)
from app.core.i18n import gettext as _
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
MORE_EXERCISES = N_("More exercises")
"""The chapter of exercises that no programme day schedules."""


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
    trio_instructions: str = ""
    """How a group of three shares the turns: given only in a trio's book ("" for a pair)."""
    credit: str = ""
    """Who wrote the exercise and its licence, one line in the reader's language ("" none)."""


@dataclass(frozen=True, slots=True)
class LicenceNote:
    """A licence the printed exercises are shared under; ``url`` where to read it ("" none)."""

    license: str
    url: str


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
    """The reader's language ("en", "de", …): the edition's words, dates and ``<html lang>``."""
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
    privacy_note: str = ""
    """The inside cover's cone-of-silence sentence, true for who this copy was printed for
    (already in ``language``); empty: the general sentence, translated when printed."""
    licences: list[LicenceNote] = field(default_factory=list)
    """The credits page's licences; the page lists each exercise's ``credit``."""


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
    install_i18n(env)
    env.filters["qr_svg"] = make_qr_svg
    env.filters["breakable"] = make_breakable
    env.globals["render_card"] = render_card
    env.globals["cards_language"] = cards_language
    return env


def _card_language(card: object) -> str:
    return normalise_language(getattr(card, "language", "")) or current_language()


def render_card(card: object, join_page: str) -> Markup:
    """One sign-in card in its participant's language (``card.language``; else the current
    language): the ``card`` macro of ``_card.html`` called inside that language."""
    macro = workbook_environment().get_template("_card.html").module.card  # type: ignore[attr-defined]
    with use_locale(_card_language(card)):
        return Markup(macro(card, join_page))  # noqa: S704 - our autoescaped macro


def cards_language(pages: Iterable[Iterable[object]]) -> str:
    """The language of a sheet of cards (its /Lang): the cards' one language, if they share
    one, else the current language."""
    found = {_card_language(card) for page in pages for card in page}
    return found.pop() if len(found) == 1 else current_language()


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
def make_qr_svg(url: str, alt: str = "") -> Markup:
    """Return inline SVG markup of a QR code; inline so the fetcher never has to allow data:.

    ``alt`` (already in the reader's language, part of the cache key) is the code's
    alternative text: an SVG ``<title>``, which tagged PDF writes as the figure's ``/Alt``,
    and ``role="img"`` + ``aria-label`` for HTML readers.
    """
    import segno

    qr = segno.make(url, error="m")
    # segno builds the SVG from module coordinates only; the URL never appears as text in it.
    svg = qr.svg_inline(scale=4, border=0, dark="#1f2a37", omitsize=True)
    if alt:
        label = escape(alt)
        head, sep, rest = svg.partition(">")
        svg = f'{head} role="img" aria-label="{label}"{sep}<title>{label}</title>{rest}'
    return Markup(svg)  # noqa: S704


def format_date_range(start: date, end: date) -> str:
    """A programme's dates in the current language: ``March 3 – 6, 2025`` / ``3.–6. März 2025``."""
    if start == end:
        return format_date(start, "long")
    return dates.format_interval(start, end, "yMMMMd", locale=current_language())


def format_day(day: date, *, year: bool = False) -> str:
    """A day with its weekday in full, in the current language: ``Monday, March 3`` /
    ``Montag, 3. März`` / ``lundi 3 mars`` (CLDR's month-day-weekday pattern, widened to the
    full weekday as ICU widens a skeleton's fields)."""
    skeleton = "yMMMMEd" if year else "MMMMEd"
    pattern = locale().datetime_skeletons[skeleton].pattern
    return format_date(day, re.sub(r"E+", "EEEE", pattern))


def day_label(number: int, day: date) -> str:
    """A programme day as the workbook names it (its chapter), in the current language."""
    # Translators: a chapter of the workbook, e.g. "Day 2 · Tuesday, March 4".
    return _("Day %(number)s · %(date)s", number=number, date=format_day(day))


def check_workbook_data(data: WorkbookData) -> None:
    """Raise InvalidInput listing every field of ``data`` the templates cannot print."""
    problems: list[Problem] = []
    where = _("workbook")
    if data.edition not in EDITIONS:
        problems.append(
            Problem(where, _('unknown edition "%(edition)s"', edition=data.edition), "edition")
        )
    if data.paper not in PAPERS:
        problems.append(Problem(where, _('unknown paper "%(paper)s"', paper=data.paper), "paper"))
    wanted = (2, 3) if data.edition == "pair" else (1, 1)
    if not wanted[0] <= len(data.owners) <= wanted[1]:
        problems.append(
            Problem(
                where,
                # Translators: %(edition)s is participant, pair or blank (a code, untranslated).
                ngettext(
                    "the %(edition)s edition needs %(low)s-%(high)s owners, got %(num)s",
                    "the %(edition)s edition needs %(low)s-%(high)s owners, got %(num)s",
                    len(data.owners),
                    edition=data.edition,
                    low=wanted[0],
                    high=wanted[1],
                ),
                "owners",
            )
        )
    if not 0 <= data.notes_pages <= MAX_NOTES_PAGES:
        problems.append(
            Problem(where, _("notes_pages must be 0-%(max)s", max=MAX_NOTES_PAGES), "notes_pages")
        )
    for ex in data.exercises:
        for prompt in ex.prompts:
            if not 0 <= prompt.lines <= MAX_LINES:
                problems.append(
                    Problem(
                        _(
                            "exercise %(exercise)s, prompt %(prompt)s",
                            exercise=ex.id,
                            prompt=prompt.id,
                        ),
                        _("lines must be 0-%(max)s", max=MAX_LINES),
                        "lines",
                    )
                )
    if problems:
        raise InvalidInput(_("this workbook cannot be printed"), problems)


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
        chapters.append(_ChapterView(_(MORE_EXERCISES), "day-more", [], unscheduled))
    return chapters


def render_workbook_html(data: WorkbookData) -> str:
    """Return the complete print HTML of one workbook (the input of ``render_workbook_pdf``),
    in the edition's language whatever the caller's (``<html lang>``, words and dates)."""
    with use_locale(data.language):
        check_workbook_data(data)
        filled = 0 if data.edition == "blank" else len(data.checkins)
        template = workbook_environment().get_template(f"{data.edition}.html")
        chapters = _chapters(data)
        return template.render(
            wb=data,
            owner_label=_owner_label(data),
            chapters=chapters,
            credited=[e for ch in chapters for e in ch.exercises if e.ex.credit],
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
    key = cache_key(html, data.language) if cache is not None else ""
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
            key = cache_key(html, data.language) if cache is not None else ""
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
        if not first.retryable:
            raise _naming(data, first) from None
    try:
        return pool.render_pdf(render_workbook_html(data))
    except RenderError as second:
        raise _naming(data, second) from None


def _naming(data: WorkbookData, error: RenderError) -> RenderError:
    # Translators: %(owners)s are the workbook's owners, %(reason)s why it could not be printed.
    message = _(
        "workbook of %(owners)s: %(reason)s", owners=_owner_label(data), reason=error.message
    )
    return RenderError(message, retryable=error.retryable)
