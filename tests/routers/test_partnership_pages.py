"""The partnership over HTTP: a check-in's one-tap page, moving it, the shared next steps,
ending kindly, and the counts a facilitator sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.routers.route_world import RouteWorld, app_for, build_route_world, client_for


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> RouteWorld:
    return build_route_world(tmp_path_factory.mktemp("partnership-world"))


def _state(html: str) -> str:
    found = re.search(r'id="checkin-state">([^<]*)<', html)
    assert found is not None
    return found.group(1)


def test_we_met_and_we_moved_it_are_one_tap_each(world: RouteWorld, tmp_path: Path) -> None:
    checkin = world.params["checkin_id"]
    page_url = f"/p/partnership/checkins/{checkin}"
    with app_for(world, tmp_path / "copy") as app:
        with client_for(world, "self", app) as ana:
            page = ana.get(page_url)
            assert page.status_code == 200
            assert "Check-in 1 with Ben" in page.text
            assert "Monday, April 5, 2027 · 10:00\u202fAM" in page.text
            assert _state(page.text) == "Coming up"
            moved = ana.post(f"{page_url}/move", data={"day": "2027-04-09", "at": "15:30"})
            assert (moved.status_code, moved.headers["location"]) == (303, page_url)
            page = ana.get(page_url)
            assert (_state(page.text), "Friday, April 9, 2027 · 3:30\u202fPM" in page.text) == (
                "Moved",
                True,
            )
            refused = ana.post(f"{page_url}/move", data={"day": "2020-01-01", "at": "10:00"})
            assert refused.status_code == 422
            assert "Choose a day and time still to come." in refused.text
            unreadable = ana.post(f"{page_url}/move", data={"day": "soon", "at": "10:00"})
            assert unreadable.status_code == 422
        with client_for(world, "buddy", app) as ben:
            held = ben.post(f"{page_url}/held")
            assert held.status_code == 303
            page = ben.get(page_url)
            assert (_state(page.text), 'id="we-met"' in page.text) == ("We met", False)
            ics = ben.get("/p/partnership/checkins.ics")
        [first, *_] = Calendar.from_ical(ics.content).walk("VEVENT")
        assert (int(first["sequence"]), first.decoded("dtstart").isoformat()) == (
            1,
            "2027-04-09T15:30:00+00:00",
        )
        with client_for(world, "stranger", app) as cai:
            assert cai.get(page_url).status_code == 404


def test_the_pair_ticks_and_removes_next_steps(world: RouteWorld, tmp_path: Path) -> None:
    step = world.params["step_id"]
    with app_for(world, tmp_path / "copy") as app:
        with client_for(world, "buddy", app) as ben:
            assert (
                ben.post(f"/p/partnership/steps/{step}/done", data={"done": "true"}).status_code
                == 303
            )
            page = ben.get("/p/partnership")
            assert re.search(r'<span class="done-text">Call each other</span>', page.text)
        with client_for(world, "self", app) as ana:
            assert ana.post(f"/p/partnership/steps/{step}/remove").status_code == 303
            page = ana.get("/p/partnership")
            assert "Call each other" not in page.text
            assert ana.post(f"/p/partnership/steps/{step}/remove").status_code == 404


def test_ending_kindly_hides_the_reason_from_buddy_and_facilitator(
    world: RouteWorld, tmp_path: Path
) -> None:
    with app_for(world, tmp_path / "copy") as app:
        with client_for(world, "self", app) as ana:
            ended = ana.post(
                "/p/partnership/state", data={"state": "ended", "reason": "roles_overlap"}
            )
            assert ended.status_code == 303
            mine = ana.get("/p/partnership").text
            assert "Our roles now overlap too much to speak freely" in mine
            assert "Thank you for the time you gave each other." in mine
        with client_for(world, "buddy", app) as ben:
            theirs = ben.get("/p/partnership").text
            assert "This partnership has ended." in theirs
            assert "overlap" not in theirs
            checkin = world.params["checkin_id"]
            assert 'id="we-met"' not in ben.get(f"/p/partnership/checkins/{checkin}").text
        with client_for(world, "facilitator", app) as fac:
            for page in ("", "/plans", "/matching"):
                body = fac.get(f"/cohorts/{world.params['slug']}{page}").text
                assert "overlap" not in body


def test_the_facilitator_sees_no_count_for_fewer_than_five_pairs(
    world: RouteWorld, tmp_path: Path
) -> None:
    with app_for(world, tmp_path / "copy") as app:
        with client_for(world, "self", app) as ana:
            ana.post(f"/p/partnership/checkins/{world.params['checkin_id']}/held")
        with client_for(world, "facilitator", app) as fac:
            plans = fac.get(f"/cohorts/{world.params['slug']}/plans").text
            dashboard = fac.get(f"/cohorts/{world.params['slug']}").text
    cell = re.search(r'id="checkins-held">([^<]*)<', plans)
    assert cell is not None
    assert cell.group(1) == "not shown for fewer than 5 pairs"
    assert "Check-ins held after the program: not shown for fewer than 5 pairs" in dashboard
