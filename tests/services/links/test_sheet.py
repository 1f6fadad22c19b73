"""The link sheet: issuing it replaces everyone's sign-in links; CSV safe in a spreadsheet;
a tagged PDF with each person's name, address, link and QR code."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject
from sqlmodel import Session, select

from app.core.i18n import use_locale
from app.models import AuditEvent, SignInLink
from app.services import links
from app.services.printing import RenderPool
from tests.services.tablet.factories import World, make_world

BASE = "https://tandem.example.org"
WHEN = datetime(2027, 3, 15, 17, 30, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(1, timeout_s=60, memory_mb=1536) as shared:
        yield shared


def _rows() -> list[links.SheetRow]:
    return [
        links.SheetRow("Ana Lima", "ana@example.com", f"{BASE}/link/{'a' * 43}", WHEN),
        links.SheetRow(
            '=HYPERLINK("http://evil")', "@x@example.com", f"{BASE}/link/{'b' * 43}", WHEN
        ),
        links.SheetRow("+Ben", "-ben@example.com", f"{BASE}/link/{'c' * 43}", WHEN),
    ]


def test_issue_sheet_gives_everyone_a_new_link_and_retires_the_old_ones(
    session: Session, world: World
) -> None:
    assert world.ana.id is not None
    old = links.issue_link(session, world.ana.id, base_url=BASE)
    rows = links.issue_sheet(session, cohort=world.cohort, base_url=BASE, actor="facilitator:7")
    assert [r.name for r in rows] == ["Ana", "Ben", "Cai", "Dan"]
    assert all(r.url.startswith(f"{BASE}/link/") for r in rows)
    assert len({r.url for r in rows} | {old.url}) == 5
    assert str(rows[0].expires_at.tzinfo) == world.cohort.timezone
    live = session.exec(select(SignInLink).where(SignInLink.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    assert len(live) == 4
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "links.sheet")).one()
    assert (event.actor, event.detail) == ("facilitator:7", {"links": 4})


def test_links_csv_has_fixed_headers_and_neutralises_formulas() -> None:
    rows = list(csv.reader(io.StringIO(links.links_csv(_rows()))))
    assert rows == [
        ["name", "email", "link", "expires"],
        ["Ana Lima", "ana@example.com", f"{BASE}/link/{'a' * 43}", "2027-03-15T17:30+00:00"],
        [
            '\'=HYPERLINK("http://evil")',
            "'@x@example.com",
            f"{BASE}/link/{'b' * 43}",
            "2027-03-15T17:30+00:00",
        ],
        ["'+Ben", "'-ben@example.com", f"{BASE}/link/{'c' * 43}", "2027-03-15T17:30+00:00"],
    ]


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def test_the_pdf_sheet_is_tagged_and_lists_each_person_with_their_link(pool: RenderPool) -> None:
    pdf = links.render_links_pdf("Spring", _rows(), pool=pool)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None
    assert reader.metadata.title == "Spring · Personal sign-in links"
    text = _text(pdf)
    for row in _rows():
        assert row.name in text
        assert row.email in text
        assert row.url in text
    assert text.count("Works once, until") == 3
    titles = [str(item.title) for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Personal sign-in links"]


def test_the_pdf_sheet_speaks_the_language_of_whoever_prints_it(pool: RenderPool) -> None:
    with use_locale("de"):
        pdf = links.render_links_pdf("Frühling", _rows()[:1], pool=pool)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.root_object["/Lang"] == "de"


def test_each_qr_code_on_the_sheet_has_alternative_text() -> None:
    html = links.render_links_html("Spring", _rows())
    assert html.count("<title>QR code of the sign-in link of") == 3
    assert html.count('role="img"') == 3


def test_the_sheet_refuses_an_unknown_paper_size() -> None:
    from app.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        links.render_links_html("Spring", _rows(), paper="A5")  # type: ignore[arg-type]
