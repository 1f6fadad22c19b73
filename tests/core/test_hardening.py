"""Edge protections every request passes through: host check, body and field size limits,
and the sign-in throttles."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models import Facilitator
from tests.conftest import csrf_of


def test_untrusted_host_header_is_refused(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Host": "evil.example"})

    assert (response.status_code, response.text) == (400, "Invalid host header")


def test_configured_host_is_served(client: TestClient) -> None:
    assert client.get("/healthz", headers={"Host": "testserver"}).status_code == 200


def test_declared_oversized_body_is_refused_with_413(client: TestClient, web_app: FastAPI) -> None:
    limit = web_app.state.settings.max_body_bytes

    response = client.post("/login", content=b"x" * (limit + 1))

    assert response.status_code == 413


def test_streamed_oversized_body_is_refused_with_413(client: TestClient, web_app: FastAPI) -> None:
    limit = web_app.state.settings.max_body_bytes
    chunks = (b"x" * 1_000_000 for _ in range(limit // 1_000_000 + 2))

    response = client.post(
        "/login", content=chunks, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 413


def test_oversized_form_field_is_refused_with_422(
    client: TestClient, facilitator: Facilitator
) -> None:
    token = csrf_of(client)

    response = client.post(
        "/login",
        data={"email": "a" * 300 + "@example.com", "password": "x", "csrf_token": token},
        headers={"Accept": "application/json"},
    )

    assert (response.status_code, response.json()["problems"][0]["field"]) == (422, "email")


def test_facilitator_sign_in_is_throttled_after_the_limit(
    client: TestClient, facilitator: Facilitator, web_app: FastAPI
) -> None:
    limit = web_app.state.settings.login_attempts_per_window
    token = csrf_of(client)
    form = {"email": facilitator.email, "password": "wrong", "csrf_token": token}

    statuses = [client.post("/login", data=form).status_code for _ in range(limit + 1)]

    assert statuses[-1] == 429
    assert set(statuses[:-1]) != {429}


@pytest.mark.parametrize("attempts", [31])
def test_card_sign_in_is_throttled_after_the_limit(client: TestClient, attempts: int) -> None:
    token = csrf_of(client, "/join")

    statuses = [
        client.post("/join", data={"code": "ABCD-EFGH", "csrf_token": token}).status_code
        for _ in range(attempts)
    ]

    assert (statuses[0], statuses[-1]) == (400, 429)
