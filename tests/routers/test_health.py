"""Probes and the headers every response carries."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from app.core.logging import JsonFormatter


def test_healthz_answers_ok(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_ready_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_every_page_has_security_headers_and_no_store(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_unknown_host_header_is_refused(client: TestClient) -> None:
    response = client.get("/healthz", headers={"host": "evil.example"})
    assert response.status_code == 400


def test_oversized_body_gets_413(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/login",
        content=b"x" * (settings.max_body_bytes + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_api_docs_are_served_without_a_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/static/vendor/swagger/swagger-ui-bundle.js" in page
    assert "http" not in page.split("<body>")[1]
    assert client.get("/openapi.json").json()["info"]["title"] == "Tandem"


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_each_response_carries_a_request_id_and_is_logged_as_json(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="tandem.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "abc12345-ok"})
    assert response.headers["x-request-id"] == "abc12345-ok"
    record = next(r for r in caplog.records if r.name == "tandem.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "-" or line["request_id"] == "abc12345-ok"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)


def test_access_log_names_the_route_template_not_the_raw_path(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "SECRETTOKEN1234567890"
    with caplog.at_level(logging.INFO, logger="tandem.access"):
        client.get(f"/cohorts/{secret}")
    assert secret not in caplog.text
    assert all(secret not in JsonFormatter().format(r) for r in caplog.records)


def test_a_malformed_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert len(response.headers["x-request-id"]) == 32
