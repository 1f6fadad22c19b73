"""The admin's facilitators page in a real browser: invite, hand over the link, the new
facilitator chooses a password, joins a cohort's team, and is signed out on deactivation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.services.accounts import service as accounts
from app.services.cohorts import service as cohorts
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "a-long-enough-password"
NIA_PASSWORD = "nia chose this password"


def _sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cohorts")


def test_an_admin_invites_a_facilitator_puts_them_on_a_team_and_deactivates_them(
    live_server: LiveServer, browser: Any
) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        ada = accounts.create_facilitator(
            session, email="ada@example.com", name="Ada", password=PASSWORD, admin=True
        )
        spring = cohorts.create_cohort(
            session, name="Spring Cohort", start_date=date(2027, 3, 1), actor=ada
        )
        session.commit()
    base = live_server.base_url
    errors: list[str] = []
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    nia_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin, nia = admin_context.new_page(), nia_context.new_page()
    for page in (admin, nia):
        page.set_default_timeout(10_000)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _sign_in(admin, base, "ada@example.com", PASSWORD)
    admin.click("nav >> text=Facilitators")
    admin.wait_for_url(f"{base}/admin/facilitators")
    admin.fill("input[name=email]", "nia@example.com")
    admin.fill("input[name=name]", "Nia")
    admin.click("text=Invite and show the link")
    link = admin.input_value("#set-password-link")
    assert link.startswith(f"{base}/password/")
    assert admin.locator("#facilitators >> text=Waiting for a password").count() == 1

    nia.goto(link)
    nia.fill("input[name=password]", NIA_PASSWORD)
    nia.fill("input[name=repeat]", NIA_PASSWORD)
    nia.click("text=Set the password")
    nia.wait_for_selector("text=Your password is set.")
    _sign_in(nia, base, "nia@example.com", NIA_PASSWORD)
    assert nia.locator("text=Spring Cohort").count() == 0

    admin.goto(f"{base}/cohorts/{spring.slug}")
    admin.select_option("#team-add select[name=facilitator_id]", label="Nia (nia@example.com)")
    admin.click("#team-add >> text=Add to the team")
    admin.wait_for_selector("#team >> text=nia@example.com")
    nia.goto(f"{base}/cohorts/{spring.slug}")
    row = nia.locator("#team tr", has_text="nia@example.com")
    assert row.locator("td").all_inner_texts() == ["Nia", "nia@example.com", "Co-facilitator"]
    assert nia.locator("#team-add").count() == 0

    admin.goto(f"{base}/admin/facilitators")
    admin.click("#facilitators tr:has-text('nia@example.com') >> text=Deactivate")
    admin.wait_for_selector("#facilitators tr:has-text('nia@example.com') >> text=Deactivated")
    nia.goto(f"{base}/cohorts/{spring.slug}")
    assert nia.url.startswith(f"{base}/login")

    admin_context.close()
    nia_context.close()
    assert errors == []
