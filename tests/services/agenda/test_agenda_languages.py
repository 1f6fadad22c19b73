"""The agenda, the run of show and the calendars name exercises in their reader's language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.core.i18n import use_locale
from app.models import Cohort, Participant, Person
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import Library, load_library

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([SHIPPED_LIBRARY])


@pytest.fixture
def cohort(session: Session, library: Library) -> Cohort:
    c = cohorts.create_cohort(
        session, name="Spring", start_date=date(2027, 3, 1), timezone="Europe/Berlin"
    )
    agenda.build_agenda(session, cohort=c, library=library)
    session.commit()
    return c


def title(library: Library, exercise_id: str, language: str) -> str:
    spec = library.get(exercise_id)
    return spec.title if language == "en" else spec.translations[language].title


def unfolded(ics: bytes) -> str:
    return ics.decode().replace("\r\n ", "")


def test_the_agenda_and_the_run_of_show_read_in_the_facilitators_language(
    session: Session, cohort: Cohort, library: Library
) -> None:
    for language in ("en", "de", "fr", "es"):
        with use_locale(language):
            view = agenda.get_agenda(session, cohort=cohort)
            titles = {e.exercise_id: e.title for d in view.days for e in d.entries}
            assert titles["opening-circle"] == title(library, "opening-circle", language)
    with use_locale("de"):
        run = agenda.act_on_run(
            session,
            cohort=cohort,
            action="start",
            now=datetime(2027, 3, 1, 9, 2, tzinfo=BERLIN),
            day=1,
        )
        assert run.current is not None
        assert run.current.title == title(library, "opening-circle", "de") != "Opening circle"


def test_calendars_speak_the_cohorts_or_the_participants_language(
    session: Session, cohort: Cohort, library: Library
) -> None:
    cohort.language = "fr"
    person = Person(email="ana@example.com", name="Ana")
    session.add(person)
    session.flush()
    assert person.id is not None
    ana = Participant(
        cohort_id=cohort.id, person_id=person.id, name="Ana", email="ana@example.com", language="es"
    )
    session.add(ana)
    session.flush()
    with use_locale("de"):  # whoever downloads them
        shared = unfolded(agenda.build_cohort_ics(session, cohort=cohort))
        own = unfolded(agenda.build_participant_ics(session, cohort=cohort, participant=ana))
    assert f"SUMMARY;LANGUAGE=fr:{title(library, 'opening-circle', 'fr')}" in shared
    assert f"SUMMARY;LANGUAGE=es:{title(library, 'opening-circle', 'es')}" in own
    assert title(library, "opening-circle", "de") not in shared + own
