"""Canary sweep: text planted in every answer, a plan, a plan comment, a check-in note and an
agreed step (ticked done, beside a check-in moved and held) never reaches a facilitator, an
export, a log or an error; and what the real server prints is JSON only, without a sign-in
link, code, session or password."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from app.core.db import create_db_engine
from app.core.logging import SECRET_PATH_PREFIXES, JsonFormatter, redact
from app.models import Cohort, Participant
from app.models.intake import IntakeAnswer, IntakeAvoid
from app.models.plans import AgreedStep, CheckInNote, Plan, PlanComment
from app.services import links
from app.services.library import program
from app.services.tablet import responses
from tests.conftest import csrf_of
from tests.live_server import LiveServer, seed_world
from tests.routers.route_world import RouteWorld, all_routes, app_for, build_route_world, client_for
from tests.routers.test_permissions import ADMIN, COHORT, FACILITATOR, ROUTES

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
    planted += _plant_intake(session, cohort, list(people))
    session.commit()
    return planted


def _plant_intake(session: Session, cohort: Cohort, people: list[Participant]) -> int:
    """Each participant's intake: free text, tag choices and a private avoid request (the pairs
    are published in this world, so the rows are written as the intake page would have)."""
    assert cohort.id is not None
    for person, other in zip(people, [*people[1:], people[0]], strict=True):
        assert person.id is not None
        assert other.id is not None
        session.add(
            IntakeAnswer(
                participant_id=person.id,
                cohort_id=cohort.id,
                offers=[f"{CANARY}-offer-{person.id}"],
                notes={"want-to-learn": f"{CANARY}-intake-{person.id}"},
            )
        )
        session.add(IntakeAvoid(participant_id=person.id, avoided_id=other.id))
    return len(people)


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
        step_id = _step_id(app, planted["step"])
        ticked = tablet.post(f"/p/partnership/steps/{step_id}/done", data={"done": "true"})
        checkin = world.params["checkin_id"]
        moved = tablet.post(
            f"/p/partnership/checkins/{checkin}/move", data={"day": "2027-04-09", "at": "15:00"}
        )
        held = tablet.post(f"/p/partnership/checkins/{checkin}/held")
        assert (ticked.status_code, moved.status_code, held.status_code) == (303, 303, 303)
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


def _step_id(app: FastAPI, text: str) -> int:
    with Session(app.state.engine) as session:
        step = session.exec(select(AgreedStep).where(AgreedStep.text == text)).one()
        assert step.id is not None
        return step.id


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
            *session.exec(select(IntakeAnswer)).all(),
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
        assert f"{CANARY}-intake-" in stored
        crawled = []
        for viewer in ("facilitator", "co_facilitator", "admin"):
            with client_for(world, viewer, app) as client:
                for method, path in all_routes(app):
                    if method != "GET" or ROUTES.get((method, path)) not in (
                        COHORT,
                        FACILITATOR,
                        ADMIN,
                    ):
                        continue
                    url = path
                    for key, value in world.params.items():
                        url = url.replace("{" + key + "}", value)
                    body = client.get(url).text
                    crawled.append(url)
                    assert CANARY not in body, f"{viewer} saw an answer on {url}"
                sheets = _link_sheets(client, world.params["slug"])
                assert [CANARY in sheet for sheet in sheets] == [False, False]
        with client_for(world, "self", app) as tablet:
            refused = tablet.put(
                "/p/api/answers/meet-your-buddy/their-week",
                headers={"Accept": "application/json"},
                json={"value": CANARY * 3000, "base_version": 1, "idempotency_key": "key-big-1"},
            )
            assert refused.status_code == 422
            assert CANARY not in refused.text
    slug = world.params["slug"]
    pages = ("progress", "plans", "intake", "matching")
    assert [f"/cohorts/{slug}/{page}" in crawled for page in pages] == [True] * len(pages)
    assert "/admin/facilitators" in crawled
    assert CANARY not in caplog.text


def _link_sheets(client: TestClient, slug: str) -> list[str]:
    """The link sheet as CSV and as the text of its PDF (downloading issues new links)."""
    token = csrf_of(client, f"/cohorts/{slug}/links")
    sheet = client.post(f"/cohorts/{slug}/links.csv", data={"csrf_token": token})
    printed = client.post(f"/cohorts/{slug}/links.pdf", data={"csrf_token": token})
    assert (sheet.status_code, printed.status_code) == (200, 200)
    pages = PdfReader(io.BytesIO(printed.content)).pages
    return [sheet.text, " ".join(page.extract_text() for page in pages)]


def _json_lines(printed: str) -> list[dict[str, object]]:
    lines = [line for line in printed.splitlines() if line.strip()]
    not_json = []
    parsed = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if isinstance(value, dict):
            parsed.append(value)
        else:
            not_json.append(line)
    assert not_json == []
    return parsed


LIVE_PIN = "730519"


def _choose_pin(tablet: httpx.Client, at_pin_step: httpx.Response) -> None:
    """Finish a card sign-in on the live server: choose the PIN, land on the tablet home."""
    assert at_pin_step.url.path == "/join/pin"
    data = {"pin": LIVE_PIN, "pin_again": LIVE_PIN, "csrf_token": csrf_of(tablet, "/join/pin")}
    signed_in = tablet.post("/join/pin", data=data)
    assert (signed_in.status_code, signed_in.url.path) == (200, "/p")


@pytest.mark.slow
def test_the_server_prints_only_json_lines_without_a_sign_in_secret(
    db_url: str, tmp_path: Path
) -> None:
    world = seed_world(db_url, people=3)
    by_link, by_code, untouched = world.cards
    server = LiveServer(db_url, tmp_path / "var")
    server.start()
    sessions = []
    wrong_password = "WrongPassword-4711"
    try:
        with server.client(follow_redirects=True) as tablet:
            assert tablet.get(f"/join/{by_link.token}").status_code == 200
            token = csrf_of(tablet, f"/join/{by_link.token}")
            scanned = tablet.post("/join/link", data={"token": by_link.token, "csrf_token": token})
            _choose_pin(tablet, scanned)
            sessions.append(tablet.cookies.get("tandem_session"))
        with server.client(follow_redirects=True) as tablet:
            token = csrf_of(tablet, "/join")
            typed = f"{by_code.code[:4]}-{by_code.code[4:]}"
            _choose_pin(tablet, tablet.post("/join", data={"code": typed, "csrf_token": token}))
            sessions.append(tablet.cookies.get("tandem_session"))
        # A personal link on the participant's own phone: once to sign in, once refused.
        link_url = _personal_link(db_url, untouched.participant_id, server.base)
        link_path = link_url.removeprefix(server.base)
        link_token = link_path.rsplit("/", 1)[1]
        for attempt in ("sign in", "used again"):
            with server.client(follow_redirects=True) as phone:
                assert phone.get(link_path).status_code == 200
                token = csrf_of(phone, link_path)
                opened = phone.post("/link", data={"token": link_token, "csrf_token": token})
                if attempt == "used again":
                    assert opened.status_code == 400
                    continue
                assert opened.url.path == "/link/pin"
                data = {
                    "pin": LIVE_PIN,
                    "pin_again": LIVE_PIN,
                    "csrf_token": csrf_of(phone, "/link/pin"),
                }
                assert phone.post("/link/pin", data=data).url.path == "/p"
                sessions.append(phone.cookies.get("tandem_session"))
        with server.client() as stranger:
            leaky = [
                f"/login?next=/join/{untouched.token}",
                f"/join?token={untouched.token}&code={untouched.code}",
                f"/join/{untouched.token}/more",
                f"/p?code={untouched.code}",
            ]
            assert [stranger.get(url).status_code < 500 for url in leaky] == [True] * 4
            token = csrf_of(stranger)
            refused = stranger.post(
                "/login",
                data={"email": "live@example.com", "password": wrong_password, "csrf_token": token},
            )
            assert refused.status_code == 400
        server.terminate()
        lines = _json_lines(server.output())
    finally:
        server.kill()

    printed = server.output()
    secrets = [
        link_token,
        *(c.token for c in world.cards),
        *(c.code for c in world.cards),
        *(f"{c.code[:4]}-{c.code[4:]}" for c in world.cards),
        *(s for s in sessions if s),
        wrong_password,
        LIVE_PIN,
    ]
    assert len(sessions) == 3
    assert [s for s in secrets if s in printed] == []
    # Only route templates and the fixed sign-in steps follow /join/, never a link's secret.
    assert not re.search(r"/join/(?!\{token\}|link\b|pin\b|\[redacted\])", printed)
    assert not re.search(r"/link/(?!\{token\}|\[redacted\])", printed)
    loggers = {line["logger"] for line in lines}
    assert "uvicorn.access" not in loggers
    assert any(
        line["logger"] == "uvicorn.error" and "Started server process" in str(line["msg"])
        for line in lines
    )
    routes = {line.get("route") for line in lines if line["logger"] == "tandem.access"}
    assert {"/join/{token}", "/join", "/login", "/p", "/link/{token}", "/link"} <= routes


def _personal_link(db_url: str, participant_id: int, base_url: str) -> str:
    engine = create_db_engine(db_url)
    with Session(engine) as session:
        url = links.issue_link(session, participant_id, base_url=base_url).url
        session.commit()
    engine.dispose()
    return url


def test_redaction_removes_personal_links_and_query_values_but_keeps_templates() -> None:
    line = 'GET /join/Ab9_-xYz?next=%2Fjoin%2Fq&code=ABCD-EFGH HTTP/1.1" 303 /join/{token}'

    assert redact(line) == (
        'GET /join/[redacted]?next=[redacted]&code=[redacted] HTTP/1.1" 303 /join/{token}'
    )


def test_a_library_log_line_naming_a_sign_in_link_is_redacted_as_json() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.ERROR, __file__, 1, "bad request to %s", ("/join/s3cret",), None
    )

    line = json.loads(JsonFormatter().format(record))

    assert (line["logger"], line["msg"]) == ("uvicorn.error", "bad request to /join/[redacted]")


def test_every_route_with_a_secret_in_its_path_is_redacted_in_logs(
    world: RouteWorld, tmp_path: Path
) -> None:
    secret_names = re.compile(r"\{(\w*(token|code|secret|key|link)\w*)\}")
    with app_for(world, tmp_path / "copy") as app:
        paths = {path for _, path in all_routes(app) if secret_names.search(path)}
    covered = {p for p in paths if any(p.startswith(prefix) for prefix in SECRET_PATH_PREFIXES)}

    assert paths == covered
    assert "/join/{token}" in paths
