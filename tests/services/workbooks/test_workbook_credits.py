"""On paper: each exercise's credit, the credits and licences page, and the trio instructions
in the books of a group of three (never in a pair's), read back from the PDF."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY, Settings
from app.models import Cohort, Participant
from app.services.cohorts import service as cohorts
from app.services.library import program
from app.services.library.loader import load_library
from app.services.matching import pairing
from app.services.roster import service as roster
from app.services.workbooks import service as workbooks
from tests.services.printing.test_workbook_tagged import (
    assert_tagged,
    elements,
    elements_below,
    headings,
    outline,
)

HEADER = "Name,Email,Level,Function,Country,Tenure\n"
THREE = (
    "Ana Silva,ana@x.com,Manager,Finance,Portugal,3\n"
    "Ben Okoro,ben@x.com,Manager,Sales,Nigeria,12\n"
    "Cai Wong,cai@x.com,Director,Engineering,Singapore,7\n"
)
LIBRARY = load_library([SHIPPED_LIBRARY])
PAIR_EXERCISES = [s for s in LIBRARY.ordered() if s.kind == "pair"]


def _cohort(session: Session, rows: str, name: str) -> Cohort:
    c = cohorts.create_cohort(session, name=name, start_date=date(2027, 3, 1))
    roster.import_roster(session, cohort=c, data=(HEADER + rows).encode(), today=date(2026, 11, 26))
    program.bind_program(session, cohort=c, library=LIBRARY)
    pairing.run_matching(session, cohort=c)
    pairing.publish(session, cohort=c)
    session.commit()
    return c


def _ana(session: Session, cohort: Cohort) -> Participant:
    return pairing.participant_by_email(session, cohort=cohort, email="ana@x.com")


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.replace("\u200b", "").replace("-\n", "").split())


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.one_database
def test_a_trios_pair_workbook_prints_trio_instructions_credits_and_stays_tagged(
    session: Session, settings: Settings
) -> None:
    cohort = _cohort(session, THREE, "Trio Print")
    cohort.language = "de"
    session.add(cohort)
    session.commit()
    ana = _ana(session, cohort)

    reader, text = _text(workbooks.pair_workbook_pdf(session, participant=ana, settings=settings))

    been_there = LIBRARY.get("been-there-before").translations["de"].trio_instructions
    assert been_there is not None
    assert _flat(been_there).split(". ")[0] in text
    assert text.count("Zu dritt") >= len(PAIR_EXERCISES)
    assert text.count("Von The Tandem team · Lizenz CC-BY-4.0") == 2 * len(LIBRARY.exercises)
    assert "Nachweise und Lizenzen" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    # Tagged PDF/UA: the credits page and the trio blocks keep the heading order and outline.
    assert_tagged(reader, "de")
    found = headings(reader)
    levels = [level for level, _ in found]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert (1, "nachweise und lizenzen") in found
    assert [h for h in found if h[0] <= 2] == outline(reader)
    tables = [e for e in elements(reader) if e["/S"] == "/Table"]
    assert all(any(k["/S"] == "/TH" for k in elements_below(t)) for t in tables)


def test_a_pairs_workbook_has_the_credits_but_no_trio_instructions(
    session: Session, settings: Settings
) -> None:
    cohort = _cohort(session, THREE.rsplit("Cai", 1)[0], "Pair Print")
    ana = _ana(session, cohort)
    members = [ana, pairing.participant_by_email(session, cohort=cohort, email="ben@x.com")]
    data = workbooks.collect_workbook(
        session, cohort=cohort, owners=members, edition="pair", settings=settings, requester=ana
    )
    assert [e.trio_instructions for e in data.exercises] == [""] * len(data.exercises)
    assert {e.credit for e in data.exercises} == {"By The Tandem team · licence CC-BY-4.0"}
    assert [(n.license, n.url) for n in data.licences] == [
        ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")
    ]


def test_a_trio_members_own_workbook_prints_the_trio_instructions(
    session: Session, settings: Settings
) -> None:
    cohort = _cohort(session, THREE, "Trio Own")
    ana = _ana(session, cohort)
    data = workbooks.collect_workbook(
        session, cohort=cohort, owners=[ana], edition="participant", settings=settings,
        requester=ana,
    )  # fmt: skip
    printed = {e.id: e.trio_instructions for e in data.exercises if e.trio_instructions}
    assert printed == {s.id: s.trio_instructions for s in PAIR_EXERCISES}
