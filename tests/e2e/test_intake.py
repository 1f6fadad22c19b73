"""The intake on a phone: reached from the personal link of a reminder or invitation, readable
without zooming or sideways scrolling, and no word lost when the form asks for a fix."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models.intake import IntakeAnswer, IntakeAvoid
from app.services import links
from tests.e2e.conftest import PIN, LiveServer
from tests.e2e.test_facilitator_pages_in_each_language import _serious_violations
from tests.services.tablet.factories import add_participant, make_cohort

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
NOTE = "How to lead a team I have never met in person"


def _world(live: LiveServer) -> tuple[str, list[int]]:
    with Session(live.engine, expire_on_commit=False) as session:
        cohort = make_cohort(session)
        names = ("Ana", "Ben", "Cai", "Dan", "Eli")
        people = [add_participant(session, cohort, n) for n in names]
        people[1].tags, people[2].tags = ["finance", "turnarounds"], ["international teams"]
        people[0].languages, people[3].languages = ["English"], ["Deutsch"]
        session.add_all(people)
        session.flush()
        assert people[0].id is not None
        url = links.issue_link(
            session, people[0].id, base_url=live.base_url, next_path="/intake"
        ).url
        session.commit()
        return url, [p.id or 0 for p in people]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_the_intake_on_a_phone_keeps_every_word_and_saves(
    live_server: LiveServer, browser: Any
) -> None:
    url, ids = _world(live_server)
    # The page itself keeps its CSP; only the injected axe checker is let in.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    page.get_by_role("button", name="Continue").tap()
    page.fill("#pin", PIN)
    page.fill("#pin_again", PIN)
    page.get_by_role("button", name="Set my PIN and sign in").tap()
    page.wait_for_url(f"{live_server.base_url}/p/intake")
    expect(page.locator("h1")).to_have_text("Before day one")
    _no_sideways_scroll(page)
    assert _serious_violations(page) == []
    box = page.locator("#q-can-offer label.choice").first.bounding_box()
    assert box is not None
    assert box["height"] >= 44

    page.locator("#q-can-offer label.choice", has_text="finance").tap()
    page.locator("#q-want-to-learn label.choice", has_text="international teams").tap()
    page.fill("#note-want-to-learn", NOTE)
    for name in ("Ben", "Cai", "Dan", "Eli"):  # one more than the three allowed
        page.locator("#q-rather-not label.choice", has_text=name).tap()
    page.tap("#intake-save")
    expect(page.locator(".problems")).to_contain_text("choose at most 3")
    expect(page.locator("#note-want-to-learn")).to_have_value(NOTE)
    expect(page.locator("#q-can-offer input[value=finance]")).to_be_checked()
    _no_sideways_scroll(page)
    assert _serious_violations(page) == []

    page.locator("#q-rather-not label.choice", has_text="Eli").tap()
    page.tap("#intake-save")
    expect(page.locator("#intake-saved")).to_be_visible()
    page.reload()
    expect(page.locator("#note-want-to-learn")).to_have_value(NOTE)
    expect(page.locator("#q-rather-not input:checked")).to_have_count(3)
    context.close()

    with Session(live_server.engine) as session:
        row = session.get(IntakeAnswer, ids[0])
        assert row is not None
        assert (row.offers, row.wants, row.notes) == (
            ["finance"],
            ["international teams"],
            {"want-to-learn": NOTE},
        )
        avoided = {a.avoided_id for a in session.exec(select(IntakeAvoid)).all()}
        assert avoided == set(ids[1:4])
