"""The facilitator's main pages in a real browser, in each language Tandem speaks: each page
declares its language and stays free of serious accessibility faults (axe)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.core.i18n import LANGUAGES
from app.demo import read_demo_roster
from app.models import Cohort
from app.services.accounts import service as accounts
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import load_library
from app.services.matching import pairing
from app.services.roster import service as roster
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "a-long-enough-password"
LAPTOP = {"width": 1280, "height": 900}
# The browser's own language for each of ours (Playwright sends it as Accept-Language).
BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE", "fr": "fr-FR", "es": "es-ES"}
TABS = (
    "",
    "/roster",
    "/matching",
    "/agenda",
    "/now",
    "/progress",
    "/cards",
    "/links",
    "/workbooks",
)


def _seed(live: LiveServer, email: str, language: str = "") -> Cohort:
    """A paired cohort with its agenda, run by a facilitator with ``language`` chosen."""
    with Session(live.engine, expire_on_commit=False) as session:
        user = accounts.create_facilitator(
            session, email=email, name="Fay", password=PASSWORD, admin=True
        )
        user.language = language
        cohort = cohorts.create_cohort(
            session, name="Lakeside", start_date=date(2027, 3, 1), actor=user
        )
        roster.import_roster(
            session, cohort=cohort, data=read_demo_roster(), today=date(2026, 11, 26)
        )
        pairing.run_matching(session, cohort=cohort)
        agenda.build_agenda(session, cohort=cohort, library=load_library([SHIPPED_LIBRARY]))
        session.commit()
    return cohort


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return list(
        page.evaluate("""async () => {
      const r = await axe.run();
      return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""")
    )


def _signed_in_page(browser: Any, live: LiveServer, email: str, locale: str) -> Any:
    # Injecting axe is an inline script; the pages' own CSP is checked by the router tests.
    context = browser.new_context(viewport=LAPTOP, locale=locale, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live.base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.base_url}/cohorts")
    return page


def test_the_main_facilitator_pages_are_axe_clean_in_every_language(
    live_server: LiveServer, browser: Any
) -> None:
    cohort = _seed(live_server, "fay@example.com")
    base = live_server.base_url
    paths = ["/cohorts", "/account", "/cohorts/new", f"/cohorts/{cohort.slug}/edit"]
    paths += [f"/cohorts/{cohort.slug}{tab}" for tab in TABS]
    faults: dict[str, list[str]] = {}
    for language in LANGUAGES:
        page = _signed_in_page(browser, live_server, "fay@example.com", BROWSER_LOCALE[language])
        for path in paths:
            response = page.goto(f"{base}{path}")
            assert response is not None
            assert response.status == 200, (language, path)
            assert page.get_attribute("html", "lang") == language, (language, path)
            found = _serious_violations(page)
            if found:
                faults[f"{language} {path}"] = found
        page.context.close()
    assert faults == {}


def test_the_account_language_beats_the_browsers_in_the_browser_too(
    live_server: LiveServer, browser: Any
) -> None:
    cohort = _seed(live_server, "fritz@example.com", language="de")
    page = _signed_in_page(browser, live_server, "fritz@example.com", "en-US")
    page.goto(f"{live_server.base_url}/cohorts/{cohort.slug}/agenda")
    assert page.get_attribute("html", "lang") == "de"
    assert "Montag, 1. März 2027" in page.inner_text("#day-1-title")
    page.goto(f"{live_server.base_url}/account")
    page.select_option("select[name=language]", "fr")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.base_url}/account?saved=1")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("select[name=language] option:checked").inner_text() == "Français"
    page.context.close()
