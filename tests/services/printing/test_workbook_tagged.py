"""Accessible workbooks and cards: tagged PDF/UA read back with pypdf (structure tree,
/MarkInfo, /Lang, headings in order, /Alt on every figure, outline = headings), each edition
in its reader's language, and a merged cohort PDF that stays tagged."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject, IndirectObject

from app.services.printing.files import merge_pdfs
from app.services.printing.pool import PdfCache, RenderPool
from app.services.printing.render import Person, WorkbookData, render_workbook_pdf
from app.services.printing.sample import make_sample_workbook
from app.services.tablet.cards import CardData, render_cards_pdf
from tests.services.printing.tiny_catalog import GERMAN, use_german_catalog

HEADING = re.compile(r"/H([1-6])")


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(1, timeout_s=120, memory_mb=1536) as shared:
        yield shared


def small(language: str = "en", **changes: Any) -> WorkbookData:
    data = make_sample_workbook(days=2, exercises_per_day=1, notes_pages=2, language=language)
    return replace(data, **changes)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _kids(element: DictionaryObject) -> list[Any]:
    kids = element.raw_get("/K") if "/K" in element else []
    kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
    return list(kids) if isinstance(kids, list) else [kids]


def elements(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every structure element, depth first in document order (the reading order)."""

    def walk(element: DictionaryObject) -> Iterator[DictionaryObject]:
        yield element
        for kid in _kids(element):
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and kid.get("/Type") != "/OBJR" and "/S" in kid:
                yield from walk(kid)

    root = reader.root_object["/StructTreeRoot"]
    for top in _kids(root):
        yield from walk(top.get_object())


def marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of every marked-content sequence, by (page object number, MCID)."""
    found: dict[tuple[int, int], str] = defaultdict(str)
    for page in reader.pages:
        assert page.indirect_reference is not None
        number = page.indirect_reference.idnum
        open_ids: list[int | None] = []

        def before(
            op: bytes, args: Any, cm: Any, tm: Any, stack: list[int | None] = open_ids
        ) -> None:
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                stack.append(props.get("/MCID") if isinstance(props, dict) else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(
            t: str,
            cm: Any,
            tm: Any,
            font: Any,
            size: Any,
            stack: list[int | None] = open_ids,
            page_number: int = number,
        ) -> None:
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None:
                found[(page_number, int(mcid))] += t

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def element_text(element: DictionaryObject, texts: dict[tuple[int, int], str], page: int) -> str:
    parts = []
    if "/Pg" in element:
        page = element.raw_get("/Pg").idnum
    for kid in _kids(element):
        kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(kid, int):
            parts.append(texts.get((page, kid), ""))
        elif isinstance(kid, DictionaryObject) and "/S" in kid:
            parts.append(element_text(kid, texts, page))
    return "".join(parts)


def headings(reader: PdfReader) -> list[tuple[int, str]]:
    """(level, text) of every H1-H6 element in reading order."""
    texts = marked_text(reader)
    found = []
    for element in elements(reader):
        if match := HEADING.fullmatch(str(element["/S"])):
            # Case-folded: a heading drawn in capitals (text-transform) is still the same words.
            # A heading broken after a hyphen is one word again.
            text = re.sub(r"-\s+", "-", " ".join(element_text(element, texts, -1).split()))
            text = text.casefold()
            found.append((int(match[1]), text))
    return found


def outline(reader: PdfReader) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, " ".join(str(item.title).split()).casefold()))

    walk(reader.outline, 1)
    return found


def assert_tagged(reader: PdfReader, language: str) -> None:
    root = reader.root_object
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert root["/Lang"] == language
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)


def assert_pdfinfo_tagged(pdf: bytes, tmp_path: Path) -> None:
    if shutil.which("pdfinfo") is None:
        return
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.MULTILINE), info.stdout


@pytest.fixture(scope="module")
def english(pool: RenderPool) -> bytes:
    return render_workbook_pdf(small("en"), pool=pool)


@pytest.mark.parametrize("language", ["en", "de"])
def test_each_edition_is_tagged_in_its_language(
    pool: RenderPool, language: str, tmp_path: Path
) -> None:
    pdf = render_workbook_pdf(small(language), pool=pool)
    reader = read(pdf)
    assert_tagged(reader, language)
    assert reader.pdf_header == "%PDF-1.7"
    assert b"pdfuaid" in reader.root_object["/Metadata"].get_object().get_data()
    assert_pdfinfo_tagged(pdf, tmp_path)


@pytest.mark.parametrize("edition", ["participant", "pair", "blank"])
def test_headings_are_in_order_without_skipped_levels(pool: RenderPool, edition: str) -> None:
    owners = [Person("Ada Lovelace", "a@x.org")]
    if edition == "pair":
        owners.append(Person("Grace Hopper", "g@x.org"))
    reader = read(render_workbook_pdf(small(edition=edition, owners=owners), pool=pool))
    levels = [level for level, _ in headings(reader)]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert {1, 2, 3} <= set(levels)


def test_outline_titles_are_the_h1_and_h2_headings(english: bytes) -> None:
    reader = read(english)
    found = headings(reader)
    assert [h for h in found if h[0] <= 2] == outline(reader)
    assert (1, "contents") in found
    assert (2, "why you were paired") in found


def test_every_figure_has_alternative_text(english: bytes) -> None:
    reader = read(english)
    figures = [e for e in elements(reader) if e["/S"] == "/Figure"]
    assert len(figures) == 2  # one QR code per exercise
    assert {str(f["/Alt"]) for f in figures} == {"QR code that opens this exercise on the tablet"}


def test_reading_order_follows_the_page(english: bytes) -> None:
    """On an exercise page: the day, the title, the QR code, then the prompts."""
    reader = read(english)
    order = [str(e["/S"]) for e in elements(reader)]
    first_h2 = next(i for i, s in enumerate(order) if s == "/H2" and i > order.index("/Table"))
    figure = order.index("/Figure")
    prompt = order.index("/H3", figure)
    assert first_h2 < figure < prompt


def test_every_table_has_header_cells(english: bytes) -> None:
    """The agenda's times head their rows, the check-in table's titles their columns."""
    reader = read(english)
    tables = 0
    for element in elements(reader):
        if element["/S"] == "/Table":
            tables += 1
            inside = list(elements_below(element))
            assert any(e["/S"] == "/TH" for e in inside)
    assert tables == 3  # two programme days and the check-ins


def elements_below(element: DictionaryObject) -> Iterator[DictionaryObject]:
    for kid in _kids(element):
        kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            yield kid
            yield from elements_below(kid)


def test_german_edition_has_german_words_dates_and_alt_text(
    pool: RenderPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_german_catalog(monkeypatch)
    reader = read(render_workbook_pdf(small("de"), pool=pool))
    assert_tagged(reader, "de")
    text = "".join(page.extract_text() for page in reader.pages).replace("-\n", "-")
    assert GERMAN["Buddy workbook"] in text
    assert "Buddy workbook" not in text
    assert "3.–4. März 2025" in " ".join(text.split()).replace("\u2009", "")
    titles = outline(reader)
    assert titles[0] == (1, "lernpartner-arbeitsbuch")
    assert (1, "inhalt") in titles
    assert (1, "tag 1 · montag, 3. märz") in titles
    assert (1, "tag 2 · dienstag, 4. märz") in titles
    assert [h for h in headings(reader) if h[0] <= 2] == titles
    alts = {str(e["/Alt"]) for e in elements(reader) if e["/S"] == "/Figure"}
    assert alts == {GERMAN["QR code that opens this exercise on the tablet"]}


def test_the_render_cache_never_answers_for_another_language(
    pool: RenderPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_german_catalog(monkeypatch)
    cache = PdfCache(tmp_path)
    english = make_sample_workbook(days=1, exercises_per_day=1, notes_pages=0)
    render_workbook_pdf(english, pool=pool, cache=cache)
    # The same workbook data, printed for a German reader.
    german = read(render_workbook_pdf(replace(english, language="de"), pool=pool, cache=cache))
    assert german.root_object["/Lang"] == "de"
    assert GERMAN["Contents"] in "".join(p.extract_text() for p in german.pages)


def test_merged_cohort_pdf_stays_tagged_with_each_workbook_in_its_language(
    pool: RenderPool, english: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_german_catalog(monkeypatch)
    german = render_workbook_pdf(small("de", owners=[Person("Grete Weiß", "g@x.org")]), pool=pool)
    merged_pdf = merge_pdfs(
        [("Ada Lovelace", english), ("Grete Weiß", german)], language="en", title="Cohort"
    )
    merged = read(merged_pdf)
    assert_tagged(merged, "en")
    assert_pdfinfo_tagged(merged_pdf, tmp_path)
    assert merged.metadata is not None
    assert merged.metadata.title == "Cohort"
    xmp = merged.root_object["/Metadata"].get_object().get_data()
    assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert b">Cohort</rdf:li>" in xmp
    document = merged.root_object["/StructTreeRoot"]["/K"][0].get_object()
    parts = [kid.get_object() for kid in document["/K"]]
    assert [(p["/S"], p["/Lang"], p["/T"]) for p in parts] == [
        ("/Part", "en", "Ada Lovelace"),
        ("/Part", "de", "Grete Weiß"),
    ]
    # Every page's marked content and every link is found again through the parent tree.
    nums = merged.root_object["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    keys = {int(nums[i]) for i in range(0, len(nums), 2)}
    pages = {page.indirect_reference.idnum for page in merged.pages if page.indirect_reference}
    annotations = {a.idnum for page in merged.pages for a in page.get("/Annots") or []}
    assert {int(page["/StructParents"]) for page in merged.pages} <= keys
    for page in merged.pages:
        for annotation in page.get("/Annots") or []:
            assert int(annotation.get_object()["/StructParent"]) in keys
    for element in elements(merged):
        if "/Pg" in element:
            assert element.raw_get("/Pg").idnum in pages
        for kid in _kids(element):
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR":
                assert kid.raw_get("/Obj").idnum in annotations
    # Both workbooks' headings, each under its owner's outline entry.
    assert [h for h in headings(merged) if h[0] <= 2] == [
        (depth - 1, title) for depth, title in outline(merged) if depth > 1
    ]
    assert [title for depth, title in outline(merged) if depth == 1] == [
        "ada lovelace",
        "grete weiß".casefold(),
    ]


@dataclass(frozen=True, slots=True)
class LanguageCard(CardData):
    """A card that knows its participant's language (what the card service passes)."""

    language: str = ""


def test_cards_are_tagged_with_alt_text_in_the_participants_language(
    pool: RenderPool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_german_catalog(monkeypatch)
    cards = [
        LanguageCard(f"Person {n}", "Frühjahr", f"K7Q-{n:03d}", f"http://x.test/join/{n}", "de")
        for n in range(3)
    ]
    pdf = render_cards_pdf("Frühjahr", list(cards), pool=pool)
    reader = read(pdf)
    assert_tagged(reader, "de")
    assert_pdfinfo_tagged(pdf, tmp_path)
    text = "".join(page.extract_text() for page in reader.pages)
    assert text.count("DEIN CODE") == 3
    alts = [str(e["/Alt"]) for e in elements(reader) if e["/S"] == "/Figure"]
    assert alts == [f"QR-Code: meldet Person {n} am Tablet an" for n in range(3)]
    assert outline(reader) == headings(reader) == [(1, f"person {n}") for n in range(3)]
    # Cards in different languages: each in its own, the sheet in the caller's.
    mixed = read(
        render_cards_pdf("Frühjahr", [cards[0], replace(cards[1], language="en")], pool=pool)
    )
    assert mixed.root_object["/Lang"] == "en"
    mixed_text = "".join(page.extract_text() for page in mixed.pages)
    assert "DEIN CODE" in mixed_text
    assert "YOUR CODE" in mixed_text
