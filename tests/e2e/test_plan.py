"""The plan in a real browser: write it on a tablet, share a goal, the buddy comments, the
owner reads the comment."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.services import signin
from tests.e2e.conftest import SECRET, TABLET, LiveServer
from tests.services.tablet_factories import make_world

pytestmark = pytest.mark.browser


def _sign_in(browser: Any, live: LiveServer, code: str) -> Any:
    page = browser.new_context(viewport=TABLET, has_touch=True).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live.base_url}/join")
    page.fill("#code", code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live.base_url}/p")
    return page


def test_plan_written_shared_commented_and_read_back(live_server: LiveServer, browser: Any) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        world = make_world(session)
        cards = signin.issue_cards(
            session,
            cohort=world.cohort,
            participants=[world.ana, world.ben],
            secret=SECRET,
            followup_days=180,
        )
        session.commit()
    codes = {c.participant.name: c.code for c in cards}
    ana = _sign_in(browser, live_server, codes["Ana"])
    ana.goto(f"{live_server.base_url}/p/plan")
    ana.locator("#plan-aspiration").type("A leader people trust with bad news")
    ana.locator("#goal-0-what").type("Ask before I advise")
    ana.wait_for_selector('#plan-status[data-state="saved"]', timeout=15_000)
    assert ana.locator('#sharing input[value="goals"]').is_checked()
    ana.click("#save-sharing")
    ben = _sign_in(browser, live_server, codes["Ben"])
    ben.goto(f"{live_server.base_url}/p/people/{world.ana.id}/plan")
    shared = ben.locator("#shared-plan").inner_text()
    assert "Ask before I advise" in shared
    assert "bad news" not in shared
    ben.fill("#comment-text", "Have you thought about asking your team first?")
    ben.click("#comment-form button[type=submit]")
    ben.wait_for_url(f"**/p/people/{world.ana.id}/plan#comments")
    ana.goto(f"{live_server.base_url}/p/plan")
    assert "Have you thought about asking your team first?" in ana.locator("#comments").inner_text()
    assert ana.locator("#goal-0-what").input_value() == "Ask before I advise"
    ana.goto(f"{live_server.base_url}/p/partnership")
    assert ana.locator("#partnership-state").inner_text() == "Active"
