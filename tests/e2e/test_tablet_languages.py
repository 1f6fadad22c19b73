"""The tablet in each language, in a real browser: long German words on the portrait tablet
(no sideways scroll, 44 px targets), axe-clean pages that declare their language, the
scripts' states in the page's language, and the language switch.

No real German catalog is needed: a test catalog translates every string of the tablet's
templates into long German compounds (longer than real German text), injected in place of
the compiled catalogs.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from babel.support import Translations
from jinja2.ext import babel_extract
from playwright.sync_api import expect
from sqlmodel import Session

from app.core.config import ROOT
from app.models import Cohort, Participant
from app.services import plans
from app.services.agenda import service as agenda
from app.services.tablet import signin
from tests.e2e.conftest import SECRET, TABLET, LiveServer, sign_in_tablet
from tests.e2e.test_tablet import _serious_violations, _small_targets
from tests.i18n_catalogs import compiled, use_catalogs
from tests.services.tablet.factories import World, make_world

pytestmark = pytest.mark.browser
LONG_WORDS = (
    "Vertraulichkeitsvereinbarung",
    "Entwicklungsplanbesprechung",
    "Rückmeldungsmöglichkeiten",
    "Gesprächspartnerinnen",
    "Teilnehmerinformationen",
    "Arbeitsbuchausdrucke",
)
PLACEHOLDER = re.compile(r"%\(\w+\)s")
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'hidden')
  .map(e => `${e.tagName}.${e.className} ${e.scrollWidth}>${e.clientWidth}`
            + ` ${(e.textContent || '').trim().slice(0, 50)}`)
  .slice(0, 8)"""
"""Elements whose content runs wider than they are (what makes a page scroll sideways)."""


def _long_german(text: str, words: itertools.cycle[str]) -> str:
    """A "translation" at least as long as the source, every longer word a long compound;
    placeholders stay as they are."""
    parts = re.split(r"(%\(\w+\)s)", text)
    out = []
    for part in parts:
        if PLACEHOLDER.fullmatch(part):
            out.append(part)
        else:
            out.append(re.sub(r"[A-Za-z]{5,}", lambda _m: next(words), part))
    return "".join(out)


def _tablet_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for path in sorted((ROOT / "app" / "templates" / "participant").glob("*.html")):
        with path.open("rb") as handle:
            for _line, _func, message, _comments in babel_extract(
                handle, ("_", "gettext", "ngettext", "pgettext"), [], {}
            ):
                # Arguments that are not strings (a count, a placeholder's value) read as None.
                strings = [message] if isinstance(message, str) else [m for m in message if m]
                if len(strings) == 1:
                    found.add(strings[0])
                elif len(strings) == 2:
                    found.add((strings[0], strings[1]))
    return found


def long_german_catalog() -> Translations:
    words = itertools.cycle(LONG_WORDS)
    entries: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for message in sorted(_tablet_messages(), key=str):
        if isinstance(message, tuple):
            entries[message] = (_long_german(message[0], words), _long_german(message[1], words))
        else:
            entries[message] = _long_german(message, words)
    return compiled("de", entries)


@pytest.fixture
def long_german(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server (same process) reads German from the long-word test catalog."""
    use_catalogs(monkeypatch, {"de": long_german_catalog()}, keep_real=True)


def _seed(live: LiveServer, language: str) -> tuple[World, dict[str, str]]:
    """Ana and Ben, buddies, both reading ``language``; an agenda, a rhythm, a plan."""
    with Session(live.engine, expire_on_commit=False) as session:
        world = make_world(session)
        for person in (world.ana, world.ben):
            person.language = language
            session.add(person)
        cohort = session.get(Cohort, world.cohort.id)
        assert cohort is not None
        agenda.build_agenda(session, cohort=cohort)
        plans.propose_rhythm(session, participant=world.ana, rhythm="30-60-90")
        plans.set_shared_parts(session, participant=world.ben, parts=["aspiration", "goals"])
        cards = signin.issue_cards(
            session,
            cohort=world.cohort,
            participants=[world.ana, world.ben],
            secret=SECRET,
            followup_days=180,
        )
        session.commit()
    return world, {c.participant.name: c.code for c in cards}


def _pages(world: World) -> list[str]:
    return [
        "/p",
        "/p/exercises/meet-your-buddy",
        "/p/exercises/buddy-agreement",
        "/p/exercises/career-stories",
        "/p/plan",
        "/p/plan/versions",
        f"/p/people/{world.ben.id}/plan",
        "/p/partnership",
        "/p/workbook/printing",
    ]


def _fits(page: Any, where: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "de", where
    assert (where, _small_targets(page)) == (where, [])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(OVERFLOWING)
    assert (where, overflow, wide) == (where, 0, [])


def test_every_tablet_page_in_long_german_fits_the_portrait_tablet(
    live_server: LiveServer, browser: Any, long_german: None
) -> None:
    world, codes = _seed(live_server, "de")
    context = browser.new_context(viewport=TABLET, has_touch=True, bypass_csp=True, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Before anyone signs in, a German tablet (its browser's language) speaks German.
    page.goto(f"{live_server.base_url}/join")
    assert any(word in page.inner_text("h1") for word in LONG_WORDS)
    _fits(page, "/join")
    page.fill("#code", codes["Ana"])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.base_url}/join/pin")
    _fits(page, "/join/pin")
    page.fill("#pin", "2580")
    page.fill("#pin_again", "2580")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.base_url}/p")
    for path in _pages(world):
        page.goto(live_server.base_url + path)
        _fits(page, path)
        assert (path, _serious_violations(page)) == (path, [])
    # The handback warning and a merge panel are hidden; open the one the next person sees.
    page.goto(live_server.base_url + "/p")
    page.evaluate("document.getElementById('handback-warning').hidden = false")
    _fits(page, "/p with the handback warning")
    context.close()


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_tablet_pages_are_axe_clean_and_declare_their_language(
    live_server: LiveServer, browser: Any, language: str
) -> None:
    _world, codes = _seed(live_server, language)
    context = browser.new_context(viewport=TABLET, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in_tablet(page, live_server, codes["Ana"])
    for path in ("/p", "/p/exercises/buddy-agreement", "/p/plan", "/p/partnership"):
        page.goto(live_server.base_url + path)
        assert page.evaluate("document.documentElement.lang") == language
        assert (path, _serious_violations(page)) == (path, [])
    # Each language in the switch is marked with its own language.
    langs = page.eval_on_selector_all("#language-choice option", "os => os.map(o => o.lang)")
    assert langs == ["en", "de", "fr", "es"]
    context.close()


def test_the_saving_states_speak_the_page_language_and_the_switch_changes_it(
    live_server: LiveServer, tablet_page: Any, long_german: None
) -> None:
    world, codes = _seed(live_server, "en")
    page = tablet_page
    sign_in_tablet(page, live_server, codes["Ana"])
    page.goto(f"{live_server.base_url}/p/exercises/meet-your-buddy")
    # The switch: pick Deutsch, and the same page comes back in German at once.
    page.select_option("#language-choice", "de")
    page.click("#language-switch button[type=submit]")
    page.wait_for_url(f"{live_server.base_url}/p/exercises/meet-your-buddy")
    assert page.evaluate("document.documentElement.lang") == "de"
    with Session(live_server.engine) as session:
        ana = session.get(Participant, world.ana.id)
        assert ana is not None
        assert ana.language == "de"
    # Offline, the script says so with the page's German words (its plural, too).
    box = page.locator("#q-their-week")
    box.click()
    page.context.set_offline(True)
    box.type("Offline geschrieben.")
    page.wait_for_selector('#save-status[data-state="offline"][data-unsent="1"]')
    status = page.locator("#save-status")
    expect(status).to_contain_text("1")
    text = status.inner_text()
    assert any(word in text for word in LONG_WORDS), text
    page.context.set_offline(False)
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=20_000)
    assert any(word in status.inner_text() for word in LONG_WORDS)
