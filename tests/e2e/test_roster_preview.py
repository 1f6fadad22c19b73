"""The roster import preview in Chromium: every column of a wide HR export on a 1366 px laptop."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.services.accounts import service as accounts
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "a-long-enough-password"
LAPTOP = {"width": 1366, "height": 768}
HEADER = (
    "Worker,Email - Work,Business Title,Management Level,Supervisory Organization,Country,"
    "Hire Date,Manager,Languages,Skills,Succession Pool,Avoid\n"
)


def _row(n: int) -> str:
    return (
        f"Person Withaveryveryverylongfamilyname{n},person.with.a.long.address.{n}@example.com,"
        "Senior Director of Global Strategic Transformation Programmes,M4 - Director,"
        "Finance and Business Operations (EMEA Shared Services),United Kingdom,"
        f"{n % 12 + 1:02d}/03/2016,person.with.a.long.address.{(n + 1) % 20}@example.com,"
        '"English, Portuguese, Spanish","Turnaround; M&A; Post-merger integration; Pricing",'
        f"Chief Financial Officer Europe Succession Slate {n % 3},\n"
    )


def test_preview_of_a_wide_roster_fits_a_laptop_and_asks_the_date_format(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    with Session(live_server.engine, expire_on_commit=False) as session:
        user = accounts.create_facilitator(
            session, email="fay@example.com", name="Fay", password=PASSWORD
        )
        cohort = cohorts.create_cohort(
            session, name="Browser Cohort", start_date=date(2027, 3, 1), actor=user
        )
        session.commit()
    rows = "".join(_row(n) for n in range(20))
    rows += '"=HYPERLINK(""http://evil.example/x"",""Click"")",eve@example.com,,,,,,,,,,\n'
    upload = tmp_path / "Workday export with a long file name for the roster of 2027.csv"
    upload.write_text(HEADER + rows)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.base_url
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "fay@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cohorts")
    page.goto(f"{base}/cohorts/{cohort.slug}/roster")
    page.set_input_files("input[type=file]", str(upload))
    page.click("text=Upload and preview")
    page.wait_for_selector("text=Date format of the file")
    assert _overflow(page) == []

    page.check("input[name=date_format][value=dmy]")
    page.click("text=Use this date format")
    page.wait_for_selector("text=Dates are read day/month/year, as you chose.")
    assert page.locator("table.read-table tbody tr").count() == 21
    assert page.locator("a[href*='evil']").count() == 0
    assert _overflow(page) == []

    page.check("input[name=accept_warnings]")
    page.click("text=Apply these changes")
    page.wait_for_url(f"{base}/cohorts/{cohort.slug}/roster")
    context.close()
    # The blocked preview answers 422 on purpose (the file cannot be applied yet).
    assert [e for e in errors if "status of 422" not in e] == []
    with Session(live_server.engine) as session:
        people = roster.list_participants(session, cohort=cohort)
        assert len(people) == 21
        assert {p.hire_date for p in people if p.email.endswith(".3@example.com")} == {
            date(2016, 3, 4)
        }


def _overflow(page: Any) -> list[str]:
    """What sticks out past the window's right edge (nothing, on a page that fits)."""
    return list(
        page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const wide = [];
                if (document.documentElement.scrollWidth > width) wide.push('page');
                for (const el of document.querySelectorAll('main *')) {
                    const r = el.getBoundingClientRect();
                    if (r.right > width + 0.5) wide.push(el.tagName + '.' + el.className);
                }
                return wide.slice(0, 10);
            }"""
        )
    )
