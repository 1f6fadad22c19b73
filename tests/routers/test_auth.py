"""Facilitator sign-in, sessions, CSRF, throttling and cohort scoping."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.limits import Gate
from app.main import create_app
from app.models import Facilitator, LoginAttempt, WebSession
from app.services.accounts.service import PASSWORD_CHECKS_AT_ONCE
from app.services.cohorts import service as cohorts
from tests.conftest import PASSWORD, csrf_of, make_facilitator, sign_in


def test_login_sets_httponly_samesite_session_cookie(
    client: TestClient, facilitator: Facilitator
) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login", data={"email": facilitator.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/cohorts"
    cookie = next(
        v for v in response.headers.get_list("set-cookie") if v.startswith("tandem_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


def test_login_with_wrong_password_is_refused(client: TestClient, facilitator: Facilitator) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": facilitator.email, "password": "nope-nope-nope", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.text
    assert client.get("/cohorts").status_code == 303


def test_login_without_csrf_token_is_forbidden(
    client: TestClient, facilitator: Facilitator
) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": facilitator.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "did not come from this site" in response.text


def test_form_post_with_token_of_another_browser_is_forbidden(
    client: TestClient,
    web_app,
    facilitator: Facilitator,  # type: ignore[no-untyped-def]
) -> None:
    with TestClient(web_app) as other:
        foreign = csrf_of(other)
    client.get("/login")
    response = client.post(
        "/login", data={"email": facilitator.email, "password": PASSWORD, "csrf_token": foreign}
    )
    assert response.status_code == 403


def test_logout_ends_the_session_on_the_server(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    token = sign_in(client, facilitator.email)
    stolen = client.cookies.get("tandem_session")
    assert session.exec(select(WebSession)).all() != []
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    session.rollback()  # end the read snapshot to see what the app committed
    assert session.exec(select(WebSession)).all() == []
    client.cookies.set("tandem_session", stolen or "")
    assert client.get("/cohorts").status_code == 303


def test_login_is_throttled_after_repeated_failures(
    client: TestClient,
    facilitator: Facilitator,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    token = csrf_of(client)
    for _ in range(settings.login_attempts_per_window):
        bad = {"email": facilitator.email, "password": "wrong-password", "csrf_token": token}
        assert client.post("/login", data=bad).status_code == 400
    good = {"email": facilitator.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=good)
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(settings.login_window_seconds)


def test_login_next_parameter_refuses_other_sites(
    client: TestClient, facilitator: Facilitator
) -> None:
    token = csrf_of(client)
    data = {
        "email": facilitator.email,
        "password": PASSWORD,
        "csrf_token": token,
        "next": "//evil.example/phish",
    }
    response = client.post("/login", data=data)
    assert response.headers["location"] == "/cohorts"


def test_facilitator_gets_404_for_a_cohort_they_do_not_run(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    other = make_facilitator(session, "olga@example.com")
    from datetime import date

    theirs = cohorts.create_cohort(session, name="Theirs", start_date=date(2027, 3, 1), actor=other)
    mine = cohorts.create_cohort(
        session, name="Mine", start_date=date(2027, 3, 1), actor=facilitator
    )
    session.commit()
    sign_in(client, facilitator.email)
    assert client.get(f"/cohorts/{mine.slug}").status_code == 200
    for path in (
        f"/cohorts/{theirs.slug}",
        f"/cohorts/{theirs.slug}/roster",
        f"/cohorts/{theirs.slug}/edit",
        f"/api/v1/cohorts/{theirs.slug}",
        f"/api/v1/cohorts/{theirs.slug}/participants",
    ):
        assert client.get(path).status_code == 404, path
    listing = client.get("/cohorts").text
    assert "Mine" in listing
    assert "Theirs" not in listing
    assert [c["slug"] for c in client.get("/api/v1/cohorts").json()] == [mine.slug]


def test_admin_sees_every_cohort(client: TestClient, session: Session, admin: Facilitator) -> None:
    other = make_facilitator(session, "olga@example.com")
    from datetime import date

    theirs = cohorts.create_cohort(session, name="Theirs", start_date=date(2027, 3, 1), actor=other)
    session.commit()
    sign_in(client, admin.email)
    assert client.get(f"/cohorts/{theirs.slug}").status_code == 200


def test_api_without_session_answers_401_json(client: TestClient) -> None:
    response = client.get("/api/v1/cohorts")
    assert response.status_code == 401
    assert response.json() == {"detail": "sign in first"}


def test_sign_in_is_throttled_for_everyone_after_many_failures_with_different_emails(
    settings: Settings, session: Session, facilitator: Facilitator
) -> None:
    app = create_app(settings.model_copy(update={"login_failures_overall_per_window": 3}))
    with TestClient(app, follow_redirects=False) as client:
        token = csrf_of(client)
        wrong = [
            client.post(
                "/login",
                data={"email": f"nobody{i}@example.com", "password": "x", "csrf_token": token},
            ).status_code
            for i in range(3)
        ]
        right = client.post(
            "/login", data={"email": facilitator.email, "password": PASSWORD, "csrf_token": token}
        )
    app.state.engine.dispose()

    assert (wrong, right.status_code) == ([400, 400, 400], 429)
    assert right.headers["retry-after"] == str(settings.login_window_seconds)
    assert "Too many attempts" in right.text


def test_a_successful_sign_in_forgets_the_failures_of_that_email(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    token = csrf_of(client)
    client.post("/login", data={"email": facilitator.email, "password": "x", "csrf_token": token})
    client.post("/login", data={"email": "else@example.com", "password": "x", "csrf_token": token})

    good = {"email": facilitator.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=good).status_code == 303

    session.rollback()
    keys = sorted(a.key for a in session.exec(select(LoginAttempt)).all())
    assert keys == ["login|else@example.com|testclient"]


def test_sign_in_waits_for_a_password_check_slot_and_then_asks_to_retry(
    client: TestClient, web_app: FastAPI, session: Session, facilitator: Facilitator
) -> None:
    token = csrf_of(client)
    slots: Gate = web_app.state.password_checks
    for _ in range(PASSWORD_CHECKS_AT_ONCE):
        assert client.portal.call(slots.acquire, 1.0)  # type: ignore[union-attr]
    try:
        response = client.post(
            "/login", data={"email": facilitator.email, "password": PASSWORD, "csrf_token": token}
        )
    finally:
        for _ in range(PASSWORD_CHECKS_AT_ONCE):
            client.portal.call(slots.release)  # type: ignore[union-attr]

    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert "Many sign-ins are being checked right now" in response.text
    session.rollback()
    assert (session.exec(select(WebSession)).all(), session.exec(select(LoginAttempt)).all()) == (
        [],
        [],
    )
