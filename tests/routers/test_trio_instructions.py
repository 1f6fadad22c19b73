"""A group of three reads how it shares the turns: on its members' tablets (a pair never
does), on the facilitator's run of show, and beside each exercise's credit on the library page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.models import Cohort, Facilitator, Participant
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import load_library
from app.services.privacy import current_group_of
from app.services.tablet import signin
from tests.conftest import join_tablet
from tests.services.tablet.factories import add_participant, make_group

SECRET = "x" * 48
LIBRARY = load_library([SHIPPED_LIBRARY])
MEET = LIBRARY.get("meet-your-buddy")
BEEN_THERE = LIBRARY.get("been-there-before")


@dataclass
class Trio:
    cohort: Cohort
    ana: Participant
    """In a pair with Ben."""
    cai: Participant
    """One of three, with Dan and Fay."""
    fay: Participant
    """One of three, reads German."""


@pytest.fixture
def trio(session: Session, facilitator: Facilitator) -> Trio:
    cohort = cohorts.create_cohort(
        session, name="Spring", start_date=date(2027, 3, 1), actor=facilitator
    )
    ana, ben, cai, dan, fay = (
        add_participant(session, cohort, name) for name in ("Ana", "Ben", "Cai", "Dan", "Fay")
    )
    fay.language = "de"
    session.add(fay)
    make_group(session, cohort, [ana, ben])
    make_group(session, cohort, [cai, dan, fay])
    agenda.build_agenda(session, cohort=cohort, library=LIBRARY)
    session.commit()
    return Trio(cohort, ana, cai, fay)


def _tablet(client: TestClient, session: Session, trio: Trio, who: Participant) -> TestClient:
    [card] = signin.issue_cards(
        session, cohort=trio.cohort, participants=[who], secret=SECRET, followup_days=180
    )
    session.commit()
    tablet = TestClient(client.app, follow_redirects=False)
    join_tablet(tablet, card.code)
    return tablet


def _page(tablet: TestClient, exercise_id: str) -> str:
    response = tablet.get(f"/p/exercises/{exercise_id}")
    assert response.status_code == 200
    return html.unescape(response.text)


def test_a_trio_member_reads_the_trio_instructions_and_a_pair_member_does_not(
    client: TestClient, session: Session, trio: Trio
) -> None:
    three = _page(_tablet(client, session, trio, trio.cai), "been-there-before")
    two = _page(_tablet(client, session, trio, trio.ana), "been-there-before")

    assert BEEN_THERE.trio_instructions is not None
    assert 'id="trio"' in three
    assert "You are three: how it works for you" in three
    assert BEEN_THERE.trio_instructions in three
    assert f"{BEEN_THERE.trio_minutes} minutes for the three of you" in three
    assert 'id="trio"' not in two
    assert BEEN_THERE.trio_instructions not in two


def test_a_trio_member_reads_no_trio_block_on_a_solo_exercise(
    client: TestClient, session: Session, trio: Trio
) -> None:
    assert 'id="trio"' not in _page(_tablet(client, session, trio, trio.cai), "career-lifeline")


def test_the_trio_instructions_are_in_the_members_language(
    client: TestClient, session: Session, trio: Trio
) -> None:
    page = _page(_tablet(client, session, trio, trio.fay), "been-there-before")
    german = BEEN_THERE.translations["de"].trio_instructions
    assert german is not None
    assert german in page
    assert "Sie sind zu dritt: So geht es für Sie" in page
    assert BEEN_THERE.trio_instructions not in page


def test_the_run_of_show_names_the_trio_and_what_it_does_differently(
    client: TestClient, signed_in: str, trio: Trio
) -> None:
    slug = trio.cohort.slug
    started = client.post(
        f"/cohorts/{slug}/now/start",
        data={"csrf_token": signed_in, "day": "1", "other_date": "true"},
    )
    assert started.status_code == 303
    opening = html.unescape(client.get(f"/cohorts/{slug}/now/panel").text)
    assert '<h1 class="now-title">Opening circle</h1>' in opening
    # A plenary: everyone does the same; the note already briefs the pair exercise that follows.
    assert f"Group of three in {MEET.title}" in opening

    client.post(f"/cohorts/{slug}/now/next", data={"csrf_token": signed_in})
    panel = html.unescape(client.get(f"/cohorts/{slug}/now/panel").text)

    assert f'<h1 class="now-title">{MEET.title}</h1>' in panel
    assert f"Group of three in {MEET.title}" in panel
    assert "<strong>Cai, Dan, and Fay</strong>" in panel
    assert "Ana" not in panel
    assert MEET.trio_instructions is not None
    assert MEET.trio_instructions in panel
    assert f"A pair needs {MEET.minutes} min, a group of three {MEET.trio_minutes} min." in panel


def test_the_run_of_show_has_no_trio_note_once_no_group_of_three_is_left(
    client: TestClient, signed_in: str, session: Session, trio: Trio
) -> None:
    group = current_group_of(session, participant=trio.cai)
    assert group is not None
    group.state = "ended"
    session.add(group)
    session.commit()
    slug = trio.cohort.slug
    client.post(
        f"/cohorts/{slug}/now/start",
        data={"csrf_token": signed_in, "day": "1", "other_date": "true"},
    )
    client.post(f"/cohorts/{slug}/now/next", data={"csrf_token": signed_in})
    panel = html.unescape(client.get(f"/cohorts/{slug}/now/panel").text)
    assert f'<h1 class="now-title">{MEET.title}</h1>' in panel
    assert 'id="trio-note"' not in panel


def test_the_library_page_shows_each_exercises_credit(client: TestClient, signed_in: str) -> None:
    page = html.unescape(client.get("/library").text)
    line = "By The Tandem team · licence CC-BY-4.0"
    assert page.count(line) == len(LIBRARY.exercises)
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">' in page
    german = html.unescape(client.get("/library?lang=de").text)
    assert german.count(line) == len(LIBRARY.exercises)  # the page's language, not the shown one
