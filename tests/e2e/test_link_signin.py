"""A personal link on a phone: tap the link from a mail, choose the PIN, land on the page the
link was sent for; the address bar never keeps the link, and the same link a second time
signs nobody in. The participant stops their links from the phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.services import links
from tests.e2e.conftest import PIN, LiveServer
from tests.e2e.test_tablet import _serious_violations, _small_targets
from tests.services.tablet.factories import make_world

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def _phone(browser: Any) -> Any:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        user_agent=IPHONE,
        bypass_csp=True,  # for the accessibility checker's script only
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _link(live: LiveServer, next_path: str = "/") -> str:
    with Session(live.engine, expire_on_commit=False) as session:
        world = make_world(session)
        assert world.ana.id is not None
        url = links.issue_link(
            session, world.ana.id, base_url=live.base_url, next_path=next_path
        ).url
        session.commit()
    return url


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_link_signs_in_on_a_phone_and_lands_on_its_page(
    live_server: LiveServer, browser: Any
) -> None:
    url = _link(live_server, "/p/plan")
    token = url.rsplit("/", 1)[1]
    page = _phone(browser)
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Sign in with your personal link")
    # The page's script takes the token out of the address bar and the history at once.
    page.wait_for_function("() => location.pathname === '/join'")
    assert token not in page.url
    assert _fits(page)
    assert _small_targets(page) == []
    assert _serious_violations(page) == []
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url(f"{live_server.base_url}/link/pin")
    expect(page.locator("h1")).to_have_text("Choose your PIN, Ana")
    assert _fits(page)
    page.fill("#pin", PIN)
    page.fill("#pin_again", PIN)
    page.get_by_role("button", name="Set my PIN and sign in").tap()
    page.wait_for_url(f"{live_server.base_url}/p/plan")
    assert _fits(page)
    page.context.close()

    again = _phone(browser)
    again.goto(url)
    again.get_by_role("button", name="Continue").tap()
    expect(again.locator("h1")).to_have_text("This link has already been used")
    assert _fits(again)
    again.goto(f"{live_server.base_url}/p")
    again.wait_for_url(f"{live_server.base_url}/join")
    again.context.close()


def test_a_participant_stops_their_links_from_the_phone(
    live_server: LiveServer, browser: Any
) -> None:
    page = _phone(browser)
    page.goto(_link(live_server))
    page.get_by_role("button", name="Continue").tap()
    page.fill("#pin", PIN)
    page.fill("#pin_again", PIN)
    page.get_by_role("button", name="Set my PIN and sign in").tap()
    page.wait_for_url(f"{live_server.base_url}/p")
    page.locator("#my-links summary").tap()
    expect(page.locator("#my-links")).to_contain_text("1 device is signed in with a link.")
    assert _fits(page)
    page.get_by_role("button", name="Stop my links").tap()
    page.wait_for_url(f"{live_server.base_url}/join?links_stopped=1")
    expect(page.locator(".notice")).to_contain_text("Your sign-in links are stopped")
    page.goto(f"{live_server.base_url}/p")
    page.wait_for_url(f"{live_server.base_url}/join")
    page.context.close()
