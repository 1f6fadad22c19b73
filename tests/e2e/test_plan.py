"""The plan in a real browser: write it on a tablet, share a goal, the buddy comments, the
owner reads the comment."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.models import Participant
from app.services.accounts import service as accounts
from app.services.cohorts import service as cohorts
from app.services.plans import service as plans
from app.services.tablet import signin
from tests.e2e.conftest import SECRET, TABLET, LiveServer, sign_in_tablet
from tests.services.tablet.factories import World, make_world

pytestmark = pytest.mark.browser
FAC_PASSWORD = "a-long-enough-password"
PARTS = ("aspiration", "goals", "strengths", "obstacles")


def _sign_in(browser: Any, live: LiveServer, code: str) -> Any:
    page = browser.new_context(viewport=TABLET, has_touch=True).new_page()
    page.set_default_timeout(10_000)
    sign_in_tablet(page, live, code)
    return page


def _ana_signed_in(live: LiveServer, browser: Any) -> tuple[World, Any]:
    """A world whose participant Ana is signed in on a tablet page."""
    with Session(live.engine, expire_on_commit=False) as session:
        world = make_world(session)
        cards = signin.issue_cards(
            session, cohort=world.cohort, participants=[world.ana], secret=SECRET, followup_days=180
        )
        session.commit()
    return world, _sign_in(browser, live, cards[0].code)


def _aspiration(live: LiveServer, who: Participant) -> Any:
    with Session(live.engine) as session:  # a fresh snapshot each time
        row = plans.plan_row(session, participant=who)
        return row.content.get("aspiration") if row else None


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
    ana.check('#sharing input[value="goals"]')
    with ana.expect_navigation():
        ana.click("#save-sharing")
    expect(ana.locator("#aud-goal-0")).to_have_text("Who can read this: You and your buddy")
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


def test_a_plan_is_read_by_nobody_until_its_writer_shares_a_part(
    live_server: LiveServer, browser: Any
) -> None:
    """Every plan field says who can read it before anyone types; the buddy reads nothing and
    the facilitators count nothing as shared until the writer ticks a part and saves."""
    with Session(live_server.engine, expire_on_commit=False) as session:
        world = make_world(session)
        cards = signin.issue_cards(
            session,
            cohort=world.cohort,
            participants=[world.ana, world.ben],
            secret=SECRET,
            followup_days=180,
        )
        fac = accounts.create_facilitator(
            session, email="fay@example.com", name="Fay", password=FAC_PASSWORD
        )
        cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=fac)
        session.commit()
    base = live_server.base_url
    codes = {c.participant.name: c.code for c in cards}
    ana = _sign_in(browser, live_server, codes["Ana"])
    ana.goto(f"{base}/p/plan")
    audiences = ana.eval_on_selector_all(
        "#plan [data-audience]", "els => els.map(e => [e.id, e.textContent.trim()])"
    )
    assert audiences == [
        ["aud-aspiration", "Who can read this: Only you"],
        ["aud-goal-0", "Who can read this: Only you"],
        ["aud-goal-1", "Who can read this: Only you"],
        ["aud-goal-2", "Who can read this: Only you"],
        ["aud-strengths", "Who can read this: Only you"],
        ["aud-obstacles", "Who can read this: Only you"],
    ]
    assert ana.locator("#goal-0-what").get_attribute("aria-describedby") == "aud-goal-0"
    assert [ana.locator(f'#sharing input[value="{p}"]').is_checked() for p in PARTS] == [
        False,
        False,
        False,
        False,
    ]
    expect(ana.locator("#sharing-state")).to_have_text(
        "You share nothing yet: every part of your plan is for you only."
    )
    ana.locator("#goal-0-what").type("Ask before I advise")
    ana.locator("#plan-strengths").type("Patience with people")
    ana.wait_for_selector('#plan-status[data-state="saved"]', timeout=15_000)

    ben = _sign_in(browser, live_server, codes["Ben"])
    ben.goto(f"{base}/p/people/{world.ana.id}/plan")
    expect(ben.locator("#shared-plan")).to_have_text("Nothing shared yet.")
    assert ben.locator("#comment-form").count() == 0
    facilitator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    facilitator.goto(f"{base}/login")
    facilitator.fill("input[name=email]", "fay@example.com")
    facilitator.fill("input[name=password]", FAC_PASSWORD)
    facilitator.click("button[type=submit]")
    facilitator.wait_for_url(f"{base}/cohorts")
    overview = f"{base}/cohorts/{world.cohort.slug}/plans"
    facilitator.goto(overview)
    row = facilitator.locator(f'#plan-states tr[data-participant="{world.ana.id}"] td')
    assert row.all_inner_texts() == ["yes", "no", "no"]

    ana.check('#sharing input[value="goals"]')
    with ana.expect_navigation():
        ana.click("#save-sharing")
    expect(ana.locator("#aud-goal-2")).to_have_text("Who can read this: You and your buddy")
    expect(ana.locator("#aud-strengths")).to_have_text("Who can read this: Only you")
    expect(ana.locator("#sharing-state")).to_have_text("You share: My goals.")
    ben.reload()
    shared = ben.locator("#shared-plan").inner_text()
    assert "Ask before I advise" in shared
    assert "Patience" not in shared
    facilitator.goto(overview)
    assert row.all_inner_texts() == ["yes", "yes", "no"]


def test_a_plan_page_rendered_before_the_last_save_shows_what_was_saved(
    live_server: LiveServer, browser: Any
) -> None:
    """The plan page, like the exercise page, may be rendered from the copy before a save that
    was in flight; the tablet shows the acknowledged plan and the next change is no conflict."""
    _, ana = _ana_signed_in(live_server, browser)
    url = f"{live_server.base_url}/p/plan"
    ana.goto(url)
    saved = '#plan-status[data-state="saved"]'
    ana.locator("#plan-aspiration").type("Listen first")
    ana.wait_for_selector(saved, timeout=15_000)
    before = ana.request.get(url).text()
    ana.locator("#goal-0-what").type("Ask before I advise")
    ana.wait_for_selector(saved, timeout=15_000)
    ana.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=before))
    ana.reload()
    expect(ana.locator("#goal-0-what")).to_have_value("Ask before I advise")
    ana.unroute(url)
    ana.locator("#plan-strengths").type("Patience")
    ana.wait_for_selector(saved, timeout=15_000)
    assert ana.locator("#plan-merge").count() == 0
    ana.goto(url)
    expect(ana.locator("#goal-0-what")).to_have_value("Ask before I advise")
    expect(ana.locator("#plan-strengths")).to_have_value("Patience")
    expect(ana.locator("#plan-aspiration")).to_have_value("Listen first")


def test_a_plan_change_left_unsent_is_sent_from_another_page_and_never_wiped_at_hand_back(
    live_server: LiveServer, browser: Any
) -> None:
    """The plan page is left while the server cannot be reached. Handing the tablet back must
    warn instead of wiping the change; once the server answers, any tablet page sends it."""
    world, ana = _ana_signed_in(live_server, browser)
    ana.route("**/p/api/plan", lambda route: route.abort())
    ana.goto(f"{live_server.base_url}/p/plan")
    ana.locator("#plan-aspiration").type("Kept through the hallway")
    ana.wait_for_selector('#plan-status[data-state="offline"]', timeout=15_000)
    ana.goto(f"{live_server.base_url}/p")
    ana.click("#handback button[type=submit]")
    expect(ana.locator("#handback-warning")).to_be_visible(timeout=15_000)
    assert ana.url == f"{live_server.base_url}/p"
    assert (
        ana.evaluate(
            "TandemStore.load('tandem.' + "
            "document.getElementById('tablet').dataset.participant + "
            "'.plan.queue', null).length"
        )
        == 1
    )
    ana.click('[data-handback="wait"]')
    ana.unroute("**/p/api/plan")
    ana.reload()  # the home page replays the plan queue at load
    deadline = time.monotonic() + 15
    while _aspiration(live_server, world.ana) != "Kept through the hallway":
        assert time.monotonic() < deadline, "the plan was never sent"
        ana.wait_for_timeout(200)  # (keeps the browser driver's loop turning)
    ana.click("#handback button[type=submit]")
    ana.wait_for_url("**/join?handed_back=1")
    assert ana.evaluate("Object.keys(localStorage)") == []
