"""Plan and partnership pages over HTTP: autosave JSON, buddy view, facilitator counts."""

from __future__ import annotations

import json
from pathlib import Path

from tests.routers.route_world import app_for, build_route_world, client_for


def test_plan_pages_follow_the_cone_of_silence(tmp_path: Path) -> None:
    world = build_route_world(tmp_path / "world")
    ana = world.params["participant_id"]
    with app_for(world, tmp_path / "copy") as app:
        with client_for(world, "self", app) as me:
            body = {
                "content": {"aspiration": "CANARY-ASP", "goals": [{"what": "CANARY-GOAL"}]},
                "base_version": 0,
                "idempotency_key": "key-http-1",
            }
            saved = me.put("/p/api/plan", json=body)
            again = me.put("/p/api/plan", json=body)
            stale = me.put(
                "/p/api/plan",
                json={**body, "idempotency_key": "key-http-2", "content": {"aspiration": "other"}},
            )
            export = me.get("/p/my-data.json")
            assert (saved.status_code, saved.json()["version"]) == (200, 1)
            assert again.json() == saved.json()
            assert (stale.status_code, stale.json()["server"]["version"]) == (409, 1)
            assert "CANARY-ASP" in json.dumps(export.json())
        with client_for(world, "buddy", app) as buddy:
            page = buddy.get(f"/p/people/{ana}/plan")
            assert "CANARY-GOAL" in page.text
            assert "CANARY-ASP" not in page.text
            posted = buddy.post(
                f"/p/people/{ana}/plan/comments",
                data={"part": "goals", "text": "Have you thought about X?"},
            )
            assert posted.status_code == 303
        with client_for(world, "stranger", app) as stranger:
            assert stranger.get(f"/p/people/{ana}/plan").status_code == 404
        for viewer in ("facilitator", "admin"):
            with client_for(world, viewer, app) as fac:
                page = fac.get(f"/cohorts/{world.params['slug']}/plans")
                assert page.status_code == 200
                assert "CANARY" not in page.text
                assert "Have you thought" not in page.text
        with client_for(world, "facilitator", app) as fac:
            erase = fac.post(
                f"/cohorts/{world.params['slug']}/participants/{ana}/erase",
                data={"confirm": "ana.spring@example.com"},
            )
            assert erase.status_code == 404
