"""Which language a participant reads, and changing it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from app.core.errors import InvalidInput
from app.demo.seed import DEMO_COHORT, DEMO_READERS, seed_demo
from app.models import AuditEvent, Cohort, Participant
from app.services import tablet
from tests.services.tablet.factories import World, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_a_participant_reads_their_language_else_their_cohorts(
    session: Session, world: World
) -> None:
    world.cohort.language = "fr"
    assert tablet.language_of(world.ana, world.cohort) == "fr"
    world.ana.language = "de"
    assert tablet.language_of(world.ana, world.cohort) == "de"
    assert tablet.participant_language(session, world.ana) == "de"
    world.ana.language = "pt"  # a language Tandem does not speak reads as the cohort's
    assert tablet.language_of(world.ana, world.cohort) == "fr"
    world.cohort.language = ""
    assert tablet.language_of(world.ana, world.cohort) == "en"
    assert tablet.language_of(world.ana, None) == "en"


def test_changing_the_language_saves_it_once_and_audits_only_the_code(
    session: Session, world: World
) -> None:
    assert tablet.set_participant_language(session, participant=world.ana, language="es") == "es"
    assert tablet.set_participant_language(session, participant=world.ana, language="es") == "es"
    assert world.ana.language == "es"
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "participant.language"))
    assert [e.detail for e in events] == [{"language": "es"}]


@pytest.mark.parametrize("code", ["xx", "", "de-DE", "DE", "<b>"])
def test_an_unknown_code_is_refused_naming_the_choices(
    session: Session, world: World, code: str
) -> None:
    world.ana.language = "fr"
    with pytest.raises(InvalidInput) as refused:
        tablet.set_participant_language(session, participant=world.ana, language=code)
    assert [p.message for p in refused.value.problems] == [
        "Choose one of the languages offered: English, Deutsch, Français, Español."
    ]
    assert world.ana.language == "fr"


def test_sign_in_summaries_read_in_the_readers_language() -> None:
    agent = "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) Version/17.4 Mobile/15E148 Safari/604.1"
    assert tablet.device_parts(agent) == ("Safari", "ipad")
    assert tablet.device_label("Safari", "ipad") == "Safari on an iPad"
    assert tablet.device_label("", "linux") == "a browser on Linux"
    assert tablet.device_label("", "") == "a browser"


def test_the_demo_cohort_shows_languages_off(session: Session) -> None:
    assert seed_demo(session, today=date(2026, 12, 3))
    cohort = session.exec(select(Cohort).where(Cohort.name == DEMO_COHORT)).one()
    assert cohort.language == "en"
    people = session.exec(select(Participant).where(Participant.cohort_id == cohort.id)).all()
    readers = {p.email: tablet.language_of(p, cohort) for p in people}
    for email, language in DEMO_READERS.items():
        assert readers[email] == language
    assert set(readers.values()) == {"en", "de", "fr", "es"}


def test_printed_cards_speak_their_owners_language(session: Session, world: World) -> None:
    world.cohort.language = "fr"
    world.ana.language = "de"
    issued = [
        tablet.IssuedCard(person, f"token-{n}", f"K7Q-{n:03d}", datetime(2027, 3, 1, tzinfo=UTC))
        for n, person in enumerate((world.ana, world.ben))
    ]
    cards = tablet.cards_of(issued, world.cohort, "https://tandem.example/")
    assert [(c.name, c.language) for c in cards] == [(world.ana.name, "de"), (world.ben.name, "fr")]
    assert cards[0].url == "https://tandem.example/join/token-0"
    assert {c.cohort_name for c in cards} == {world.cohort.name}
