"""The tablet in a real browser: sign in, autosave through offline and reload, merge, buddies,
touch targets and accessibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import Cohort, Participant
from app.models.tablet import Answer
from app.services.agenda import service as agenda
from app.services.tablet import responses, signin
from app.services.tablet import views as tablet_views
from tests.e2e.conftest import SECRET, TABLET, LiveServer, sign_in_tablet
from tests.services.tablet.factories import World, make_world

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
EX = "meet-your-buddy"


def _seed(live: LiveServer) -> tuple[World, dict[str, str]]:
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
    return world, {c.participant.name: c.code for c in cards}


def _answer(live: LiveServer, who: Participant, prompt: str) -> Any:
    with Session(live.engine) as session:
        row = session.exec(
            select(Answer).where(Answer.participant_id == who.id, Answer.prompt_id == prompt)
        ).first()
        return row.value if row else None


_sign_in = sign_in_tablet


def _saved(page: Any) -> None:
    page.wait_for_selector('#save-status[data-state="saved"]', timeout=15_000)


def _write_offline(live: LiveServer, page: Any) -> tuple[World, str]:
    """Ana writes "First words." online, then " Typed offline." with the tablet offline;
    returns once that change is queued. The sign-in code is typed in lower case."""
    world, codes = _seed(live)
    _sign_in(page, live, codes["Ana"].lower())
    url = f"{live.base_url}/p/exercises/{EX}"
    page.goto(url)
    box = page.locator("#q-their-week")
    box.click()
    box.type("First words.")
    _saved(page)
    page.context.set_offline(True)
    box.type(" Typed offline.")
    page.wait_for_selector('#save-status[data-state="offline"]')
    # The "offline" state can show before the debounce has queued the last words: wait until
    # the queue holds them, as a participant sees "1 change will sync".
    expect(page.locator("#save-status")).to_contain_text("1 change")
    return world, url


def test_answers_survive_offline_typing_and_a_reload(
    live_server: LiveServer, tablet_page: Any
) -> None:
    """Go offline, keep typing, reload, come back online: the server has every word."""
    page = tablet_page
    world, url = _write_offline(live_server, page)
    box = page.locator("#q-their-week")
    # Offline, a reload cannot fetch the page at all (authenticated pages are never cached).
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()
    page.context.set_offline(False)
    page.goto(url)
    expect(box).to_have_value("First words. Typed offline.")
    _saved(page)
    assert _answer(live_server, world.ana, "their-week") == "First words. Typed offline."


def test_answers_survive_a_reload_while_the_server_is_out_of_reach(
    live_server: LiveServer, tablet_page: Any
) -> None:
    """The Wi-Fi is up but the server cannot be reached: the queue survives reloads and is
    replayed once the server answers again."""
    page = tablet_page
    world, _ = _write_offline(live_server, page)
    box = page.locator("#q-their-week")
    page.context.set_offline(False)
    # The network is back but the server still cannot be reached: the queue must survive.
    page.route("**/p/api/**", lambda route: route.abort())
    page.reload()
    # The queue is restored by the page's script after load: wait for it, do not race it.
    expect(box).to_have_value("First words. Typed offline.")
    box.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" And after the reload.")
    page.wait_for_selector('#save-status[data-state="offline"]')
    page.reload()
    expect(box).to_have_value("First words. Typed offline. And after the reload.")
    page.unroute("**/p/api/**")
    _saved(page)
    expected = "First words. Typed offline. And after the reload."
    assert _answer(live_server, world.ana, "their-week") == expected


def test_a_page_rendered_before_the_last_save_shows_what_was_saved(
    live_server: LiveServer, tablet_page: Any
) -> None:
    """A reload requested while a save is in flight can be rendered from the copy before that
    save, and then the save's acknowledgement empties the queue. The tablet must still show
    what the server holds, and the next keystroke must not come back as a conflict."""
    world, codes = _seed(live_server)
    page = tablet_page
    _sign_in(page, live_server, codes["Ana"])
    url = f"{live_server.base_url}/p/exercises/{EX}"
    page.goto(url)
    box = page.locator("#q-their-week")
    box.type("First words.")
    _saved(page)
    before = page.request.get(url).text()
    assert 'data-version="1"' in before
    box.type(" Then more.")
    _saved(page)
    assert _answer(live_server, world.ana, "their-week") == "First words. Then more."
    # The reload is answered with the page as it was rendered before the second save landed.
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=before))
    page.reload()
    expect(box).to_have_value("First words. Then more.")
    page.unroute(url)
    box.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" The end.")
    _saved(page)
    assert page.locator(".merge").count() == 0
    assert _answer(live_server, world.ana, "their-week") == "First words. Then more. The end."
    # Once a page has caught up with the saved copy, the tablet stops keeping it.
    page.reload()
    expect(box).to_have_value("First words. Then more. The end.")
    kept = page.evaluate(
        "Object.keys(TandemStore.load('tandem.' + "
        "document.getElementById('tablet').dataset.participant + '.acked', {}))"
    )
    assert kept == []


def test_a_save_whose_acknowledgement_is_cut_off_stays_queued(
    live_server: LiveServer, tablet_page: Any
) -> None:
    """The server stored the save, but its answer never arrived whole (the page was unloading,
    the Wi-Fi dropped mid-response): that is no acknowledgement. The tablet keeps the change
    and replays it, and the replay under the same idempotency key makes no second version."""
    world, codes = _seed(live_server)
    page = tablet_page
    _sign_in(page, live_server, codes["Ana"])
    page.goto(f"{live_server.base_url}/p/exercises/{EX}")
    cut: list[str] = []

    def cut_off(route: Any) -> None:
        answer = route.fetch()  # the server stores the save (or finds a conflict) ...
        cut.append(route.request.url)
        body = '{"vers' if answer.status == 200 else '{"det'  # ... but half its answer arrives
        route.fulfill(status=answer.status, content_type="application/json", body=body)

    page.route("**/p/api/answers/**", cut_off)
    page.locator("#q-their-week").type("Kept whole.")
    page.wait_for_selector('#save-status[data-state="offline"][data-unsent="1"]')
    assert cut
    assert _answer(live_server, world.ana, "their-week") == "Kept whole."
    page.unroute("**/p/api/answers/**")
    _saved(page)
    with Session(live_server.engine) as session:
        row = session.exec(select(Answer).where(Answer.participant_id == world.ana.id)).one()
        assert (row.value, row.version) == ("Kept whole.", 1)
    # Another tablet changes the answer; this one's next save conflicts, and the conflict's
    # answer is cut off too: still no answer, so the change waits for the whole one.
    with Session(live_server.engine) as session:
        ana = session.get(Participant, world.ana.id)
        assert ana is not None
        responses.save_answer(
            session,
            participant=ana,
            exercise=tablet_views.exercise_for(session, participant=ana, exercise_id=EX),
            prompt_id="their-week",
            value="From the other tablet.",
            base_version=1,
            idempotency_key="k-other-tablet-1",
        )
        session.commit()
    cut.clear()
    page.route("**/p/api/answers/**", cut_off)
    page.locator("#q-their-week").press("End")
    page.keyboard.type(" More.")
    expect(page.locator("#save-status")).to_have_attribute("data-unsent", "1")
    page.wait_for_selector('#save-status[data-state="offline"]')
    assert cut
    assert page.locator(".merge").count() == 0
    page.unroute("**/p/api/answers/**")
    page.wait_for_selector(".merge", timeout=15_000)
    assert page.locator('[data-merge="server"]').inner_text() == "From the other tablet."
    assert page.locator('[data-merge="mine"]').inner_text() == "Kept whole. More."


def test_two_tablets_editing_one_answer_get_a_merge_prompt(
    live_server: LiveServer, browser: Any
) -> None:
    world, codes = _seed(live_server)
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport=TABLET, has_touch=True)
        page = context.new_page()
        _sign_in(page, live_server, codes["Ana"])
        page.goto(f"{live_server.base_url}/p/exercises/{EX}")
        pages.append(page)
    first, second = pages
    first.locator("#q-their-week").type("alpha")
    _saved(first)
    second.locator("#q-their-week").type("beta")
    second.wait_for_selector(".merge")
    assert second.locator('[data-merge="server"]').inner_text() == "alpha"
    assert second.locator('[data-merge="mine"]').inner_text() == "beta"
    assert _answer(live_server, world.ana, "their-week") == "alpha"
    second.click('[data-merge-action="both"]')
    _saved(second)
    assert _answer(live_server, world.ana, "their-week") == "alpha\n\nbeta"
    for page in pages:
        page.context.close()


def test_buddy_answers_appear_once_both_answered(live_server: LiveServer, browser: Any) -> None:
    _, codes = _seed(live_server)
    pages = {}
    for name in ("Ana", "Ben"):
        context = browser.new_context(viewport=TABLET, has_touch=True)
        page = context.new_page()
        _sign_in(page, live_server, codes[name])
        page.goto(f"{live_server.base_url}/p/exercises/{EX}")
        pages[name] = page
    pages["Ana"].locator("#q-curious-about").type("How Ben runs his team")
    _saved(pages["Ana"])
    pages["Ben"].reload()
    assert "How Ben runs his team" not in pages["Ben"].content()
    pages["Ben"].locator("#q-curious-about").type("What Ana learned abroad")
    _saved(pages["Ben"])
    pages["Ben"].reload()
    assert "How Ben runs his team" in pages["Ben"].locator("#shared").inner_text()
    pages["Ana"].reload()
    assert "What Ana learned abroad" in pages["Ana"].locator("#shared").inner_text()
    for page in pages.values():
        page.context.close()


def _small_targets(page: Any) -> list[str]:
    return list(
        page.evaluate("""() => {
      const out = [];
      for (const el of document.querySelectorAll('a, button, input, textarea, select, summary')) {
        if (el.type === 'hidden' || el.offsetParent === null) continue;
        const target = (el.type === 'radio' || el.type === 'checkbox') ? el.closest('label') : el;
        const r = target.getBoundingClientRect();
        if (r.width < 44 || r.height < 44)
          out.push(`${target.outerHTML.slice(0, 60)} ${r.width}x${r.height}`);
      }
      return out;
    }""")
    )


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return list(
        page.evaluate("""async () => {
      const r = await axe.run();
      return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
    }""")
    )


def test_a_participant_answers_by_touch_alone(live_server: LiveServer, tablet_page: Any) -> None:
    """No mouse and no keyboard: taps reach the exercise, answer a scale and come back home."""
    world, codes = _seed(live_server)
    page = tablet_page
    _sign_in(page, live_server, codes["Ana"])
    page.locator(f'main a[href="/p/exercises/{EX}"]').first.tap()
    page.wait_for_url(f"**/p/exercises/{EX}")
    page.locator('fieldset[data-prompt="first-impression"] label').filter(has_text="4").tap()
    _saved(page)
    assert _answer(live_server, world.ana, "first-impression") == 4
    page.locator('a[href="/p"]').first.tap()
    page.wait_for_url(f"{live_server.base_url}/p")


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_pages_have_big_touch_targets_and_no_serious_accessibility_faults(
    live_server: LiveServer, browser: Any, orientation: str
) -> None:
    world, codes = _seed(live_server)
    with Session(live_server.engine) as session:  # the home then lists the days, folded
        cohort = session.get(Cohort, world.cohort.id)
        assert cohort is not None
        agenda.build_agenda(session, cohort=cohort)
        session.commit()
    width, height = TABLET["width"], TABLET["height"]
    viewport = TABLET if orientation == "portrait" else {"width": height, "height": width}
    # Injecting axe is an inline script; the pages' own CSP is checked by the router tests.
    context = browser.new_context(viewport=viewport, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.base_url}/join")
    assert _serious_violations(page) == []
    _sign_in(page, live_server, codes["Ana"])
    for path in (
        "/p",
        f"/p/exercises/{EX}",
        "/p/exercises/buddy-agreement",
        "/p/exercises/career-stories",
        "/p/plan",
        "/p/plan/versions",
        "/p/partnership",
    ):
        page.goto(live_server.base_url + path)
        assert (path, _small_targets(page)) == (path, [])
        assert (path, _serious_violations(page)) == (path, [])
        # Readable on the tablet: nothing runs off the side of the screen.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert (path, overflow) == (path, 0)
    context.close()


def test_handing_back_clears_the_device_and_warns_about_unsent_answers(
    live_server: LiveServer, tablet_page: Any
) -> None:
    world, codes = _seed(live_server)
    page = tablet_page
    _sign_in(page, live_server, codes["Ana"])
    page.goto(f"{live_server.base_url}/p/exercises/{EX}")
    page.context.set_offline(True)
    page.locator("#q-their-week").type("not sent yet")
    page.wait_for_selector('#save-status[data-state="offline"]')
    page.click("#handback button")
    page.wait_for_selector("#handback-warning:not([hidden])")
    page.click('[data-handback="wait"]')
    page.context.set_offline(False)
    _saved(page)
    assert _answer(live_server, world.ana, "their-week") == "not sent yet"
    page.click("#handback button")
    page.wait_for_url(f"{live_server.base_url}/join?handed_back=1")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tandem.'))") == []
    page.goto(f"{live_server.base_url}/p")
    assert page.url == f"{live_server.base_url}/join"
