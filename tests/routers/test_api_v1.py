"""The whole facilitator product driven through the JSON API, as an HR system would: every
answer is checked against the OpenAPI document (status code, content type, body schema)."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app.models import Facilitator
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import PASSWORD, join_tablet, make_facilitator, sign_in
from tests.routers.route_world import all_routes
from tests.services.tablet.factories import World, add_participant, make_cohort, make_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Api:
    """A signed-in API caller whose every answer must match the document."""

    client: TestClient
    app: FastAPI
    token: str
    schema: Any = field(init=False)
    answered: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.schema = schemathesis.openapi.from_dict(self.app.openapi())

    def call(self, method: str, path: str, status: int, /, **kwargs: Any) -> httpx.Response:
        """Send ``method path`` (filled from ``path=``), check the answer is documented and
        has the ``status`` expected; returns it."""
        params: dict[str, Any] = kwargs.pop("path", {})
        url = "/api/v1" + path.format(**params)
        headers = {"X-CSRF-Token": self.token} if method != "GET" else {}
        response = self.client.request(method, url, headers=headers, **kwargs)
        operation = self.schema["/api/v1" + path][method]
        case = operation.Case(path_parameters={k: str(v) for k, v in params.items()})
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == status, (method, url, response.text)
        self.answered.append(f"{method} {path}")
        return response


def _as(client: TestClient, app: FastAPI, user: Facilitator) -> Api:
    return Api(client, app, sign_in(client, user.email))


@pytest.fixture
def fay(session: Session, world: World) -> Facilitator:
    """A facilitator of the world's cohort (not an admin)."""
    user = make_facilitator(session, "fay@example.com")
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=user)
    session.commit()
    return user


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_api_creates_edits_and_lists_cohorts_and_participants(
    client: TestClient, web_app: FastAPI, world: World, fay: Facilitator
) -> None:
    api = _as(client, web_app, fay)
    created = api.call("POST", "/cohorts", 201, json={"name": "HR", "start_date": "2027-05-03"})
    slug = created.json()["slug"]
    edited = api.call(
        "PATCH", "/cohorts/{slug}", 200, path={"slug": slug}, json={"days": 3, "language": "fr"}
    )
    listed = api.call("GET", "/cohorts", 200).json()
    one = api.call("GET", "/cohorts/{slug}", 200, path={"slug": world.cohort.slug}).json()
    cai = {"slug": world.cohort.slug, "participant_id": world.cai.id}
    patched = api.call(
        "PATCH",
        "/cohorts/{slug}/participants/{participant_id}",
        200,
        path=cai,
        json={"title": "Head of Sales", "languages": ["en", "de"], "language": "de"},
    ).json()
    read = api.call("GET", "/cohorts/{slug}/participants/{participant_id}", 200, path=cai).json()
    csv = api.call("GET", "/cohorts/{slug}/roster.csv", 200, path={"slug": world.cohort.slug})
    api.call("DELETE", "/cohorts/{slug}/participants/{participant_id}", 204, path=cai)
    after = api.call("GET", "/cohorts/{slug}/participants", 200, path={"slug": world.cohort.slug})

    assert (edited.json()["days"], edited.json()["language"], edited.json()["name"]) == (
        3,
        "fr",
        "HR",
    )
    assert sorted(c["slug"] for c in listed) == sorted([slug, world.cohort.slug])
    assert one["id"] == world.cohort.id
    assert patched == read
    assert (read["title"], read["languages"], read["language"], read["name"]) == (
        "Head of Sales",
        ["en", "de"],
        "de",
        "Cai",
    )
    assert "Head of Sales" in csv.content.decode("utf-8-sig")
    assert [p["name"] for p in after.json()] == ["Ana", "Ben", "Dan"]


def test_api_refuses_a_bad_participant_edit_and_changes_nothing(
    client: TestClient, web_app: FastAPI, world: World, fay: Facilitator
) -> None:
    api = _as(client, web_app, fay)
    cai = {"slug": world.cohort.slug, "participant_id": world.cai.id}

    refused = api.call(
        "PATCH",
        "/cohorts/{slug}/participants/{participant_id}",
        422,
        path=cai,
        json={"title": "Boss", "manager_email": "not-an-address"},
    ).json()
    read = api.call("GET", "/cohorts/{slug}/participants/{participant_id}", 200, path=cai).json()

    assert [p["field"] for p in refused["problems"]] == ["manager_email"]
    assert read["title"] == ""


def test_api_pairs_locks_swaps_excludes_publishes_ends_and_joins(
    client: TestClient, web_app: FastAPI, session: Session, fay: Facilitator
) -> None:
    cohort = make_cohort(session, "Pairs")
    people = [add_participant(session, cohort, n) for n in ("Ann", "Bob", "Cy", "Di", "Ed")]
    cohorts.assign_facilitator(session, cohort=cohort, facilitator=fay)
    session.commit()
    api = _as(client, web_app, fay)
    at = {"slug": cohort.slug}
    ids = [p.id for p in people]

    before = api.call("GET", "/cohorts/{slug}/matching", 200, path=at).json()
    weights = api.call(
        "PATCH",
        "/cohorts/{slug}/matching/weights",
        200,
        path=at,
        json={"similar_level": 2.5, "history_mode": "penalty"},
    ).json()
    assert api.call("GET", "/cohorts/{slug}/matching/weights", 200, path=at).json() == weights
    run = api.call("POST", "/cohorts/{slug}/matching", 200, path=at).json()
    groups = api.call("GET", "/cohorts/{slug}/matching/groups", 200, path=at).json()
    first, second = groups[0], groups[1]
    swapped = api.call(
        "POST",
        "/cohorts/{slug}/matching/swap",
        200,
        path=at,
        json={"a": first["members"][0]["id"], "b": second["members"][0]["id"]},
    ).json()
    kept = api.call("GET", "/cohorts/{slug}/matching/groups", 200, path=at).json()[0]
    unlocked = api.call(
        "PUT",
        "/cohorts/{slug}/matching/groups/{group_id}/lock",
        200,
        path={**at, "group_id": kept["id"]},
        json={"locked": False},
    ).json()
    why = api.call(
        "POST", "/cohorts/{slug}/matching/why-not", 200, path=at, json={"a": ids[0], "b": ids[1]}
    ).json()
    excluded = api.call(
        "PUT",
        "/cohorts/{slug}/matching/excluded",
        200,
        path=at,
        json={"participant_id": ids[4], "excluded": True},
    ).json()
    api.call("POST", "/cohorts/{slug}/matching", 200, path=at)
    published = api.call("POST", "/cohorts/{slug}/matching/publish", 200, path=at).json()
    live = api.call("GET", "/cohorts/{slug}/matching/groups", 200, path=at).json()
    ended = api.call(
        "POST",
        "/cohorts/{slug}/matching/groups/{group_id}/end",
        200,
        path={**at, "group_id": live[0]["id"]},
        json={"reason": "left_program"},
    ).json()
    waiting = [m["id"] for m in live[0]["members"]]
    joined = api.call(
        "POST",
        "/cohorts/{slug}/matching/groups/{group_id}/join",
        200,
        path={**at, "group_id": live[1]["id"]},
        json={"participant_id": waiting[0]},
    ).json()
    history = api.call(
        "GET", "/cohorts/{slug}/matching/groups", 200, path=at, params={"ended": True}
    )
    matrix = api.call("GET", "/cohorts/{slug}/matching/matrix", 200, path=at).json()
    state = api.call("GET", "/cohorts/{slug}/matching", 200, path=at).json()

    assert (before["state"], before["groups"]) == ("not_paired", [])
    assert (weights["similar_level"], weights["history_mode"]) == (2.5, "penalty")
    assert sum(len(g["members"]) for g in run["groups"]) == 5
    assert len(swapped["groups"]) == 2
    assert (kept["locked"], unlocked["locked"], unlocked["state"]) == (True, False, "proposed")
    assert unlocked["members"] == kept["members"]
    assert (why["a"]["id"], why["b"]["id"], why["reasons"] != []) == (ids[0], ids[1], True)
    assert (excluded["id"], excluded["excluded"]) == (ids[4], True)
    assert published == {"published": 2}
    assert sorted(len(g["members"]) for g in live) == [2, 2]
    assert sorted(ended["unpaired"]) == sorted(m["email"] for m in live[0]["members"])
    assert (joined["id"], len(joined["members"]), joined["state"]) == (
        live[1]["id"],
        3,
        "published",
    )
    assert [g["end_reason"] for g in history.json() if g["state"] == "ended"] == ["left_program"]
    assert len(matrix["participants"]) == len(matrix["scores"]) == 5
    assert state["state"] == "published"


def _placed(agenda: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for d in agenda["days"] for e in d["entries"] if e["exercise_id"]]


def test_api_builds_edits_pins_and_runs_the_agenda(
    client: TestClient, web_app: FastAPI, world: World, fay: Facilitator
) -> None:
    api = _as(client, web_app, fay)
    at = {"slug": world.cohort.slug}
    day1 = {**at, "day": 1}

    built = api.call(
        "POST", "/cohorts/{slug}/agenda/build", 200, path=at, params={"time_limit_s": 2}
    ).json()
    exercise = _placed(built)[-1]["exercise_id"]
    item = {**at, "exercise_id": exercise}
    hours = api.call(
        "PUT",
        "/cohorts/{slug}/agenda/days/{day}/hours",
        200,
        path=day1,
        json={"start": "08:30", "end": "18:30"},
    ).json()
    block = api.call(
        "POST",
        "/cohorts/{slug}/agenda/days/{day}/blocks",
        201,
        path=day1,
        json={"start": "18:00", "end": "18:30", "title": "Drinks", "kind": "fixed"},
    ).json()
    unblocked = api.call(
        "DELETE",
        "/cohorts/{slug}/agenda/days/{day}/blocks",
        200,
        path=day1,
        params={"start": "18:00"},
    ).json()
    pinned = api.call(
        "PUT",
        "/cohorts/{slug}/agenda/items/{exercise_id}/pin",
        200,
        path=item,
        json={"pinned": True},
    ).json()
    moved = api.call(
        "POST",
        "/cohorts/{slug}/agenda/items/{exercise_id}/move",
        200,
        path=item,
        json={"day": 1, "start": "08:30", "force": True},
    ).json()
    removed = api.call(
        "DELETE", "/cohorts/{slug}/agenda/items/{exercise_id}", 200, path=item
    ).json()
    added = api.call(
        "POST", "/cohorts/{slug}/agenda/items", 201, path=at, json={"exercise_id": exercise}
    ).json()
    agenda = api.call("GET", "/cohorts/{slug}/agenda", 200, path=at).json()
    ics = api.call("GET", "/cohorts/{slug}/agenda.ics", 200, path=at)
    mine = api.call(
        "GET",
        "/cohorts/{slug}/agenda/participants/{participant_id}.ics",
        200,
        path={**at, "participant_id": world.ana.id},
    )
    asked = api.call(
        "POST",
        "/cohorts/{slug}/now/{action}",
        409,
        path={**at, "action": "start"},
        json={"day": 1},
    ).json()
    started = api.call(
        "POST",
        "/cohorts/{slug}/now/{action}",
        200,
        path={**at, "action": "start"},
        json={"day": 1, "other_date": True},
    ).json()
    extended = api.call(
        "POST",
        "/cohorts/{slug}/now/{action}",
        200,
        path={**at, "action": "extend"},
        json={"minutes": 5},
    ).json()
    following = api.call("POST", "/cohorts/{slug}/now/{action}", 200, path={**at, "action": "next"})
    now = api.call("GET", "/cohorts/{slug}/now", 200, path=at, params={"day": 1}).json()

    assert built["built"] is True
    assert built["status"] in ("optimal", "feasible")
    assert (hours["days"][0]["start"], hours["days"][0]["end"]) == ("08:30", "18:30")
    assert [e["title"] for e in block["days"][0]["entries"] if e["kind"] == "fixed"] == ["Drinks"]
    assert "Drinks" not in [e["title"] for e in unblocked["days"][0]["entries"]]
    assert [e["pinned"] for e in _placed(pinned) if e["exercise_id"] == exercise] == [True]
    assert isinstance(moved["conflicts"], list)
    assert exercise not in [e["exercise_id"] for e in _placed(removed)]
    assert isinstance(added["conflicts"], list)
    assert exercise in [e["exercise_id"] for e in _placed(agenda)]
    assert b"BEGIN:VCALENDAR" in ics.content
    assert b"BEGIN:VCALENDAR" in mine.content
    assert "Day 1" in asked["detail"]
    assert (started["day"], started["started"], started["current"] is not None) == (1, True, True)
    assert extended["current"]["id"] == started["current"]["id"]
    assert [line["kind"] for line in following.json()["log"]][:1] == ["begin"]
    assert now["version"] >= following.json()["version"]


def test_api_issues_and_revokes_cards_and_shows_progress_and_plans_without_content(
    client: TestClient, web_app: FastAPI, world: World, fay: Facilitator
) -> None:
    api = _as(client, web_app, fay)
    at = {"slug": world.cohort.slug}
    ana = {**at, "participant_id": world.ana.id}

    printed = api.call("POST", "/cohorts/{slug}/cards.pdf", 200, path=at)
    again = api.call("POST", "/cohorts/{slug}/cards/{participant_id}/reissue", 200, path=ana)
    revoked = api.call("POST", "/cohorts/{slug}/cards/{participant_id}/revoke", 200, path=ana)
    api.call("POST", "/cohorts/{slug}/cards/{participant_id}/reset-pin", 204, path=ana)
    cards = api.call("GET", "/cohorts/{slug}/cards", 200, path=at).json()
    progress = api.call("GET", "/cohorts/{slug}/progress", 200, path=at).json()
    plans = api.call("GET", "/cohorts/{slug}/plans", 200, path=at).json()

    assert len(PdfReader(io.BytesIO(printed.content)).pages) >= 1
    assert len(PdfReader(io.BytesIO(again.content)).pages) == 1
    assert revoked.json() == {"revoked": 1}
    by_name = {c["name"]: c for c in cards}
    assert (by_name["Ana"]["revoked"], by_name["Ben"]["revoked"]) == (True, False)
    assert set(by_name["Ana"]) == {
        "participant_id",
        "name",
        "issued_at",
        "expires_at",
        "revoked",
        "pin",
    }
    assert [r["name"] for r in progress["rows"]] == ["Ana", "Ben", "Cai", "Dan"]
    assert len(progress["done"]) == len(progress["columns"])
    assert (plans["started"], plans["partnerships"]) == (0, {"active": 2, "paused": 0, "ended": 0})


def test_api_exports_workbooks_as_a_job_and_downloads_its_files(
    client: TestClient, web_app: FastAPI, session: Session, fay: Facilitator
) -> None:
    cohort = make_cohort(session, "Solo")
    add_participant(session, cohort, "Uma")
    cohorts.assign_facilitator(session, cohort=cohort, facilitator=fay)
    session.commit()
    api = _as(client, web_app, fay)
    at = {"slug": cohort.slug}

    started = api.call(
        "POST", "/cohorts/{slug}/workbooks", 202, path=at, json={"edition": "blank"}
    ).json()
    job = {**at, "job_id": started["id"]}
    deadline = time.monotonic() + 180
    while (state := api.call("GET", "/cohorts/{slug}/jobs/{job_id}", 200, path=job).json())[
        "state"
    ] in ("queued", "running"):
        assert time.monotonic() < deadline, "the export never finished"
        time.sleep(0.2)
    listed = api.call("GET", "/cohorts/{slug}/jobs", 200, path=at).json()
    [archive] = [name for name in state["files"] if name.endswith(".zip")]
    download = api.call(
        "GET", "/cohorts/{slug}/jobs/{job_id}/files/{name}", 200, path={**job, "name": archive}
    )

    assert (started["state"], started["edition"], started["paper"]) == ("queued", "blank", "A4")
    assert (state["state"], state["done"], state["total"]) == ("done", 1, 1)
    assert [j["id"] for j in listed] == [started["id"]]
    assert len(zipfile.ZipFile(io.BytesIO(download.content)).namelist()) == 1


def test_api_erase_and_purge_are_for_admins_only(
    client: TestClient, web_app: FastAPI, session: Session, world: World, fay: Facilitator
) -> None:
    old = cohorts.create_cohort(session, name="Long ago", start_date=date(2020, 1, 6))
    session.commit()
    api = _as(client, web_app, fay)
    cai = {"slug": world.cohort.slug, "participant_id": world.cai.id}
    hidden = api.call(
        "POST",
        "/cohorts/{slug}/participants/{participant_id}/erase",
        404,
        path=cai,
        json={"confirm": world.cai.email},
    )
    client.post("/logout", headers={"X-CSRF-Token": api.token})
    boss = _as(client, web_app, make_facilitator(session, "boss@example.com", admin=True))

    unconfirmed = boss.call(
        "POST",
        "/cohorts/{slug}/participants/{participant_id}/erase",
        422,
        path=cai,
        json={"confirm": "someone@example.com"},
    )
    erased = boss.call(
        "POST",
        "/cohorts/{slug}/participants/{participant_id}/erase",
        200,
        path=cai,
        json={"confirm": world.cai.email.upper()},
    ).json()
    too_early = boss.call("POST", "/cohorts/{slug}/purge", 409, path={"slug": world.cohort.slug})
    purged = boss.call("POST", "/cohorts/{slug}/purge", 200, path={"slug": old.slug}).json()
    gone = boss.call("GET", "/cohorts/{slug}/participants/{participant_id}", 404, path=cai)

    assert hidden.json()["detail"]
    assert unconfirmed.json()["problems"][0]["field"] == "confirm"
    assert erased["deleted"]["participant"] == 1
    assert too_early.json()["detail"]
    assert all(isinstance(n, int) for n in purged["deleted"].values())
    assert gone.status_code == 404


def test_api_another_cohorts_facilitator_gets_404_everywhere(
    client: TestClient, web_app: FastAPI, session: Session, world: World
) -> None:
    stranger = make_facilitator(session, "sam@example.com")
    mine = cohorts.create_cohort(
        session, name="Theirs", start_date=date(2027, 3, 1), actor=stranger
    )
    session.commit()
    api = _as(client, web_app, stranger)

    answers = {
        path: api.call("GET", path, 404, path={"slug": world.cohort.slug}).status_code
        for path in ("/cohorts/{slug}", "/cohorts/{slug}/matching", "/cohorts/{slug}/progress")
    }

    assert set(answers.values()) == {404}
    assert [c["slug"] for c in api.call("GET", "/cohorts", 200).json()] == [mine.slug]


def test_api_tablet_sign_in_is_not_an_api_sign_in(
    client: TestClient, web_app: FastAPI, session: Session, world: World
) -> None:
    [card] = signin.issue_cards(
        session,
        cohort=world.cohort,
        participants=[world.ana],
        secret=web_app.state.secret_key,
        followup_days=180,
    )
    session.commit()
    token = join_tablet(client, card.code)

    response = client.get(
        f"/api/v1/cohorts/{world.cohort.slug}/progress", headers={"X-CSRF-Token": token}
    )

    assert (response.status_code, response.json()) == (401, {"detail": "sign in first"})


def test_an_hr_system_signs_in_with_the_login_form_and_reads_its_csrf_token_as_json(
    client: TestClient, web_app: FastAPI, world: World, fay: Facilitator
) -> None:
    login = client.get("/login").text
    token = login.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    signed = client.post(
        "/login", data={"email": fay.email, "password": PASSWORD, "csrf_token": token}
    )
    api = Api(client, web_app, "")

    me = api.call("GET", "/session", 200).json()
    api.token = me["csrf_token"]
    created = api.call("POST", "/cohorts", 201, json={"name": "HR", "start_date": "2027-05-03"})
    refused = client.post(
        "/api/v1/cohorts",
        json={"name": "HR", "start_date": "2027-05-03"},
        headers={"X-CSRF-Token": token},
    )

    assert signed.status_code == 303
    assert (me["email"], me["is_admin"]) == (fay.email, False)
    assert created.json()["name"] == "HR"
    assert refused.status_code == 403  # the token seen before sign-in is worthless after it


def test_every_api_route_is_documented_with_a_declared_answer(web_app: FastAPI) -> None:
    document = web_app.openapi()
    routes = {(m, p) for m, p in all_routes(web_app) if p.startswith("/api/v1") and m != "HEAD"}
    loose = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            [(code, answer)] = [(c, a) for c, a in operation["responses"].items() if c < "300"]
            content = answer.get("content", {})
            json_schema = content.get("application/json", {}).get("schema", {})
            declared = (
                code == "204"
                or (json_schema.get("$ref") or json_schema.get("items", {}).get("$ref"))
                or (content and "application/json" not in content)
            )
            if path.startswith("/api/v1") and not (declared and operation.get("description")):
                loose.append(f"{method.upper()} {path}")

    assert {(m.lower(), p) for m, p in routes} == {
        (m, p) for p, ops in document["paths"].items() if p.startswith("/api/v1") for m in ops
    }
    # 50 for cohorts and their work, 10 for accounts and teams, 7 for links, intake and mail
    assert len(routes) == 67
    assert loose == []


def test_api_sends_invitations_stops_links_and_shows_intake_and_mail_states(
    client: TestClient, web_app: FastAPI, world: World, fay: Facilitator
) -> None:
    api = _as(client, web_app, fay)
    at = {"slug": world.cohort.slug}
    ana = {**at, "participant_id": world.ana.id}

    before = api.call("GET", "/cohorts/{slug}/links", 200, path=at).json()
    invited = api.call(
        "POST",
        "/cohorts/{slug}/links/invite",
        200,
        path=at,
        json={"participant_ids": [world.ana.id]},
    ).json()
    after = {s["name"]: s for s in api.call("GET", "/cohorts/{slug}/links", 200, path=at).json()}
    mail = api.call("GET", "/cohorts/{slug}/mail", 200, path=at).json()
    revoked = api.call(
        "POST", "/cohorts/{slug}/participants/{participant_id}/links/revoke", 200, path=ana
    )
    sheet = api.call("POST", "/cohorts/{slug}/links.csv", 200, path=at)
    status = api.call("GET", "/cohorts/{slug}/intake", 200, path=at).json()
    closed = api.call("POST", "/cohorts/{slug}/intake/remind", 409, path=at)
    nobody = api.call(
        "POST", "/cohorts/{slug}/links/invite", 422, path=at, json={"participant_ids": []}
    )

    assert {s["state"] for s in before} == {"none"}
    assert invited == {"queued": 1, "without_address": [], "refused": []}
    assert (after["Ana"]["state"], after["Ben"]["state"]) == ("sent", "none")
    assert "/link/" not in str(after)  # the state of a link, never the link
    assert {r["name"]: r["last_kind"] for r in mail["rows"]}["Ana"] == "invitation"
    assert revoked.json() == {"revoked": 1}
    lines = sheet.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 5
    assert all("/link/" in line for line in lines[1:])
    assert (status["open"], status["answered"]) == (False, 0)
    assert closed.json()["detail"]
    assert nobody.status_code == 422
