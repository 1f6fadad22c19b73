"""Dates, times and numbers on the facilitator pages are written as the reader's locale writes
them: the agenda's day headings, the cohort's dates, the card list, the scores."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.core.i18n import gettext, use_locale
from app.models import Cohort, Facilitator
from app.routers.facilitator.matching import score
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import load_library


@pytest.fixture
def built(session: Session, facilitator: Facilitator) -> Cohort:
    cohort = cohorts.create_cohort(
        session, name="Spring", start_date=date(2027, 3, 4), actor=facilitator
    )
    agenda.build_agenda(session, cohort=cohort, library=load_library([SHIPPED_LIBRARY]))
    session.commit()
    return cohort


# The first day, 4 March 2027, is a Thursday.
DAY_ONE = {
    "en": "Thursday, March 4, 2027",
    "de": "Donnerstag, 4. März 2027",
    "fr": "jeudi 4 mars 2027",
    "es": "jueves, 4 de marzo de 2027",
}
COHORT_DATES = {
    "en": "Mar 4, 2027 – Mar 7, 2027",
    "de": "04.03.2027 – 07.03.2027",
    "fr": "4 mars 2027 – 7 mars 2027",
    "es": "4 mar 2027 – 7 mar 2027",
}


@pytest.mark.parametrize("language", sorted(DAY_ONE))
def test_the_agenda_heads_each_day_with_its_date_in_the_readers_locale(
    client: TestClient, signed_in: str, built: Cohort, language: str
) -> None:
    page = client.get(f"/cohorts/{built.slug}/agenda", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    with use_locale(language):  # the words from the language's catalog, the date from Babel
        heading = gettext("Day %(day)s · %(date)s", day=1, date=DAY_ONE[language])
    assert heading in page.text
    # Clock times are 24-hour in every language, as each writes them (the day starts at nine).
    assert ("9:00–" if language == "es" else "09:00–") in page.text
    for other, text in DAY_ONE.items():
        if other != language:
            assert text not in page.text


@pytest.mark.parametrize("language", sorted(COHORT_DATES))
def test_the_cohort_page_and_list_write_dates_in_the_readers_locale(
    client: TestClient, signed_in: str, built: Cohort, language: str
) -> None:
    headers = {"Accept-Language": language}
    page = client.get(f"/cohorts/{built.slug}", headers=headers).text
    assert COHORT_DATES[language] in page
    listing = client.get("/cohorts", headers=headers).text
    first_day = COHORT_DATES[language].split(" – ")[0]
    assert f'<time datetime="2027-03-04">{first_day}</time>' in listing


def test_the_matching_scores_use_the_readers_decimal_sign() -> None:
    with use_locale("de"):
        assert score(2.5) == "2,50"
        assert score(0, signed=True) == "+0,00"
        assert score(-1.26, signed=True, digits=1) == "-1,3"
    with use_locale("en"):
        assert score(2.5) == "2.50"
