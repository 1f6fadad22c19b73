"""A check-in on a phone, as the reminder mail's link opens it: "We met" and "We moved it"
are one tap each, large enough for a thumb, and the page never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.models.plans import CheckIn
from app.services.plans import checkins, partnership
from app.services.tablet import signin
from tests.e2e.conftest import SECRET, LiveServer, sign_in_tablet
from tests.services.tablet.factories import make_world

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _seed(live: LiveServer) -> tuple[int, str]:
    with Session(live.engine, expire_on_commit=False) as session:
        world = make_world(session)
        partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
        partnership.agree_rhythm(session, participant=world.ben)
        first = checkins.group_checkins(session, group=world.group)[0]
        [card] = signin.issue_cards(
            session, cohort=world.cohort, participants=[world.ana], secret=SECRET, followup_days=180
        )
        session.commit()
        assert first.id is not None
        return first.id, card.code


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_we_met_and_we_moved_it_on_a_phone(live_server: LiveServer, phone_page: Any) -> None:
    checkin_id, code = _seed(live_server)
    page = phone_page
    sign_in_tablet(page, live_server, code)
    page.goto(f"{live_server.base_url}/p/partnership/checkins/{checkin_id}")
    expect(page.locator("h1")).to_have_text("Check-in 1 with Ben")
    we_met = page.locator("#we-met")
    box = we_met.bounding_box()
    assert box is not None
    # In the first screen, the width of the phone, and tall enough for a thumb.
    assert (box["y"] + box["height"] <= PHONE["height"], box["width"] >= 300) == (True, True)
    assert box["height"] >= 48
    assert _fits_the_screen(page)
    with page.expect_navigation():
        we_met.tap()
    expect(page.locator("#checkin-state")).to_have_text("We met")
    expect(page.locator("#held-thanks")).to_be_visible()

    page.locator("#move > summary").tap()
    page.fill("#move-day", "2027-04-12")
    page.fill("#move-at", "17:15")
    with page.expect_navigation():
        page.locator("#save-move").tap()
    expect(page.locator("#checkin-state")).to_have_text("Moved")
    expect(page.locator(".checkin-when")).to_contain_text("Monday, April 12, 2027")
    assert _fits_the_screen(page)
    with Session(live_server.engine) as session:
        row = session.get(CheckIn, checkin_id)
        assert row is not None
        assert (row.state, row.sequence, row.day.isoformat()) == ("moved", 1, "2027-04-12")
