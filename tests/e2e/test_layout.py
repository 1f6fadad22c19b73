"""Layout in a real Chromium, as a facilitator on a 1366x768 laptop and a participant on a
tablet see it: nothing wider than the screen, one person per erase line, a saved bar that
covers no question, a printed agenda that starts on its first page, and the cohort overview."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.demo import read_demo_roster
from app.models import Cohort
from app.services.accounts import service as accounts
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import load_library
from app.services.matching import pairing
from app.services.roster import service as roster
from app.services.tablet import signin
from tests.e2e.conftest import SECRET, LiveServer, sign_in_tablet
from tests.services.tablet.factories import make_world

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}
LANDSCAPE_TABLET = {"width": 1180, "height": 820}
PASSWORD = "a-long-enough-password"
EMAIL = "fay@example.com"


def seed_cohort(live: LiveServer) -> Cohort:
    """The demo roster imported, paired and published, and its agenda built, by an admin."""
    with Session(live.engine, expire_on_commit=False) as session:
        user = accounts.create_facilitator(
            session, email=EMAIL, name="Fay", password=PASSWORD, admin=True
        )
        cohort = cohorts.create_cohort(
            session, name="Lakeside", start_date=date(2027, 3, 1), actor=user
        )
        roster.import_roster(
            session, cohort=cohort, data=read_demo_roster(), today=date(2026, 11, 26)
        )
        pairing.run_matching(session, cohort=cohort)
        pairing.publish(session, cohort=cohort)
        agenda.build_agenda(session, cohort=cohort, library=load_library([SHIPPED_LIBRARY]))
        session.commit()
    return cohort


def laptop(browser: Any, live: LiveServer) -> Any:
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live.base_url}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.base_url}/cohorts")
    return page


def overflow(page: Any) -> dict[str, Any]:
    """How far the document and each table reach past the window's right edge (px)."""
    return dict(
        page.evaluate(
            """() => ({
              document: document.documentElement.scrollWidth - window.innerWidth,
              tables: [...document.querySelectorAll('table')].map(
                t => Math.ceil(t.getBoundingClientRect().right - window.innerWidth)),
            })"""
        )
    )


@pytest.mark.parametrize("tab", ["/roster", "/progress", "/plans", "/agenda", ""])
def test_facilitator_pages_fit_a_laptop_screen(
    live_server: LiveServer, browser: Any, tab: str
) -> None:
    cohort = seed_cohort(live_server)
    page = laptop(browser, live_server)

    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}{tab}")

    reach = overflow(page)
    assert reach["document"] <= 0
    assert [r for r in reach["tables"] if r > 0] == []
    page.context.close()


def test_each_erase_button_sits_on_its_own_persons_line(
    live_server: LiveServer, browser: Any
) -> None:
    cohort = seed_cohort(live_server)
    page = laptop(browser, live_server)
    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}/plans")

    rows = page.evaluate(
        """() => [...document.querySelectorAll('#data-rights form[action$="/erase"]')].map(f => {
             const box = e => e.getBoundingClientRect();
             const label = box(f.querySelector('label')), button = box(f.querySelector('button'));
             return {label: [label.top, label.bottom], button: [button.top, button.bottom]};
           })"""
    )

    assert len(rows) == 26
    for row in rows:
        label_top, label_bottom = row["label"]
        button_top, button_bottom = row["button"]
        middle = (button_top + button_bottom) / 2
        assert label_top <= middle <= label_bottom or button_top <= label_top <= button_bottom
    tops = [r["button"][0] for r in rows]
    assert tops == sorted(tops)
    assert len(set(tops)) == len(tops)
    page.context.close()


def test_the_cohort_overview_shows_roster_pairs_agenda_and_progress(
    live_server: LiveServer, browser: Any
) -> None:
    cohort = seed_cohort(live_server)
    page = laptop(browser, live_server)

    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}")

    cards = page.locator("#dashboard .dash-card")
    assert cards.count() == 4
    assert page.inner_text("#dash-roster .figure") == "26 participants"
    assert page.inner_text("#dash-pairs .figure") == "13 groups published"
    assert page.inner_text("#dash-agenda .figure") == "29 exercises over 4 days"
    assert page.inner_text("#dash-progress .figure") == "0 of 26 have started"
    tops = {round(cards.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == 1  # side by side on a laptop
    page.context.close()


def test_the_printed_agenda_starts_on_its_first_page(live_server: LiveServer, browser: Any) -> None:
    cohort = seed_cohort(live_server)
    page = laptop(browser, live_server)
    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}/agenda")
    page.emulate_media(media="print")

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))

    # pypdf reads the "ff" ligature as one character; read it back as two letters.
    texts = [p.extract_text().replace("\ufb00", "ff") for p in pdf.pages]
    assert len(texts) == 4
    assert "Agenda" in texts[0]
    assert "Day 1 · Monday, March 1, 2027" in texts[0]  # the reader's locale (English)
    assert "Opening circle" in texts[0]
    assert [f"Day {n} ·" in texts[n - 1] for n in range(1, 5)] == [True] * 4
    assert "15:15–15:30 Coffee break\n" in texts[0] + "\n"
    assert "Coffee break break" not in "".join(texts)
    assert "Lunch lunch" not in "".join(texts)
    page.context.close()


def test_the_saved_bar_never_covers_the_next_question(
    live_server: LiveServer, browser: Any
) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        world = make_world(session)
        [card] = signin.issue_cards(
            session, cohort=world.cohort, participants=[world.ana], secret=SECRET, followup_days=180
        )
        session.commit()
    # A tablet held in landscape: the next question is below the fold and scrolls up into view.
    page = browser.new_context(viewport=LANDSCAPE_TABLET, has_touch=True).new_page()
    sign_in_tablet(page, live_server, card.code)
    page.goto(f"{live_server.base_url}/p/exercises/meet-your-buddy")
    page.locator("#q-their-week").fill("A busy week of hiring.")
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=15_000)

    for prompt in ("first-impression",):
        # The next question's title at the bottom edge of the screen, where a reader meets it.
        page.evaluate(f"document.getElementById('leg-{prompt}').scrollIntoView({{block: 'end'}})")
        bar = page.locator("#save-status").bounding_box()
        title = page.locator(f"#leg-{prompt}").bounding_box()

        assert bar is not None
        assert title is not None
        apart_vertically = bar["y"] + bar["height"] <= title["y"] or (
            title["y"] + title["height"] <= bar["y"]
        )
        apart_sideways = bar["x"] + bar["width"] <= title["x"] or (
            title["x"] + title["width"] <= bar["x"]
        )
        assert apart_vertically or apart_sideways
        assert bar["y"] >= 0
        assert bar["y"] + bar["height"] <= LANDSCAPE_TABLET["height"]
        assert title["y"] + title["height"] == pytest.approx(LANDSCAPE_TABLET["height"], abs=1)
    page.context.close()
