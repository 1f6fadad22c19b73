"""The agenda builder and the run of show in a real Chromium, as a facilitator uses them with
the shipped library and the demo roster."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import Cohort, Participant
from app.services.accounts import service as accounts
from app.services.tablet import signin
from tests.e2e.conftest import SECRET, TABLET, LiveServer, sign_in_tablet
from tests.services.agenda.test_agenda_days import demo_trio_cohort

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}
EMAIL, PASSWORD = "fay@example.com", "a-long-enough-password"
SPAN = re.compile(r"(\d\d):(\d\d)–(\d\d):(\d\d)")


def seed(live: LiveServer) -> tuple[Cohort, Participant]:
    with Session(live.engine, expire_on_commit=False) as session:
        accounts.create_facilitator(session, email=EMAIL, name="Fay", password=PASSWORD, admin=True)
        cohort = demo_trio_cohort(session)
        someone = session.exec(
            select(Participant).where(
                Participant.cohort_id == cohort.id, col(Participant.excluded).is_(False)
            )
        ).first()
        assert someone is not None
        session.commit()
    return cohort, someone


def facilitator(browser: Any, live: LiveServer) -> Any:
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live.base_url}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.base_url}/cohorts")
    return page


def minutes(text: str) -> tuple[int, int]:
    """Start and length in minutes of a ``HH:MM–HH:MM`` span (a span may pass midnight)."""
    match = SPAN.search(text)
    assert match is not None, text
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return start, (end - start) % 1440


def test_the_builder_keeps_planned_days_and_shows_free_time(
    live_server: LiveServer, browser: Any
) -> None:
    cohort, _ = seed(live_server)
    page = facilitator(browser, live_server)
    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}/agenda")

    page.click("text=Build the agenda")
    page.wait_for_selector("text=No conflicts.")

    assert page.locator("#day-1 tr", has_text="Day one: buddy check-out").count() == 1
    assert page.locator("#day-3 tr", has_text="Day three: what I want to change").count() == 1
    free = page.locator("#day-3 tr.entry-free")
    assert [free.nth(i).inner_text().split("\t")[:2] for i in range(free.count())] == [
        ["09:20–10:15", "Free time 55 min"],
        ["16:25–17:30", "Free time 65 min"],
    ]
    notes = page.inner_text(".notes")
    assert "Day 1: Coffee break moved from 10:30 to 10:35" in notes
    assert "Coffee break break" not in page.inner_text("main")
    assert "Lunch lunch" not in page.inner_text("main")

    page.locator("#day-1 summary").click()
    page.fill("#day-1 form[action$='/hours'] input[name=end]", "15:30")
    page.click("#day-1 form[action$='/hours'] button")
    page.click("text=Re-solve around pins")
    page.wait_for_selector("#day-2 .off-day")

    check_out = page.locator("#day-2 tr", has_text="Day one: buddy check-out")
    assert check_out.locator(".off-day").inner_text() == (
        "'Day one: buddy check-out' is planned for day 1 but is on day 2: it comes after "
        "'The leaders who shaped us', which is on day 2; move that one to day 1 first."
    )
    page.context.close()


def test_the_run_of_show_asks_before_another_date_and_keeps_breaks_whole(
    live_server: LiveServer, browser: Any
) -> None:
    cohort, someone = seed(live_server)
    page = facilitator(browser, live_server)
    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}/agenda")
    page.click("text=Build the agenda")
    page.wait_for_selector("text=No conflicts.")
    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}/now?day=1")
    assert page.locator("#now-projector .warning").count() == 0

    page.click("text=Start day")

    assert page.inner_text("#confirm-title") == "Start day 1 today?"
    assert "Day 1 is planned for Monday 01 March 2027" in page.inner_text(".confirm")
    with Session(live_server.engine) as session:
        stored = session.get(Cohort, cohort.id)
        assert stored is not None
        assert stored.status == "scheduled"
    page.click("text=Start day 1 anyway")
    page.wait_for_selector("h1.now-title:has-text('Opening circle')")
    page.click("text=Next ▶")
    page.wait_for_selector("h1.now-title:has-text('Meet your learning buddy')")

    rest = page.locator("#now-projector .rest li")
    lines = [rest.nth(i).inner_text() for i in range(rest.count())]
    lengths = {line.split(" ", 1)[1]: minutes(line)[1] for line in lines}
    assert [line.split(" ", 1)[1] for line in lines][:2] == ["Coffee break", "Our buddy agreement"]
    assert [minutes(line)[1] for line in lines if "Coffee break" in line] == [15, 15]
    assert lengths["Lunch"] == 60
    starts = [minutes(line)[0] for line in lines]
    unwrapped, days_passed = [], 0
    for i, start in enumerate(starts):
        days_passed += i > 0 and start < starts[i - 1]
        unwrapped.append(start + 1440 * days_passed)
    assert unwrapped == sorted(unwrapped)

    with Session(live_server.engine, expire_on_commit=False) as session:
        [card] = signin.issue_cards(
            session, cohort=cohort, participants=[someone], secret=SECRET, followup_days=180
        )
        session.commit()
    tablet = browser.new_context(viewport=TABLET, has_touch=True).new_page()
    sign_in_tablet(tablet, live_server, card.code)
    upcoming = tablet.locator("#now-panel .card", has_text="Next")
    assert "Coffee break" in upcoming.inner_text()
    # The tablet writes times the reader's way: "Day 1, 7:24 PM–7:39 PM" in English.
    when = upcoming.locator(".when").inner_text().replace("\u202f", " ")
    start, end = (datetime.strptime(t, "%I:%M %p") for t in re.findall(r"\d+:\d\d [AP]M", when))
    assert (end - start) % timedelta(days=1) == timedelta(minutes=15)
    tablet.context.close()
    page.context.close()
