"""What goes to paper: editions collect exactly what the cone of silence allows."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY, Settings
from app.models import Cohort, Participant
from app.services.cohorts import service as cohorts
from app.services.library import program
from app.services.library.loader import load_library
from app.services.matching import pairing
from app.services.printing.render import WorkbookData
from app.services.roster import service as roster
from app.services.tablet import responses
from app.services.workbooks import service as workbooks

HEADER = "Name,Email,Level,Function,Country,Tenure\n"
ROWS = (
    "Ana Silva,ana@x.com,Manager,Finance,Portugal,3\nBen Okoro,ben@x.com,Manager,Sales,Nigeria,12\n"
)
PRIVATE = "CANARY-PRIVATE-ana-7731"
SHARED = "CANARY-SHARED-ana-4410"
BEN_PRIVATE = "CANARY-PRIVATE-ben-9902"


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(session, name="Print Test", start_date=date(2027, 3, 1))
    roster.import_roster(session, cohort=c, data=(HEADER + ROWS).encode(), today=date(2026, 11, 26))
    program.bind_program(session, cohort=c, library=load_library([SHIPPED_LIBRARY]))
    pairing.run_matching(session, cohort=c)
    pairing.publish(session, cohort=c)
    session.commit()
    return c


def _person(session: Session, cohort: Cohort, email: str) -> Participant:
    return pairing.participant_by_email(session, cohort=cohort, email=email)


def _answer(session: Session, cohort: Cohort, who: Participant, visibility: str, text: str) -> str:
    for bound in program.program_of(session, cohort=cohort):
        if responses.is_gated(session, exercise=bound) and bound.spec.kind == "pair":
            continue
        for prompt in bound.spec.prompts:
            if prompt.visibility == visibility and prompt.type == "long_text":
                responses.save_answer(
                    session,
                    participant=who,
                    exercise=bound,
                    prompt_id=prompt.id,
                    value=text,
                    base_version=0,
                    idempotency_key=f"k-{who.id}-{bound.spec.id}-{prompt.id}",
                )
                session.commit()
                return prompt.id
    raise AssertionError(f"no {visibility} long-text prompt")


def _texts(data: WorkbookData) -> str:
    return " ".join(a.text for e in data.exercises for p in e.prompts for a in p.answers)


@pytest.fixture
def planted(session: Session, cohort: Cohort) -> tuple[Participant, Participant]:
    ana, ben = _person(session, cohort, "ana@x.com"), _person(session, cohort, "ben@x.com")
    responses.accept_agreement(session, participant=ana)
    responses.accept_agreement(session, participant=ben)
    session.commit()
    _answer(session, cohort, ana, "private", PRIVATE)
    _answer(session, cohort, ana, "buddy", SHARED)
    _answer(session, cohort, ben, "buddy", "Ben shared too")
    _answer(session, cohort, ben, "private", BEN_PRIVATE)
    return ana, ben


def test_participant_edition_for_themself_has_their_own_answers_only(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, _ = planted
    data = workbooks.collect_workbook(
        session,
        cohort=cohort,
        owners=[ana],
        edition="participant",
        settings=settings,
        requester=ana,
    )
    text = _texts(data)
    assert PRIVATE in text
    assert SHARED in text
    assert BEN_PRIVATE not in text
    assert data.buddy_names == ["Ben Okoro"]
    assert data.pairing_reasons


def test_facilitator_export_prints_answers_only_for_those_who_opted_in(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, _ben = planted
    ana.print_answers = True
    session.add(ana)
    session.commit()
    books = workbooks.cohort_workbooks(
        session, cohort=cohort, edition="participant", settings=settings
    )
    by_owner = {b.owners[0].email: _texts(b) for b in books}
    assert PRIVATE in by_owner["ana@x.com"]
    assert BEN_PRIVATE not in by_owner["ben@x.com"]
    assert by_owner["ben@x.com"] == ""


def test_pair_edition_never_carries_private_answers(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, ben = planted
    data = workbooks.collect_workbook(
        session, cohort=cohort, owners=[ana, ben], edition="pair", settings=settings, requester=ana
    )
    text = _texts(data)
    assert SHARED in text
    assert "Ben shared too" in text
    assert PRIVATE not in text
    assert BEN_PRIVATE not in text


def test_blank_edition_has_no_answers_but_the_agenda_and_lines(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, _ = planted
    data = workbooks.collect_workbook(
        session, cohort=cohort, owners=[ana], edition="blank", settings=settings, requester=ana
    )
    assert _texts(data) == ""
    assert data.pairing_reasons == []
    assert all(p.lines >= 0 for e in data.exercises for p in e.prompts)
    assert data.exercises[0].qr_url == f"http://testserver/p/exercises/{data.exercises[0].id}"


def test_unknown_edition_is_refused(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    from app.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        workbooks.collect_workbook(
            session,
            cohort=cohort,
            owners=[planted[0]],
            edition="x",  # type: ignore[arg-type]
            settings=settings,
            requester=None,
        )


@pytest.mark.one_database
def test_participant_pdf_reads_back_with_their_canary_and_not_the_buddys(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, _ = planted
    pdf = workbooks.participant_workbook_pdf(session, participant=ana, settings=settings)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\u200b", "")
    assert PRIVATE in text
    assert BEN_PRIVATE not in text
    assert "Ana Silva" in reader.pages[2].extract_text()
    assert len(reader.outline) >= 4
    assert reader.metadata is not None
    assert reader.metadata.title


@pytest.mark.one_database
def test_export_job_writes_zip_and_merged_pdf(
    session: Session, cohort: Cohort, settings: Settings, tmp_path: Path
) -> None:
    files = workbooks.export_workbooks(
        session,
        cohort=cohort,
        edition="blank",
        settings=settings,
        out_dir=tmp_path,
        as_zip=True,
        merged=True,
    )
    assert files == ["print-test-blank.zip", "print-test-blank.pdf"]
    merged = PdfReader(tmp_path / "print-test-blank.pdf")
    assert [o.title for o in merged.outline if not isinstance(o, list)] == [
        "Ana Silva",
        "Ben Okoro",
    ]


@pytest.mark.one_database
def test_erasure_also_forgets_printed_copies(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    from app.services.ops import jobs

    ana, _ = planted
    workbooks.participant_workbook_pdf(session, participant=ana, settings=settings)
    job = jobs.create_job(session, cohort=cohort, kind="workbooks", params={}, actor="test")
    assert job.id is not None
    folder = jobs.job_dir(settings, job.id)
    folder.mkdir(parents=True)
    (folder / "print-test-participant.pdf").write_bytes(b"%PDF- canary")
    job.files = ["print-test-participant.pdf"]
    assert any((settings.var_dir / "pdf-cache").rglob("*.pdf"))
    removed = workbooks.forget_printed_copies(session, settings=settings, cohort=cohort)
    assert removed >= 2
    assert not (settings.var_dir / "pdf-cache").exists()
    assert not folder.exists()
    assert job.files == []
