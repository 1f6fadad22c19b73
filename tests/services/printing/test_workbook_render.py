"""Printed workbooks and sign-in cards, read back with pypdf."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core.errors import InvalidInput
from app.services.printing.files import merge_pdfs, render_preview_png, zip_pdfs
from app.services.printing.pool import (
    PdfCache,
    RenderError,
    RenderPool,
    make_url_fetcher,
    read_worker_limits,
    resolve_static_url,
)
from app.services.printing.render import (
    ZWSP,
    Answer,
    Person,
    WorkbookData,
    make_breakable,
    render_many,
    render_workbook_html,
    render_workbook_pdf,
)
from app.services.printing.sample import make_sample_workbook
from app.services.tablet.cards import CardData, render_cards_pdf
from tests.conftest import need

CANARY = "CANARY-7f3a-answer-text"
HOSTILE = [
    "<img src=file:///etc/passwd>",
    "</style><style>*{display:none}</style>",
    '<link rel="attachment" href="file:///etc/hostname">',
]
MEMORY_MB = 1536


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(1, timeout_s=60, memory_mb=MEMORY_MB) as shared:
        yield shared


@pytest.fixture(scope="module")
def realistic() -> WorkbookData:
    return make_sample_workbook(owner_name="Ada Lovelace")


@pytest.fixture(scope="module")
def realistic_pdf(pool: RenderPool, realistic: WorkbookData) -> PdfReader:
    return PdfReader(io.BytesIO(render_workbook_pdf(realistic, pool=pool)))


def small(edition: str = "participant", **changes: object) -> WorkbookData:
    data = make_sample_workbook(edition=edition, exercises_per_day=1, days=1, notes_pages=1)  # type: ignore[arg-type]
    return replace(data, **changes)  # type: ignore[arg-type]


def with_answer(data: WorkbookData, *answers: Answer) -> WorkbookData:
    exercise = data.exercises[0]
    prompt = replace(exercise.prompts[0], answers=list(answers))
    return replace(data, exercises=[replace(exercise, prompts=[prompt, *exercise.prompts[1:]])])


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def outline_titles(reader: PdfReader) -> list[tuple[int, str, int]]:
    found: list[tuple[int, str, int]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))  # type: ignore[attr-defined]

    walk(reader.outline, 1)
    return found


def test_workbook_realistic_page_count_and_metadata(realistic_pdf: PdfReader) -> None:
    meta = realistic_pdf.metadata
    assert 20 <= len(realistic_pdf.pages) <= 40
    assert meta is not None
    assert meta.title == "Spring Leadership Intensive · Buddy workbook · Ada Lovelace"
    assert meta.author == "Ada Lovelace"
    assert realistic_pdf.trailer["/Root"]["/Lang"] == "en"


def test_workbook_toc_page_numbers_match_exercise_pages(
    realistic_pdf: PdfReader, realistic: WorkbookData
) -> None:
    texts = page_texts(realistic_pdf)
    toc_index = next(i for i, text in enumerate(texts) if text.startswith("Contents"))
    toc = texts[toc_index]
    for exercise in realistic.exercises:
        match = re.search(re.escape(exercise.title) + r"[ .]*?(\d+)\s*$", toc, re.MULTILINE)
        assert match is not None, exercise.title
        printed = int(match[1])
        # The agenda names the exercise too; its own page also carries its first prompt.
        first_page = next(
            i + 1
            for i, text in enumerate(texts)
            if exercise.title in text and exercise.prompts[0].text in text
        )
        assert printed == first_page


def test_workbook_running_head_names_participant(realistic_pdf: PdfReader) -> None:
    texts = page_texts(realistic_pdf)
    cover_excluded = texts[1:]
    assert sum("Ada Lovelace" in text for text in cover_excluded) == len(cover_excluded)
    assert "Day 2 · Tuesday, March 4" in texts[10]


def test_workbook_outline_has_entry_per_day_and_exercise(
    realistic_pdf: PdfReader, realistic: WorkbookData
) -> None:
    outline = outline_titles(realistic_pdf)
    days = [title for depth, title, _ in outline if depth == 1]
    titles = [exercise.title for exercise in realistic.exercises]
    # Every h1 and h2 is a bookmark (the outline is the headings, see test_workbook_tagged).
    exercises = [title for depth, title, _ in outline if depth == 2 and title in titles]
    assert days == [
        "Buddy workbook",
        "Contents",
        "Your partnership",
        *[day.label for day in realistic.agenda_days],
        "Development plan",
        "Keeping in touch",
        "Notes",
    ]
    assert exercises == titles


def test_workbook_participant_edition_prints_answers(pool: RenderPool) -> None:
    data = with_answer(small(), Answer("Ada Lovelace", CANARY))
    text = "".join(page_texts(PdfReader(io.BytesIO(render_workbook_pdf(data, pool=pool)))))
    assert CANARY in text


def test_workbook_blank_edition_omits_answers(pool: RenderPool) -> None:
    data = with_answer(small("blank"), Answer("Ada Lovelace", CANARY))
    data = replace(data, agreement_text=CANARY + "-agreement")
    html = render_workbook_html(data)
    text = "".join(page_texts(PdfReader(io.BytesIO(render_workbook_pdf(data, pool=pool)))))
    assert CANARY not in html
    assert CANARY not in text
    assert "Describe a moment from the last year" in text


def test_workbook_pair_edition_labels_each_author() -> None:
    data = with_answer(
        small("pair"), Answer("Ada Lovelace", "first view"), Answer("Grace Hopper", "second view")
    )
    html = render_workbook_html(data)
    assert '<p class="answer-author">Ada Lovelace</p>' in html
    assert '<p class="answer-author">Grace Hopper</p>' in html


def test_workbook_letter_and_a4_page_sizes(pool: RenderPool) -> None:
    sizes = {}
    for paper in ("A4", "Letter"):
        reader = PdfReader(io.BytesIO(render_workbook_pdf(small(paper=paper), pool=pool)))
        box = reader.pages[1].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"A4": (595, 842), "Letter": (612, 792)}


def test_workbook_hostile_answers_print_as_text(pool: RenderPool) -> None:
    data = with_answer(small(), *[Answer("Ada Lovelace", text) for text in HOSTILE])
    reader = PdfReader(io.BytesIO(render_workbook_pdf(data, pool=pool)))
    text = "".join(page_texts(reader))
    assert "<img src=file:///etc/passwd>" in text
    assert "</style><style>*{display:none}</style>" in text
    assert "root:" not in text
    assert "/EmbeddedFiles" not in reader.trailer["/Root"]


def test_make_breakable_splits_only_very_long_words() -> None:
    assert make_breakable("short words stay") == "short words stay"
    assert make_breakable("x" * 90) == ZWSP.join(["x" * 40, "x" * 40, "x" * 10])


def test_workbook_endless_word_fails_cleanly_within_limit(pool: RenderPool) -> None:
    data = with_answer(small(), Answer("Ada Lovelace", "x" * 100_000))
    rebuilds = pool.stats.rebuilds
    started = time.monotonic()
    with pytest.raises(RenderError, match="longer than 1 s"):
        pool.render_pdf(render_workbook_html(data), timeout_s=1)
    assert time.monotonic() - started < 6
    assert pool.stats.rebuilds == rebuilds


def test_url_fetcher_refuses_anything_but_packaged_assets() -> None:
    fetcher = make_url_fetcher()
    for url in (
        "file:///etc/passwd",
        "file://evil.example/app/static/print/workbook.css",
        "http://127.0.0.1/x.css",
        "https://example.org/font.ttf",
        "data:text/css,*{display:none}",
        resolve_static_url_base() + "../core/config.py",
    ):
        with pytest.raises(ValueError, match="refused to fetch"):
            fetcher.fetch(url)
    served = fetcher.fetch(resolve_static_url_base() + "print/workbook.css")
    assert served.content_type == "text/css"


def resolve_static_url_base() -> str:
    from app.services.printing.pool import STATIC_BASE_URL

    return STATIC_BASE_URL


def test_render_refuses_html_that_fetches_outside_static(pool: RenderPool) -> None:
    assert resolve_static_url(resolve_static_url_base() + "fonts/DejaVuSans.ttf").name == (
        "DejaVuSans.ttf"
    )
    with pytest.raises(RenderError, match="rendering failed"):
        pool.render_pdf('<p>x</p><img src="file:///etc/passwd">')


def test_render_over_time_limit_raises_render_error(
    pool: RenderPool, realistic: WorkbookData
) -> None:
    with pytest.raises(RenderError, match=r"longer than 0\.05 s"):
        pool.render_pdf(render_workbook_html(realistic), timeout_s=0.05)


def test_render_worker_death_raises_render_error_and_pool_recovers(pool: RenderPool) -> None:
    pid, _ = pool.call(read_worker_limits)
    ticket = pool.submit(render_workbook_html(small()))
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(RenderError, match="stopped abruptly"):
        pool.collect(ticket)
    assert pool.render_pdf("<p>again</p>").startswith(b"%PDF")


def test_render_worker_has_memory_limit(pool: RenderPool) -> None:
    _, limit = pool.call(read_worker_limits)
    assert limit == MEMORY_MB * 1024 * 1024


def test_workbook_cache_hit_returns_same_bytes_without_rendering(
    pool: RenderPool, tmp_path: Path
) -> None:
    data = small(notes_pages=2)
    first = render_workbook_pdf(data, pool=pool, cache=PdfCache(tmp_path))
    renders = pool.stats.renders
    second = render_workbook_pdf(data, pool=pool, cache=PdfCache(tmp_path))
    assert second == first
    assert pool.stats.renders == renders
    changed = render_workbook_pdf(replace(data, notes_pages=3), pool=pool, cache=PdfCache(tmp_path))
    assert pool.stats.renders == renders + 1
    assert changed != first


def test_render_many_yields_in_order_and_reports_progress(pool: RenderPool, tmp_path: Path) -> None:
    datas = [small(owners=[Person(name, "x@example.org")]) for name in ("Zoë Ng", "Abe Li")]
    progress: list[tuple[int, int]] = []
    named = list(
        render_many(
            datas,
            pool=pool,
            cache=PdfCache(tmp_path),
            on_progress=lambda d, t: progress.append((d, t)),
        )
    )
    assert [name for name, _ in named] == [
        "spring-leadership-intensive-participant-zoe-ng.pdf",
        "spring-leadership-intensive-participant-abe-li.pdf",
    ]
    assert progress == [(0, 2), (1, 2), (2, 2)]
    renders = pool.stats.renders
    assert list(render_many(datas, pool=pool, cache=PdfCache(tmp_path))) == named
    assert pool.stats.renders == renders

    merged = PdfReader(io.BytesIO(merge_pdfs(named)))
    tops = [title for depth, title, _ in outline_titles(merged) if depth == 1]
    assert tops == [name.removesuffix(".pdf") for name, _ in named]
    assert len(merged.pages) == sum(len(PdfReader(io.BytesIO(pdf)).pages) for _, pdf in named)
    with zipfile.ZipFile(io.BytesIO(zip_pdfs(named))) as archive:
        assert archive.namelist() == [name for name, _ in named]
        assert archive.read(named[0][0]) == named[0][1]


def test_workbook_data_problems_are_listed() -> None:
    data = small("pair", owners=[Person("Ada Lovelace", "ada@example.org")], notes_pages=99)
    with pytest.raises(InvalidInput) as caught:
        render_workbook_html(data)
    assert [str(p) for p in caught.value.problems] == [
        "workbook: the pair edition needs 2-3 owners, got 1",
        "workbook: notes_pages must be 0-40",
    ]


def test_cards_pdf_has_one_card_per_person(pool: RenderPool) -> None:
    cards = [
        CardData(
            f"Person {n}",
            "Spring Leadership Intensive",
            f"K7Q-{n:03d}",
            f"http://127.0.0.1:8000/signin?token={'t' * 40}{n}",
        )
        for n in range(10)
    ]
    reader = PdfReader(
        io.BytesIO(render_cards_pdf("Spring Leadership Intensive", cards, pool=pool))
    )
    text = "".join(page_texts(reader))
    assert len(reader.pages) == 2
    assert [text.count(f"K7Q-{n:03d}") for n in range(10)] == [1] * 10
    assert text.count("YOUR CODE") == 10
    assert [text.count(f"Person {n}\n") for n in range(10)] == [1] * 10
    assert "t" * 40 not in text


def test_render_preview_png_writes_page(pool: RenderPool, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        need(False, "pdftoppm is not installed (poppler-utils)")
    pdf = pool.render_pdf("<p>preview</p>")
    out = render_preview_png(pdf, 1, tmp_path / "preview.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
