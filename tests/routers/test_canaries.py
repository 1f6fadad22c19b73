"""Canary sweep: text planted in every answer never reaches a facilitator, a log or an error."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import Cohort, Participant
from app.services import program, responses
from tests.routers.route_world import RouteWorld, all_routes, app_for, build_route_world, client_for
from tests.routers.test_permissions import COHORT, FACILITATOR, ROUTES

CANARY = "CANARY-7f3a"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> RouteWorld:
    return build_route_world(tmp_path_factory.mktemp("canary-world"))


def _plant(session: Session, slug: str) -> int:
    cohort = session.exec(select(Cohort).where(Cohort.slug == slug)).one()
    people = session.exec(select(Participant).where(Participant.cohort_id == cohort.id)).all()
    for person in people:
        if responses.agreement_state(session, participant=person).group_id is not None:
            responses.accept_agreement(session, participant=person)
    planted = 0
    for bound in program.program_of(session, cohort=cohort):
        for person in people:
            for prompt in bound.spec.prompts:
                if prompt.type not in responses.TEXT_LIMITS:
                    continue
                responses.save_answer(
                    session,
                    participant=person,
                    exercise=bound,
                    prompt_id=prompt.id,
                    value=f"{CANARY}-{person.id}-{prompt.id}",
                    base_version=0,
                    idempotency_key=f"canary-{person.id}-{bound.spec.id}-{prompt.id}"[:100],
                )
                planted += 1
    session.commit()
    return planted


def test_no_facilitator_page_export_log_or_error_shows_an_answer(
    world: RouteWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with app_for(world, tmp_path / "copy") as app:
        with Session(app.state.engine) as session:
            assert _plant(session, world.params["slug"]) > 100
        crawled = []
        for viewer in ("facilitator", "admin"):
            with client_for(world, viewer, app) as client:
                for method, path in all_routes(app):
                    if method != "GET" or ROUTES.get((method, path)) not in (COHORT, FACILITATOR):
                        continue
                    url = path
                    for key, value in world.params.items():
                        url = url.replace("{" + key + "}", value)
                    body = client.get(url).text
                    crawled.append(url)
                    assert CANARY not in body, f"{viewer} saw an answer on {url}"
        with client_for(world, "self", app) as tablet:
            refused = tablet.put(
                "/p/api/answers/meet-your-buddy/their-week",
                headers={"Accept": "application/json"},
                json={"value": CANARY * 3000, "base_version": 1, "idempotency_key": "key-big-1"},
            )
            assert refused.status_code == 422
            assert CANARY not in refused.text
    assert "/cohorts/{slug}/progress".replace("{slug}", world.params["slug"]) in crawled
    assert CANARY not in caplog.text
