"""What goes to paper: editions collect exactly what the cone of silence allows."""

from __future__ import annotations

import dataclasses
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
from app.services.plans import partnership
from app.services.plans import service as plans
from app.services.printing.render import Goal, PlanSection, WorkbookData, render_workbook_html
from app.services.privacy import print_consent
from app.services.roster import service as roster
from app.services.tablet import responses
from app.services.workbooks import export as workbook_export
from app.services.workbooks import service as workbooks

HEADER = "Name,Email,Level,Function,Country,Tenure\n"
ROWS = (
    "Ana Silva,ana@x.com,Manager,Finance,Portugal,3\nBen Okoro,ben@x.com,Manager,Sales,Nigeria,12\n"
)
PRIVATE = "CANARY-PRIVATE-ana-7731"
SHARED = "CANARY-SHARED-ana-4410"
BEN_PRIVATE = "CANARY-PRIVATE-ben-9902"
LETTER = "CANARY-LETTER-ana-5150"
PLAN_ASPIRATION = "CANARY-PLAN-ASPIRATION-ana-1204"
PLAN_GOAL = "CANARY-PLAN-GOAL-ana-7781"
ONLY_ANA = "CANARY-ONLY-ANA-ANSWERED-3390"


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


def _answer_prompt(
    session: Session, cohort: Cohort, who: Participant, exercise_id: str, prompt_id: str, text: str
) -> str:
    bound = next(b for b in program.program_of(session, cohort=cohort) if b.spec.id == exercise_id)
    responses.save_answer(
        session,
        participant=who,
        exercise=bound,
        prompt_id=prompt_id,
        value=text,
        base_version=0,
        idempotency_key=f"k-{who.id}-{exercise_id}-{prompt_id}",
    )
    session.commit()
    return prompt_id


def _plan(session: Session, who: Participant, *, shared: list[str]) -> None:
    plans.save_plan(
        session,
        participant=who,
        content={"aspiration": PLAN_ASPIRATION, "goals": [{"id": "g1", "what": PLAN_GOAL}]},
        base_version=0,
        idempotency_key=f"plan-{who.id}-1",
    )
    plans.set_shared_parts(session, participant=who, parts=shared)
    session.commit()


def _goal(what: str) -> Goal:
    return Goal(what=what, why="", actions=[], measure="", support="", target_date="")


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


def test_facilitator_export_prints_only_what_a_consenting_participant_shared(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, ben = planted
    letter = _answer_prompt(session, cohort, ana, "letter-to-myself", "letter", LETTER)
    assert letter == "letter"
    _plan(session, ana, shared=["goals"])
    ana.print_answers = True
    session.add(ana)
    session.commit()
    books = workbook_export.cohort_workbooks(
        session, cohort=cohort, edition="participant", settings=settings
    ).books
    by_owner = {b.owners[0].email: b for b in books}
    assert _texts(by_owner["ana@x.com"]) == SHARED
    assert by_owner["ana@x.com"].plan == PlanSection(
        aspiration="", goals=[_goal(PLAN_GOAL)], strengths="", obstacles=""
    )
    assert _texts(by_owner["ben@x.com"]) == ""
    assert by_owner["ben@x.com"].plan is None
    own = workbooks.collect_workbook(
        session,
        cohort=cohort,
        owners=[ana],
        edition="participant",
        settings=settings,
        requester=ana,
    )
    assert [t in _texts(own) for t in (PRIVATE, SHARED, LETTER)] == [True, True, True]
    assert own.plan is not None
    assert own.plan.aspiration == PLAN_ASPIRATION
    assert ben.print_answers is False


def test_a_withdrawn_consent_prints_nothing_and_deletes_filled_exports(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    from app.services.ops import jobs

    ana, _ = planted
    print_consent.set_print_consent(session, participant=ana, allow=True, settings=settings)
    filled = jobs.create_job(
        session, cohort=cohort, kind="workbooks", params={"edition": "pair"}, actor="test"
    )
    blank = jobs.create_job(
        session, cohort=cohort, kind="workbooks", params={"edition": "blank"}, actor="test"
    )
    for job in (filled, blank):
        assert job.id is not None
        jobs.job_dir(settings, job.id).mkdir(parents=True)
        (jobs.job_dir(settings, job.id) / "book.pdf").write_bytes(b"%PDF-")
        job.files = ["book.pdf"]
    removed = print_consent.set_print_consent(
        session, participant=ana, allow=False, settings=settings
    )
    assert removed == 1
    assert (filled.files, blank.files) == ([], ["book.pdf"])
    assert filled.message.startswith("These files were deleted because a participant took back")
    books = workbook_export.cohort_workbooks(
        session, cohort=cohort, edition="participant", settings=settings
    ).books
    assert [_texts(b) for b in books] == ["", ""]


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


def _shared_prompts(session: Session, cohort: Cohort) -> list[tuple[str, str]]:
    """(exercise, prompt) of the shared long-text prompts ``_answer`` can reach, in its order."""
    return [
        (bound.spec.id, prompt.id)
        for bound in program.program_of(session, cohort=cohort)
        if not (responses.is_gated(session, exercise=bound) and bound.spec.kind == "pair")
        for prompt in bound.spec.prompts
        if prompt.visibility == "buddy" and prompt.type == "long_text"
    ]


def test_pair_edition_is_the_same_book_whichever_buddy_asks_for_it(
    session: Session, cohort: Cohort, settings: Settings, planted: tuple[Participant, Participant]
) -> None:
    ana, ben = planted
    exercise_id, prompt_id = _shared_prompts(session, cohort)[1]  # [0]: both answered it
    _answer_prompt(session, cohort, ana, exercise_id, prompt_id, ONLY_ANA)
    _plan(session, ana, shared=["goals"])
    partnership.propose_rhythm(session, participant=ana, rhythm="30-60-90")
    partnership.agree_rhythm(session, participant=ben)
    session.commit()

    def book(owners: list[Participant], requester: Participant) -> WorkbookData:
        return workbooks.collect_workbook(
            session,
            cohort=cohort,
            owners=owners,
            edition="pair",
            settings=settings,
            requester=requester,
        )

    by_ana, by_ben = book([ana, ben], ana), book([ben, ana], ben)
    assert by_ana == by_ben
    assert [o.name for o in by_ana.owners] == ["Ana Silva", "Ben Okoro"]
    assert SHARED in _texts(by_ana)
    # Ben has not answered that prompt yet, so on screen he cannot read Ana's answer: nor on paper.
    assert ONLY_ANA not in _texts(by_ana)
    assert by_ana.plan is not None
    assert [g.what for g in by_ana.plan.goals] == [f"Ana Silva: {PLAN_GOAL}"]
    assert len(by_ana.checkins) == 3


def _four(session: Session, settings: Settings) -> Cohort:
    c = cohorts.create_cohort(session, name="Four", start_date=date(2027, 3, 1))
    four = ROWS + "Cai Dias,cai@x.com,Manager,IT,Spain,5\nDan Eze,dan@x.com,Manager,HR,Kenya,9\n"
    roster.import_roster(session, cohort=c, data=(HEADER + four).encode(), today=date(2026, 11, 26))
    program.bind_program(session, cohort=c, library=load_library([SHIPPED_LIBRARY]))
    pairing.run_matching(session, cohort=c)
    pairing.publish(session, cohort=c)
    session.commit()
    return c


def test_pair_export_leaves_out_an_ended_partnership_and_says_why(
    session: Session, settings: Settings
) -> None:
    c = _four(session, settings)
    ana = _person(session, c, "ana@x.com")
    ended = sorted(m.name for m in pairing.group_of(session, participant=ana).members)  # type: ignore[union-attr]
    partnership.change_partnership(session, participant=ana, state="ended", reason="no_time")
    session.commit()
    made = workbook_export.cohort_workbooks(session, cohort=c, edition="pair", settings=settings)
    others = sorted({"Ana Silva", "Ben Okoro", "Cai Dias", "Dan Eze"} - set(ended))
    assert [sorted(o.name for o in b.owners) for b in made.books] == [others]
    reason = "the buddy partnership has ended, so there is no pair workbook"
    assert made.skipped == [workbook_export.Skipped(ended, reason)]
    result = workbook_export.ExportResult(["four-pair.zip"], 1, made.skipped)
    assert result.summary() == (
        f"1 workbook exported. Not exported (1): {' & '.join(ended)}: {reason}."
    )


def test_export_summary_stays_within_the_job_message(session: Session) -> None:
    skipped = [
        workbook_export.Skipped([f"Person {n:02d} with a long name"], "has no buddy")
        for n in range(30)
    ]
    text = workbook_export.ExportResult([], 4, skipped).summary()
    assert len(text) <= workbook_export.MESSAGE_LIMIT
    assert text.startswith("4 workbooks exported. Not exported (30): Person 00 with a long")
    assert text.endswith(" more.")


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
    files = workbook_export.export_workbooks(
        session,
        cohort=cohort,
        edition="blank",
        settings=settings,
        out_dir=tmp_path,
        as_zip=True,
        merged=True,
    ).files
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


def test_each_workbook_is_collected_in_its_readers_language(
    session: Session,
    cohort: Cohort,
    settings: Settings,
    planted: tuple[Participant, Participant],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.services.printing.tiny_catalog import use_german_catalog

    use_german_catalog(monkeypatch)
    ana, ben = planted
    cohort.language = "fr"
    ana.language = "de"
    ben.language = ""
    mine = workbooks.collect_workbook(
        session,
        cohort=cohort,
        owners=[ana],
        edition="participant",
        settings=settings,
        requester=ana,
    )
    assert mine.language == "de"
    assert mine.cohort_dates_label.startswith("1.")
    assert "März 2027" in mine.cohort_dates_label
    assert mine.agenda_days[0].label == "Tag 1 · Montag, 1. März"
    # Ben reads the cohort's language; the pair shares none, so theirs is the cohort's too.
    assert workbooks.edition_language(cohort, [ben]) == "fr"
    assert workbooks.edition_language(cohort, [ana, ben]) == "fr"
    ben.language = "de"
    assert workbooks.edition_language(cohort, [ana, ben]) == "de"
    pair = workbooks.collect_workbook(
        session,
        cohort=cohort,
        owners=[ana, ben],
        edition="pair",
        settings=settings,
        requester=ana,
    )
    assert pair.language == "de"
    html = render_workbook_html(pair)
    assert '<html lang="de">' in html
    assert "Lernpartner-Arbeitsbuch" in html
    # A goal's target date, stored as ISO text, prints in the reader's format.
    goal = Goal(what="x", why="", actions=[], measure="", support="", target_date="2027-06-30")
    with_plan = dataclasses.replace(pair, plan=PlanSection("", [goal], "", ""))
    assert "30. Juni 2027" in render_workbook_html(with_plan)
