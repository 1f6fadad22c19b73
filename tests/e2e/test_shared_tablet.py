"""One tablet, many people: after a hand-back or another sign-in, the browser's history, back
button, cache and storage give the next person nothing of the one before -- and the one
before loses no word they typed."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models.tablet import Answer
from app.services.tablet import signin
from tests.e2e.conftest import PIN, SECRET, TABLET, LiveServer, sign_in_tablet
from tests.e2e.test_tablet import _serious_violations, _small_targets
from tests.services.tablet.factories import World, make_world

pytestmark = pytest.mark.browser
EX = "meet-your-buddy"


def _seed(live: LiveServer) -> tuple[World, dict[str, signin.IssuedCard]]:
    with Session(live.engine, expire_on_commit=False) as session:
        world = make_world(session)
        cards = signin.issue_cards(
            session,
            cohort=world.cohort,
            participants=[world.ana, world.ben],
            secret=SECRET,
            followup_days=180,
        )
        session.commit()
    return world, {c.participant.name: c for c in cards}


def _answer(live: LiveServer, who: Any, prompt: str) -> Any:
    with Session(live.engine) as session:
        row = session.exec(
            select(Answer).where(Answer.participant_id == who.id, Answer.prompt_id == prompt)
        ).first()
        return row.value if row else None


def _everything_stored(page: Any) -> str:
    """All a page's script can read of what this browser keeps, as one string."""
    return str(
        page.evaluate("""async () => {
      const out = [];
      for (const store of [localStorage, sessionStorage])
        for (let i = 0; i < store.length; i++) out.push(store.key(i), store.getItem(store.key(i)));
      for (const db of (indexedDB.databases ? await indexedDB.databases() : [])) out.push(db.name);
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const req of await cache.keys())
          out.push(req.url, await (await cache.match(req)).text());
      }
      return out.join("\\n");
    }""")
    )


def test_after_hand_back_history_back_button_and_the_link_open_nothing(
    live_server: LiveServer, tablet_page: Any
) -> None:
    world, cards = _seed(live_server)
    page, base = tablet_page, live_server.base_url
    link = f"{base}/join/{cards['Ana'].token}"
    # Ana scans her card: the page signs nobody in, and the link leaves the address bar.
    page.goto(link)
    expect(page).to_have_url(f"{base}/join")
    page.click("#join-link button[type=submit]")
    page.wait_for_url(f"{base}/join/pin")
    page.fill("#pin", PIN)
    page.fill("#pin_again", PIN)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/p")
    page.goto(f"{base}/p/exercises/{EX}")
    page.locator("#q-their-week").type("ANA-ONLY-WORDS")
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=15_000)
    page.click("#handback button")
    page.wait_for_url(f"{base}/join?handed_back=1")

    # The next person presses "back" as far as it goes: every step is a sign-in page.
    seen = []
    while page.go_back() is not None:
        page.wait_for_load_state()
        seen.append(page.url.removeprefix(base))
        assert cards["Ana"].token not in page.url
        text = page.content()
        assert "ANA-ONLY-WORDS" not in text
        assert "Hello, Ana" not in text
        assert page.locator("#tablet").get_attribute("data-participant") == ""
    assert seen
    assert all(url.startswith("/join") for url in seen), seen
    # Reopening the link from the history list or the card: the PIN is asked, nothing opens.
    page.goto(link)
    expect(page).to_have_url(f"{base}/join")
    page.click("#join-link button[type=submit]")
    page.wait_for_url(f"{base}/join/pin")
    expect(page.locator("h1")).to_have_text("Your PIN, Ana")
    assert page.locator("#pin_again").count() == 0
    for path in ("/p", f"/p/exercises/{EX}", "/p/my-data.json"):
        page.goto(base + path)
        assert page.url.startswith(f"{base}/join"), path
        assert "ANA-ONLY-WORDS" not in page.content()
    assert "ANA-ONLY-WORDS" not in _everything_stored(page)
    assert _answer(live_server, world.ana, "their-week") == "ANA-ONLY-WORDS"


def test_the_next_participant_cannot_read_unsent_words_and_they_wait_for_their_writer(
    live_server: LiveServer, tablet_page: Any
) -> None:
    world, cards = _seed(live_server)
    page, base = tablet_page, live_server.base_url
    sign_in_tablet(page, live_server, cards["Ana"].code)
    page.goto(f"{base}/p/exercises/{EX}")
    box = page.locator("#q-their-week")
    box.type("Seen online.")
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=15_000)
    page.context.set_offline(True)
    box.type(" ANA-UNSENT-SECRET")
    expect(page.locator("#save-status")).to_contain_text("1 change")
    ana_id = page.locator("#tablet").get_attribute("data-participant")
    # The server stays out of reach for Ana's saves; Ben walks up and signs in, no hand-back.
    page.route("**/p/api/**", lambda route: route.abort())
    page.context.set_offline(False)
    page.goto(f"{base}/join")
    page.unroute("**/p/api/**")
    sign_in_tablet(page, live_server, cards["Ben"].code)
    page.goto(f"{base}/p/exercises/{EX}")
    assert page.locator("#tablet").get_attribute("data-participant") != ana_id

    stored = _everything_stored(page)
    assert f"tandem.{ana_id}.queue" in stored  # still on the tablet ...
    assert "ANA-UNSENT-SECRET" not in stored  # ... but unreadable here
    assert "Seen online." not in stored
    assert page.evaluate(f"TandemStore.load('tandem.{ana_id}.queue', 'unreadable')") == (
        "unreadable"
    )
    # Only Ana's key, which the server gives only to Ana's pages, opens it.
    envelope = json.loads(page.evaluate(f"localStorage.getItem('tandem.{ana_id}.queue')"))
    key = bytes.fromhex(signin.device_store_key(int(ana_id or 0), secret=SECRET))
    sealed = ChaCha20Poly1305(key)
    queue = json.loads(
        sealed.decrypt(base64.b64decode(envelope["n"]), base64.b64decode(envelope["c"]), None)
    )
    assert [e["value"] for e in queue] == ["Seen online. ANA-UNSENT-SECRET"]
    # A stored value altered by one bit no longer opens: it reads as absent, never as garbage.
    tampered = page.evaluate("""() => {
      TandemStore.save("tandem.probe", {"a": 1});
      const e = JSON.parse(localStorage.getItem("tandem.probe"));
      const c = atob(e.c);
      e.c = btoa(String.fromCharCode(c.charCodeAt(0) ^ 1) + c.slice(1));
      localStorage.setItem("tandem.probe", JSON.stringify(e));
      return TandemStore.load("tandem.probe", "refused");
    }""")
    assert tampered == "refused"
    assert _answer(live_server, world.ana, "their-week") == "Seen online."

    # Ben hands back; Ana signs in again on this tablet, and her words are sent.
    page.goto(f"{base}/p")
    page.click("#handback button")
    page.wait_for_url(f"{base}/join?handed_back=1")
    sign_in_tablet(page, live_server, cards["Ana"].code)
    page.goto(f"{base}/p/exercises/{EX}")
    expect(box).to_have_value("Seen online. ANA-UNSENT-SECRET")
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=15_000)
    assert _answer(live_server, world.ana, "their-week") == "Seen online. ANA-UNSENT-SECRET"


def test_a_tablet_left_alone_leaves_the_screen_and_keeps_the_unsent_words_locked(
    live_server: LiveServer, tablet_page: Any
) -> None:
    world, cards = _seed(live_server)
    page, base = tablet_page, live_server.base_url
    page.clock.install()
    sign_in_tablet(page, live_server, cards["Ana"].code)
    page.goto(f"{base}/p/exercises/{EX}")
    page.route("**/p/api/**", lambda route: route.abort())  # the saves do not get through
    page.locator("#q-their-week").type("IDLE-WORDS")
    page.wait_for_selector('#save-status[data-state="offline"]', timeout=15_000)
    page.clock.fast_forward("30:00")
    page.wait_for_url(f"{base}/join?idle=1")
    expect(page.locator(".notice")).to_contain_text("signed out")
    page.goto(f"{base}/p/exercises/{EX}")  # the session ended with the page
    assert page.url == f"{base}/join"
    assert "IDLE-WORDS" not in _everything_stored(page)
    page.unroute("**/p/api/**")
    sign_in_tablet(page, live_server, cards["Ana"].code)
    page.goto(f"{base}/p/exercises/{EX}")
    expect(page.locator("#q-their-week")).to_have_value("IDLE-WORDS")
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=15_000)
    assert _answer(live_server, world.ana, "their-week") == "IDLE-WORDS"


def test_the_sign_in_steps_have_big_touch_targets_and_no_serious_accessibility_faults(
    live_server: LiveServer, browser: Any
) -> None:
    _, cards = _seed(live_server)
    # Injecting axe is an inline script; the pages' own CSP is checked by the router tests.
    context = browser.new_context(viewport=TABLET, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.base_url}/join/{cards['Ana'].token}")
    link_page = (page.url, _small_targets(page), _serious_violations(page))
    page.click("#join-link button[type=submit]")
    page.wait_for_url(f"{live_server.base_url}/join/pin")
    pin_page = (page.url, _small_targets(page), _serious_violations(page))
    assert [link_page, pin_page] == [
        (f"{live_server.base_url}/join", [], []),
        (f"{live_server.base_url}/join/pin", [], []),
    ]
    context.close()
