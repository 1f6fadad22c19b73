"""A participant's intake: saved whole or not at all, read by its writer only, closed once
the pairs are published; the facilitator sees who answered, never what."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.i18n import use_locale
from app.models import AuditEvent, Cohort, Facilitator, Participant
from app.models.intake import IntakeAnswer, IntakeAvoid
from app.services import intake
from app.services.intake import IntakeChoices
from app.services.privacy import read_intake
from tests.services.tablet.factories import add_participant, make_cohort, make_group


def _cohort(session: Session) -> tuple[Cohort, list[Participant]]:
    cohort = make_cohort(session)
    people = [add_participant(session, cohort, n) for n in ("Ana", "Ben", "Cai", "Dan")]
    people[0].tags, people[0].languages = ["Turnarounds", "finance"], ["English"]
    people[1].tags, people[1].languages = ["international teams", "finance"], ["German"]
    people[2].tags = ["Finance"]
    session.add_all(people)
    session.commit()
    return cohort, people


def test_the_choices_are_the_rosters_tags_and_languages_once_each(session: Session) -> None:
    cohort, _ = _cohort(session)
    vocabulary = intake.cohort_vocabulary(session, cohort=cohort)
    assert vocabulary.tags == ["finance", "international teams", "Turnarounds"]
    assert vocabulary.languages == ["English", "German"]


def test_an_intake_is_saved_and_read_back_by_its_writer_alone(
    session: Session, facilitator: Facilitator
) -> None:
    _, (ana, ben, cai, _) = _cohort(session)
    choices = IntakeChoices(
        offers=["FINANCE"],
        wants=["turnarounds", "international teams"],
        languages=["German"],
        avoid=[cai.id or 0],
        notes={"want-to-learn": "  how to say no to my boss  "},
    )
    intake.save_intake(session, participant=ana, choices=choices)
    session.commit()
    mine = read_intake(session, viewer=ana, owner=ana)
    assert (mine.offers, mine.wants, mine.languages, mine.avoid_ids, mine.notes) == (
        ["finance"],
        ["international teams", "Turnarounds"],
        ["German"],
        [cai.id],
        {"want-to-learn": "how to say no to my boss"},
    )
    for viewer in (ben, facilitator, None):
        with pytest.raises(NotFound):
            read_intake(session, viewer=viewer, owner=ana)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "intake.save")).one()
    assert (event.actor, event.detail) == (f"participant:{ana.id}", {})


def test_a_change_replaces_the_earlier_answers_and_keeps_the_first_date(
    session: Session,
) -> None:
    _, (ana, ben, _cai, dan) = _cohort(session)
    first = intake.save_intake(
        session, participant=ana, choices=IntakeChoices(offers=["finance"], avoid=[ben.id or 0])
    )
    again = intake.save_intake(
        session, participant=ana, choices=IntakeChoices(wants=["finance"], avoid=[dan.id or 0])
    )
    assert (again.offers, again.wants, again.avoid_ids) == ([], ["finance"], [dan.id])
    assert again.submitted_at == first.submitted_at
    assert len(session.exec(select(IntakeAvoid)).all()) == 1


def test_bad_choices_are_refused_whole_and_nothing_is_stored(session: Session) -> None:
    _, (ana, _ben, _cai, _dan) = _cohort(session)
    other = add_participant(session, make_cohort(session, "Autumn"), "Eve")
    choices = IntakeChoices(
        offers=["finance", "juggling"],
        wants=["a", "b", "c", "d", "e", "f"],
        avoid=[ana.id or 0, other.id or 0],
        notes={"want-to-learn": "x" * 2001},
    )
    with pytest.raises(InvalidInput) as caught:
        intake.save_intake(session, participant=ana, choices=choices)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("offers", "“juggling” is not one of the choices"),
        ("wants", "“a” is not one of the choices"),
        ("wants", "“b” is not one of the choices"),
        ("wants", "“c” is not one of the choices"),
        ("wants", "“d” is not one of the choices"),
        ("wants", "“e” is not one of the choices"),
        ("wants", "“f” is not one of the choices"),
        ("wants", "choose at most 5"),
        ("avoid", "choose people of your cohort"),
        ("note-want-to-learn", "at most 2000 characters"),
    ]
    assert session.exec(select(IntakeAnswer)).all() == []
    assert session.exec(select(IntakeAvoid)).all() == []


def test_the_intake_closes_when_the_pairs_are_published(session: Session) -> None:
    cohort, (ana, ben, cai, dan) = _cohort(session)
    intake.save_intake(session, participant=ana, choices=IntakeChoices(offers=["finance"]))
    make_group(session, cohort, [ana, ben], state="proposed")
    assert intake.intake_open(session, cohort=cohort)
    make_group(session, cohort, [cai, dan])
    with pytest.raises(Conflict):
        intake.save_intake(session, participant=ana, choices=IntakeChoices())
    page = intake.intake_page(session, participant=ana, language="fr")
    assert (page.editable, page.answers.offers) == (False, ["finance"])
    assert page.form.title == "Avant le premier jour"
    assert [c.name for c in page.colleagues] == ["Ben", "Cai", "Dan"]


def test_the_status_says_who_answered_and_when_but_not_what(session: Session) -> None:
    cohort, (_ana, ben, _cai, _dan) = _cohort(session)
    intake.save_intake(
        session,
        participant=ben,
        choices=IntakeChoices(offers=["finance"], notes={"want-to-learn": "secret"}),
    )
    status = intake.intake_status(session, cohort=cohort)
    assert [(r.name, r.submitted_at is not None) for r in status.rows] == [
        ("Ana", False),
        ("Ben", True),
        ("Cai", False),
        ("Dan", False),
    ]
    assert (status.answered, [r.name for r in status.waiting], status.open) == (
        1,
        ["Ana", "Cai", "Dan"],
        True,
    )
    assert "secret" not in repr(status)
    assert "finance" not in repr(status)


def test_a_problem_is_placed_at_its_question_in_the_readers_language(session: Session) -> None:
    _, (ana, *_others) = _cohort(session)
    with use_locale("de"), pytest.raises(InvalidInput) as caught:
        intake.save_intake(session, participant=ana, choices=IntakeChoices(offers=["juggling"]))
    [problem] = caught.value.problems
    assert (problem.where, problem.message) == (
        "Was können Sie einem Buddy aus Ihrer eigenen Erfahrung bieten?",
        "„juggling“ gehört nicht zur Auswahl",
    )
