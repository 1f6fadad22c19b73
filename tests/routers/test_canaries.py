"""Canary sweep: text planted in every answer, a plan, a plan comment, a check-in note and an
agreed step never reaches a facilitator, an export, a log or an error."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import Cohort, Participant
from app.models.plans import AgreedStep, CheckInNote, Plan, PlanComment
from app.services.library import program
from app.services.tablet import responses
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


def _plant_plans_and_partnership(world: RouteWorld, app: FastAPI) -> list[str]:
    """Write a plan, a buddy's comment, a check-in note and an agreed step through the tablet
    routes, so that every request log line on the way is swept too."""
    planted = {part: f"{CANARY}-plan-{part}" for part in ("aspiration", "goal", "strengths")}
    planted |= {"comment": f"{CANARY}-comment", "note": f"{CANARY}-note", "step": f"{CANARY}-step"}
    ana = world.params["participant_id"]
    with client_for(world, "self", app) as tablet:
        version = _plan_version(app, int(ana))
        saved = tablet.put(
            "/p/api/plan",
            headers={"Accept": "application/json"},
            json={
                "content": {
                    "aspiration": planted["aspiration"],
                    "goals": [{"what": planted["goal"]}],
                    "strengths": planted["strengths"],
                    "obstacles": "",
                },
                "base_version": version,
                "idempotency_key": "canary-plan-1",
            },
        )
        note = tablet.post(
            "/p/partnership/notes", data={"checkin_date": "2027-04-03", "text": planted["note"]}
        )
        step = tablet.post("/p/partnership/steps", data={"text": planted["step"]})
    with client_for(world, "buddy", app) as buddy:
        comment = buddy.post(
            f"/p/people/{ana}/plan/comments", data={"part": "goals", "text": planted["comment"]}
        )
    assert (saved.status_code, note.status_code, step.status_code, comment.status_code) == (
        200,
        303,
        303,
        303,
    )
    return sorted(planted.values())


def _plan_version(app: FastAPI, participant_id: int) -> int:
    with Session(app.state.engine) as session:
        plan = session.exec(select(Plan).where(Plan.participant_id == participant_id)).one()
        return plan.version


def _stored_text(app: FastAPI) -> str:
    """Everything the planted rows hold, to prove the plants really landed."""
    with Session(app.state.engine) as session:
        rows: list[object] = [
            *session.exec(select(Plan)).all(),
            *session.exec(select(PlanComment)).all(),
            *session.exec(select(CheckInNote)).all(),
            *session.exec(select(AgreedStep)).all(),
        ]
        return " ".join(repr(row) for row in rows)


def test_no_facilitator_page_export_log_or_error_shows_an_answer(
    world: RouteWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with app_for(world, tmp_path / "copy") as app:
        with Session(app.state.engine) as session:
            assert _plant(session, world.params["slug"]) > 100
        planted = _plant_plans_and_partnership(world, app)
        stored = _stored_text(app)
        assert [c for c in planted if c in stored] == planted
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
    slug = world.params["slug"]
    assert [f"/cohorts/{slug}/{page}" in crawled for page in ("progress", "plans")] == [True, True]
    assert CANARY not in caplog.text
