"""Facilitator pages in a real browser: no console error, no CSP violation, on every tab."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.demo import read_demo_roster
from app.services.accounts import service as accounts
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "a-long-enough-password"


def test_every_cohort_tab_loads_without_console_errors(
    live_server: LiveServer, browser: Any
) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        user = accounts.create_facilitator(
            session, email="fay@example.com", name="Fay", password=PASSWORD
        )
        cohort = cohorts.create_cohort(
            session, name="Browser Cohort", start_date=date(2027, 3, 1), actor=user
        )
        roster.import_roster(
            session, cohort=cohort, data=read_demo_roster(), today=date(2026, 11, 26)
        )
        session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.base_url
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "fay@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cohorts")
    page.goto(f"{base}/cohorts/{cohort.slug}/matching")
    page.click("text=Pair everyone")
    page.wait_for_selector("text=13 groups")
    for tab in (
        "",
        "/roster",
        "/matching",
        "/matching/matrix",
        "/agenda",
        "/now",
        "/progress",
        "/cards",
        "/workbooks",
        "/plans",
    ):
        response = page.goto(f"{base}/cohorts/{cohort.slug}{tab}")
        assert response is not None
        assert response.status == 200, tab
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/library")
    context.close()
    assert errors == []
