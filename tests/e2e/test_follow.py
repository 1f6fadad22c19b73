"""Tablets follow the run of show: the facilitator's "next" reaches the home page by itself."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlmodel import Session

from app.models import Cohort, Participant, utcnow
from app.services.agenda import service as agenda
from app.services.tablet import signin
from tests.e2e.conftest import SECRET, LiveServer
from tests.e2e.test_tablet import _sign_in
from tests.services.tablet.factories import make_world

pytestmark = pytest.mark.browser


def _act(live: LiveServer, cohort_id: int, action: str) -> str:
    """Apply one run-of-show step as the facilitator would; the new current item's title."""
    with Session(live.engine, expire_on_commit=False) as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        view = agenda.act_on_run(
            session,
            cohort=cohort,
            action=action,
            now=utcnow(),
            day=1,
            actor="facilitator:test",
            other_date=True,
        )
        session.commit()
    assert view.current is not None
    return view.current.title


def second_title(live: LiveServer, cohort_id: int) -> str:
    """The title of the item after the current one, read without changing the run."""
    with Session(live.engine) as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        info = agenda.participant_now(session, cohort=cohort, now=utcnow())
    assert info is not None
    assert info.next is not None
    return info.next.title


def test_tablet_home_shows_the_next_item_after_the_facilitator_moves_on(
    live_server: LiveServer, tablet_page: Any
) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        world = make_world(session)
        agenda.build_agenda(session, cohort=world.cohort)
        [card] = signin.issue_cards(
            session, cohort=world.cohort, participants=[world.ana], secret=SECRET, followup_days=180
        )
        session.commit()
    assert world.cohort.id is not None
    first = _act(live_server, world.cohort.id, "start")
    page = tablet_page
    _sign_in(page, live_server, card.code)
    now_card = page.locator("#now-panel .card").first
    assert now_card.inner_text().startswith("Now")
    assert first in now_card.inner_text()
    assert second_title(live_server, world.cohort.id) not in now_card.inner_text()

    second = _act(live_server, world.cohort.id, "next")

    assert second != first
    page.wait_for_function(
        "title => document.querySelector('#now-panel .card').innerText.includes(title)",
        arg=second,
        timeout=8_000,
    )
    assert page.url == f"{live_server.base_url}/p"


def test_tablet_home_links_the_plan_and_toggles_the_print_consent(
    live_server: LiveServer, tablet_page: Any
) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        world = make_world(session)
        [card] = signin.issue_cards(
            session, cohort=world.cohort, participants=[world.ana], secret=SECRET, followup_days=180
        )
        session.commit()
    page = tablet_page
    _sign_in(page, live_server, card.code)
    links = page.eval_on_selector_all(
        "section[aria-labelledby=after-title] a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert links == ["/p/plan", "/p/partnership", "/p/workbook.pdf", "/p/workbook/printing"]
    assert page.get_attribute("a.brand", "href") == "/p"
    consent = page.locator("#print-consent [data-print-answers]")
    assert consent.get_attribute("data-print-answers") == "no"
    # The terms are on the page where consent is given, above the button that gives it.
    page.click('#print-consent a[href="/p/workbook/printing"]')
    page.wait_for_url("**/p/workbook/printing")
    printed = page.locator("#printed li").all_inner_texts()
    assert printed[0] == "Your answers to the questions marked “You and your buddy”."
    assert page.locator("#never li").all_inner_texts()[0] == (
        "Answers to questions marked “Only you”, such as your letter to yourself."
    )
    with page.expect_navigation():
        page.click("#print-toggle")
    # The request's session commits after its 303 has been sent, so the redirected page may
    # still read the old state: wait for the commit, then read the page again.
    _wait_for_consent(live_server, world.ana.id, True)
    page.reload()
    assert page.get_attribute("#print-state", "data-print-answers") == "yes"
    with page.expect_navigation():
        page.click("#print-toggle")
    _wait_for_consent(live_server, world.ana.id, False)
    page.goto(f"{live_server.base_url}/p")
    assert consent.get_attribute("data-print-answers") == "no"


def _wait_for_consent(live: LiveServer, participant_id: int | None, allowed: bool) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(live.engine) as session:
            person = session.get(Participant, participant_id)
            if person is not None and person.print_answers is allowed:
                return
        time.sleep(0.05)
    raise AssertionError("the print consent was never stored")
