"""The JSON API, fuzzed from its own OpenAPI schema as each kind of caller, on both databases.

Every generated request (valid and deliberately invalid) must get a documented status code with
a body of the documented shape, never a 5xx, and invalid input must be refused; a GET must not
change any row count. Examples are few per operation so that the
whole file stays well under a minute; the explicit cases at the end pin the inputs that differ
between SQLite and PostgreSQL (NUL bytes, lone surrogates, oversized bodies).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import hypothesis.errors
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from app.models import Facilitator
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import join_tablet, make_facilitator, sign_in
from tests.services.tablet.factories import World, make_world

EXAMPLES_PER_MODE = 2
ROLES = ("anonymous", "facilitator", "admin", "participant")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
"""No 5xx; every status code, content type and body (errors included) as the document says;
and input the document calls invalid is refused."""


class _KeptInQueue:
    """A job backend that keeps every job queued: the fuzz checks what the API answers, and
    rendering the workbooks of every generated export would only burn its time budget
    (tests/routers/test_api_v1.py runs a real export to its download)."""

    def submit(self, job_id: int) -> None:
        pass

    def resume_interrupted(self) -> int:
        return 0

    def shutdown(self) -> None:
        pass


def _row_counts(engine: Engine) -> dict[str, int]:
    names = [t.name for t in SQLModel.metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in names)
    with engine.connect() as conn:
        return {str(name): int(count) for name, count in conn.execute(text(query)).all()}


def _as_caller(
    role: str, client: TestClient, session: Session, world: World, admin: Facilitator, secret: str
) -> dict[str, str]:
    """Sign ``client`` in as ``role``; returns the headers that caller's requests carry."""
    if role == "admin":
        return {"X-CSRF-Token": sign_in(client, admin.email)}
    if role == "facilitator":
        # A facilitator of the seeded cohort (not an admin): what an HR system signs in as.
        mine = make_facilitator(session, "fay@example.com")
        cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=mine)
        session.commit()
        return {"X-CSRF-Token": sign_in(client, mine.email)}
    if role == "participant":
        [card] = signin.issue_cards(
            session, cohort=world.cohort, participants=[world.ana], secret=secret, followup_days=180
        )
        session.commit()
        return {"X-CSRF-Token": join_tablet(client, card.code)}
    return {}


def _request_kwargs(case: Any, headers: dict[str, str]) -> dict[str, Any]:
    """The generated request in the test client's terms (raw bytes go as ``content``)."""
    kwargs: dict[str, Any] = case.as_transport_kwargs(headers=headers)
    kwargs.pop("cookies", None)  # the client's own session cookies must go out, not generated ones
    data = kwargs.pop("data", None)
    if isinstance(data, str | bytes):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    return kwargs


def _can_be_invalid(spec: dict[str, Any]) -> bool:
    """Whether an operation takes input that can be invalid: a body, or a parameter other
    than a free text in the path (any text is a slug or an exercise id; it just names
    nothing). Generating invalid input for the others only burns time on rejections."""
    free_text = [
        p
        for p in spec.get("parameters", [])
        if p["in"] == "path"
        and set(p["schema"]) <= {"type", "title"}
        and p["schema"]["type"] == "string"
    ]
    return "requestBody" in spec or len(spec.get("parameters", [])) > len(free_text)


def _destructive_last(schema: Any) -> list[Any]:
    """Every operation, those that remove a participant last: the others still find them."""
    operations = [result.ok() for result in schema.get_all_operations()]
    removes = ("/erase", "/purge", "/participants/{participant_id}")
    return sorted(
        operations,
        key=lambda op: (
            (op.method == "DELETE" and op.path.endswith(removes)) or op.path.endswith(removes[:2])
        ),
    )


def _real_path(world: World) -> dict[str, str]:
    """Path parameters naming real objects of the seeded cohort."""
    return {
        "slug": world.cohort.slug,
        "participant_id": str(world.cai.id),
        "group_id": str(world.group.id),
        "exercise_id": "meet-your-buddy",
        "day": "1",
        "action": "next",
        "job_id": "1",
        "name": "spring-blank.zip",
    }


def _fuzz_operation(
    operation: Any, send: Callable[[Any], None], real: dict[str, str], mode: GenerationMode
) -> None:
    strategies = [operation.as_strategy(generation_mode=mode)]
    if "{slug}" in operation.path:
        # Half the cases aim at real objects so that generated input reaches the services.
        path = {k: v for k, v in real.items() if "{" + k + "}" in operation.path}
        query = {"time_limit_s": 0.2} if operation.path.endswith("/build") else None
        strategies.append(
            operation.as_strategy(generation_mode=mode, path_parameters=path, query=query)
        )

    @given(case=st.one_of(strategies))
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        send(case)

    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()


@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_answers_documented_codes_and_gets_change_nothing(
    role: str,
    web_app: FastAPI,
    client: TestClient,
    session: Session,
    engine: Engine,
    admin: Facilitator,
) -> None:
    web_app.state.jobs = _KeptInQueue()
    world = make_world(session)
    headers = _as_caller(role, client, session, world, admin, web_app.state.secret_key)
    schema = schemathesis.openapi.from_dict(web_app.openapi())
    seen: dict[str, set[int]] = {}

    def send(case: Any) -> None:
        before = _row_counts(engine) if case.method == "GET" else None
        try:
            response = client.request(**_request_kwargs(case, headers))
            response.request.read()  # a multipart body is a stream until read
        except (TypeError, ValueError, UnicodeEncodeError, AttributeError):
            return  # the client cannot even encode this request: no server can receive it
        seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
        case.validate_response(response, checks=CHECKS)
        if before is not None:
            assert _row_counts(engine) == before, f"GET {case.formatted_path} changed rows"

    paths = web_app.openapi()["paths"]
    for operation in _destructive_last(schema):
        spec = paths[operation.path][operation.method.lower()]
        takes_input = _can_be_invalid(spec)
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if takes_input else [])
        for mode in modes:
            _fuzz_operation(operation, send, _real_path(world), mode)

    assert len(seen) == sum(len(operations) for operations in paths.values())


INVALID_TEXT = [
    pytest.param("Spring\x00cohort", id="nul-byte"),
    pytest.param("Spring \ud800 cohort", id="lone-surrogate"),
    pytest.param("S" * 100_000, id="huge-field"),
]


@pytest.mark.parametrize("name", INVALID_TEXT)
def test_api_invalid_text_is_refused_with_422_on_every_database(
    name: str, client: TestClient, signed_in: str, engine: Engine
) -> None:
    before = _row_counts(engine)
    body = json.dumps({"name": name, "start_date": "2027-03-01"})  # escapes the surrogate

    response = client.post(
        "/api/v1/cohorts",
        content=body,
        headers={"X-CSRF-Token": signed_in, "Content-Type": "application/json"},
    )

    assert (response.status_code, _row_counts(engine)) == (422, before)


def test_api_huge_body_is_refused_with_413(
    client: TestClient, signed_in: str, web_app: FastAPI
) -> None:
    limit = web_app.state.settings.max_body_bytes
    body = json.dumps({"name": "x" * (limit + 1), "start_date": "2027-03-01"})

    response = client.post(
        "/api/v1/cohorts",
        content=body,
        headers={"X-CSRF-Token": signed_in, "Content-Type": "application/json"},
    )

    assert response.status_code == 413


def _wrong_requests(operation: Any, real: dict[str, str]) -> list[tuple[str, Any, dict[str, Any]]]:
    """(label, case, raw request overrides): one wrong value per typed query parameter, a
    body missing its fields, and bodies that are not JSON at all. ``known`` holds a real value
    for each path parameter."""
    spec = operation.definition.raw
    path = {k: v for k, v in real.items() if "{" + k + "}" in operation.path} or None
    wrong: list[tuple[str, Any, dict[str, Any]]] = []
    for param in spec.get("parameters", []):
        if param["in"] == "query" and param["schema"].get("type") in ("boolean", "number"):
            case = operation.Case(path_parameters=path, query={param["name"]: "not-a-value"})
            wrong.append((f"query {param['name']}", case, {}))
    content = spec.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        for label, raw in (("empty object", b"{}"), ("broken", b'{"name": '), ("latin-1", b"\xff")):
            case = operation.Case(path_parameters=path, body={}, media_type="application/json")
            wrong.append((f"body {label}", case, {"content": raw}))
    if "multipart/form-data" in content:
        case = operation.Case(path_parameters=path, body={}, media_type="multipart/form-data")
        broken = {"content": b"--b\r\nbroken", "type": "multipart/form-data; boundary=b"}
        wrong.append(("broken multipart", case, broken))
    return wrong


def test_api_wrong_input_is_refused_in_the_documented_error_shape(
    web_app: FastAPI, client: TestClient, session: Session, admin: Facilitator
) -> None:
    web_app.state.jobs = _KeptInQueue()
    world = make_world(session)
    headers = {"X-CSRF-Token": sign_in(client, admin.email)}
    schema = schemathesis.openapi.from_dict(web_app.openapi())
    answered: dict[str, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        real = {**_real_path(world), "facilitator_id": str(admin.id)}
        for label, case, raw in _wrong_requests(operation, real):
            kwargs = _request_kwargs(case, headers)
            if raw:
                kwargs.pop("json", None)
                kwargs.pop("files", None)
                kwargs.pop("data", None)
                kwargs["content"] = raw["content"]
                kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": "x"}
                kwargs["headers"]["Content-Type"] = raw.get("type", "application/json")
            response = client.request(**kwargs)
            answered[f"{case.method} {case.path} {label}"] = response.status_code
            case.validate_response(response, checks=CHECKS)

    empty = " body empty object"
    refused = {k: v for k, v in answered.items() if not k.endswith(empty)}
    bodies = {k.removesuffix(empty): v for k, v in answered.items() if k.endswith(empty)}
    assert set(refused.values()) == {422}
    assert "POST /api/v1/cohorts/{slug}/roster/import broken multipart" in refused
    assert "POST /api/v1/cohorts/{slug}/agenda/build query time_limit_s" in refused
    assert len(refused) == 2 * len(bodies) + 6
    # A body whose every field may be left out is valid empty: it changes nothing, or
    # asks for the defaults (a blank A4 export, a lock, invitations for everyone).
    assert {k: v for k, v in bodies.items() if v != 422} == {
        "PATCH /api/v1/cohorts/{slug}": 200,
        "PUT /api/v1/cohorts/{slug}/matching/groups/{group_id}/lock": 200,
        "PATCH /api/v1/cohorts/{slug}/matching/weights": 200,
        "PATCH /api/v1/cohorts/{slug}/participants/{participant_id}": 200,
        "PUT /api/v1/cohorts/{slug}/agenda/items/{exercise_id}/pin": 404,
        "POST /api/v1/cohorts/{slug}/now/{action}": 409,
        "POST /api/v1/cohorts/{slug}/workbooks": 202,
        "POST /api/v1/cohorts/{slug}/links/invite": 200,
    }


def test_api_422_body_lists_each_problem_as_documented(
    client: TestClient, signed_in: str, web_app: FastAPI
) -> None:
    response = client.post(
        "/api/v1/cohorts",
        content=b'{"name": "", "start_date": 0}',
        headers={"X-CSRF-Token": signed_in, "Content-Type": "application/json"},
    )
    declared = web_app.openapi()["paths"]["/api/v1/cohorts"]["post"]["responses"]["422"]

    assert declared["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorPublic"
    }
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": "The request is not valid.",
            "problems": [
                {
                    "where": "body.name",
                    "field": "name",
                    "message": "String should have at least 1 character",
                },
                {
                    "where": "body.start_date",
                    "field": "start_date",
                    "message": "must be a date like 2027-03-01",
                },
            ],
        },
    )
