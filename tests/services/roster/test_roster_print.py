"""Roster names that look like spreadsheet formulas print as the literal text, never as links."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.models import Cohort
from app.services.cohorts import service as cohorts
from app.services.printing.pool import RenderPool
from app.services.printing.render import ZWSP, render_workbook_pdf
from app.services.printing.sample import make_sample_workbook
from app.services.roster import service as roster
from app.services.tablet.cards import CardData, render_cards_pdf

FILE = (
    "Name,Email\n"
    '"=HYPERLINK(""http://evil.example/x"",""Click"")",eve@example.com\n'
    "@SUM(A1:A2),sam@example.com\n"
)
NAMES = ['=HYPERLINK("http://evil.example/x","Click")', "@SUM(A1:A2)"]


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(1, timeout_s=60, memory_mb=1536) as shared:
        yield shared


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(session, name="Spring Intensive", start_date=date(2027, 3, 1))
    roster.import_roster(
        session, cohort=c, data=FILE.encode(), today=date(2026, 11, 26), accept_warnings=True
    )
    session.commit()
    return c


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # A long name wraps on a card; the words, not the line breaks, are what is printed.
    text = "".join(page.extract_text() for page in reader.pages)
    return text.replace(ZWSP, "").replace("\n", "")


def _link_targets(pdf: bytes) -> list[str]:
    targets = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            targets.append(str(action.get("/URI", "")))
    return targets


def test_cards_print_formula_names_as_text(
    session: Session, cohort: Cohort, pool: RenderPool
) -> None:
    people = roster.list_participants(session, cohort=cohort)
    assert [p.name for p in people] == NAMES
    cards = [
        CardData(p.name, cohort.name, f"ABCD-EF{i}", f"http://127.0.0.1:8000/join/{'t' * 30}{i}")
        for i, p in enumerate(people)
    ]
    pdf = render_cards_pdf(cohort.name, cards, pool=pool)
    text = _text(pdf)
    assert [text.count(name) for name in NAMES] == [1, 1]
    assert [t for t in _link_targets(pdf) if "evil" in t] == []


def test_workbooks_print_formula_names_as_text(
    session: Session, cohort: Cohort, pool: RenderPool
) -> None:
    owner = roster.list_participants(session, cohort=cohort)[0].name
    data = make_sample_workbook(owner_name=owner, exercises_per_day=1, days=1, notes_pages=0)
    pdf = render_workbook_pdf(data, pool=pool)
    assert NAMES[0] in _text(pdf)
    assert [t for t in _link_targets(pdf) if "evil" in t] == []
