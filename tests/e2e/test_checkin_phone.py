"""A check-in on a phone, as the reminder mail's link opens it: the link from the mail, the
PIN, then "We met" and "We moved it" one tap each, large enough for a thumb, and the page
never scrolls sideways."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import OutboxMessage
from app.models.plans import CheckIn
from app.services import plans
from app.services.plans import checkins, partnership
from tests.e2e.conftest import PIN, LiveServer
from tests.e2e.test_tablet import _serious_violations, _small_targets
from tests.services.tablet.factories import make_world

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        bypass_csp=True,  # for the accessibility checker's script only
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _seed(live: LiveServer) -> tuple[int, str]:
    """Ana and Ben agreed a rhythm; the reminder sweep ran when the first check-in fell due.
    Returns the check-in and the link from Ana's reminder mail."""
    with Session(live.engine, expire_on_commit=False) as session:
        world = make_world(session)
        partnership.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
        partnership.agree_rhythm(session, participant=world.ben)
        first = checkins.group_checkins(session, group=world.group)[0]
        assert first.id is not None
        plans.send_checkin_reminders(
            session,
            now=plans.reminder_due(first, tz_name="UTC"),
            base_url=live.base_url,
            sender="Tandem <tandem@example.com>",
        )
        session.commit()
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.to_address == world.ana.email)
        ).one()
    assert row.payload is not None
    message = email.message_from_bytes(row.payload, policy=default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"http://\S+/link/\S+", body.get_content())
    assert found is not None
    return first.id, found.group(0)


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_we_met_and_we_moved_it_on_a_phone(live_server: LiveServer, phone_page: Any) -> None:
    checkin_id, url = _seed(live_server)
    page = phone_page
    page.goto(url)
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url(f"{live_server.base_url}/link/pin")
    page.fill("#pin", PIN)
    page.fill("#pin_again", PIN)
    page.get_by_role("button", name="Set my PIN and sign in").tap()
    page.wait_for_url(f"{live_server.base_url}/p/partnership/checkins/{checkin_id}")
    expect(page.locator("h1")).to_have_text("Check-in 1 with Ben")
    assert _small_targets(page) == []
    assert _serious_violations(page) == []
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
