"""The admin's facilitators page and the set-password page behind its links."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Facilitator
from app.services import accounts
from tests.conftest import PASSWORD, csrf_of, make_facilitator, sign_in

NEW_PASSWORD = "a brand new password"


def _link_on(page: str) -> str:
    match = re.search(r'id="set-password-link" readonly value="([^"]+)"', page)
    assert match, "no set-password link on the page"
    return html.unescape(match.group(1)).removeprefix("http://testserver")


def _set_password(client: TestClient, path: str, password: str, repeat: str | None = None) -> int:
    data = {"password": password, "repeat": password if repeat is None else repeat}
    data["csrf_token"] = csrf_of(client, path)
    return client.post(path, data=data).status_code


def test_an_admin_invites_a_facilitator_who_sets_a_password_and_signs_in(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    token = sign_in(client, admin.email)

    page = client.post(
        "/admin/facilitators",
        data={"email": "nia@example.com", "name": "Nia", "csrf_token": token},
    )

    assert page.status_code == 200
    assert "Waiting for a password" in page.text
    path = _link_on(page.text)
    assert path.startswith("/password/")
    client.post("/logout", data={"csrf_token": token})
    assert "nia@example.com" in client.get(path).text
    assert _set_password(client, path, NEW_PASSWORD) == 200
    assert client.get(path).status_code == 410
    sign_in(client, "nia@example.com", NEW_PASSWORD)
    assert client.get("/cohorts").status_code == 200


def test_two_different_passwords_set_nothing(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    issued = accounts.invite_facilitator(session, email="nia@example.com")
    session.commit()
    path = f"/password/{issued.token}"

    assert _set_password(client, path, NEW_PASSWORD, repeat="something else entirely") == 422
    assert _set_password(client, path, "short") == 422
    assert client.get(path).status_code == 200


def test_a_reset_shows_a_new_link_and_ends_the_old_sessions(
    client: TestClient, web_app: object, session: Session, admin: Facilitator
) -> None:
    fran = make_facilitator(session, "fran@example.com")
    with TestClient(web_app, follow_redirects=False) as theirs:  # type: ignore[arg-type]
        sign_in(theirs, fran.email)
        token = sign_in(client, admin.email)

        page = client.post(f"/admin/facilitators/{fran.id}/reset", data={"csrf_token": token})

        assert page.status_code == 200
        assert theirs.get("/cohorts").headers["location"].startswith("/login")
    client.post("/logout", data={"csrf_token": token})
    assert _set_password(client, _link_on(page.text), NEW_PASSWORD) == 200
    sign_in(client, fran.email, NEW_PASSWORD)


def test_a_deactivated_facilitator_is_signed_out_and_cannot_sign_in(
    client: TestClient, web_app: object, session: Session, admin: Facilitator
) -> None:
    fran = make_facilitator(session, "fran@example.com")
    with TestClient(web_app, follow_redirects=False) as theirs:  # type: ignore[arg-type]
        sign_in(theirs, fran.email)
        token = sign_in(client, admin.email)

        done = client.post(f"/admin/facilitators/{fran.id}/deactivate", data={"csrf_token": token})

        assert (done.status_code, done.headers["location"]) == (
            303,
            f"/admin/facilitators#facilitator-{fran.id}",
        )
        assert theirs.get("/cohorts").headers["location"].startswith("/login")
        assert theirs.get("/api/v1/cohorts").status_code == 401
        login = theirs.post(
            "/login",
            data={"email": fran.email, "password": PASSWORD, "csrf_token": csrf_of(theirs)},
        )
        assert login.status_code == 400
    assert "Deactivated" in client.get("/admin/facilitators").text
    client.post(f"/admin/facilitators/{fran.id}/reactivate", data={"csrf_token": token})
    with TestClient(web_app, follow_redirects=False) as again:  # type: ignore[arg-type]
        sign_in(again, fran.email)


def test_an_admin_is_told_why_the_last_admin_stays(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    other = make_facilitator(session, "ola@example.com", admin=True)
    token = sign_in(client, admin.email)
    client.post(f"/admin/facilitators/{other.id}/deactivate", data={"csrf_token": token})

    page = client.post(f"/admin/facilitators/{admin.id}/deactivate", data={"csrf_token": token})

    assert page.status_code == 409
    assert "you cannot deactivate your own account" in page.text


def test_a_refused_invitation_shows_the_form_again_and_creates_nothing(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    token = sign_in(client, admin.email)

    page = client.post("/admin/facilitators", data={"email": "not an address", "csrf_token": token})

    assert page.status_code == 422
    assert 'value="not an address"' in page.text
    assert "is not a valid e-mail address" in page.text
    assert session.exec(select(Facilitator)).all() == [admin]


def test_the_facilitators_page_is_for_admins_only(
    client: TestClient, facilitator: Facilitator
) -> None:
    sign_in(client, facilitator.email)

    assert client.get("/admin/facilitators").status_code == 404
    assert "/admin/facilitators" not in client.get("/cohorts").text


def test_the_set_password_link_never_reaches_the_audit_trail_or_the_log(
    client: TestClient, session: Session, admin: Facilitator, caplog: object
) -> None:
    token = sign_in(client, admin.email)
    page = client.post(
        "/admin/facilitators", data={"email": "nia@example.com", "csrf_token": token}
    )
    path = _link_on(page.text)
    client.get(path)

    secret = path.removeprefix("/password/")
    events = repr([(e.object_id, e.detail) for e in session.exec(select(AuditEvent)).all()])
    assert secret not in events
    assert secret not in caplog.text  # type: ignore[attr-defined]


def test_the_facilitators_page_speaks_german(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    sign_in(client, admin.email)

    page = client.get("/admin/facilitators", headers={"Accept-Language": "de"})

    assert "Moderator:in einladen" in page.text
