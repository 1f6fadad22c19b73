"""The JSON API for facilitator accounts and cohort teams."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Cohort, Facilitator
from app.services import cohorts
from tests.conftest import make_facilitator, sign_in


def _api(client: TestClient, token: str) -> TestClient:
    client.headers["X-CSRF-Token"] = token
    return client


def _spring(session: Session, lead: Facilitator, co: Facilitator) -> Cohort:
    spring = cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1), actor=lead)
    cohorts.add_to_team(session, cohort=spring, facilitator=co, role="co-facilitator")
    session.commit()
    return spring


def test_an_admin_invites_resets_deactivates_and_reactivates_by_api(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    api = _api(client, sign_in(client, admin.email))

    invited = api.post("/api/v1/facilitators", json={"email": "Nia@example.com", "name": "Nia"})
    nia = invited.json()["facilitator"]
    reset = api.post(f"/api/v1/facilitators/{nia['id']}/reset")
    off = api.post(f"/api/v1/facilitators/{nia['id']}/deactivate")
    on = api.post(f"/api/v1/facilitators/{nia['id']}/reactivate")

    assert invited.status_code == 201
    assert nia == {
        "id": nia["id"],
        "email": "nia@example.com",
        "name": "Nia",
        "admin": False,
        "state": "invited",
    }
    assert invited.json()["set_password_url"].startswith("http://testserver/password/")
    assert reset.json()["set_password_url"] != invited.json()["set_password_url"]
    assert (off.status_code, off.json()["state"]) == (200, "deactivated")
    assert (on.status_code, on.json()["state"]) == (200, "invited")
    listed = api.get("/api/v1/facilitators").json()
    assert [f["email"] for f in listed] == ["ada@example.com", "nia@example.com"]
    assert api.get(f"/api/v1/facilitators/{nia['id']}").json()["state"] == "invited"


def test_account_refusals_are_clear(
    client: TestClient, session: Session, admin: Facilitator
) -> None:
    api = _api(client, sign_in(client, admin.email))

    duplicate = api.post("/api/v1/facilitators", json={"email": "ada@example.com"})
    broken = api.post("/api/v1/facilitators", json={"email": "no address"})
    myself = api.post(f"/api/v1/facilitators/{admin.id}/deactivate")
    nobody = api.post("/api/v1/facilitators/999999/reset")

    assert duplicate.status_code == 409
    assert broken.status_code == 422
    assert broken.json()["problems"][0]["field"] == "email"
    assert (myself.status_code, myself.json()) == (
        409,
        {"detail": "you cannot deactivate your own account"},
    )
    assert nobody.status_code == 404


def test_accounts_are_hidden_from_facilitators(
    client: TestClient, facilitator: Facilitator
) -> None:
    api = _api(client, sign_in(client, facilitator.email))

    assert api.get("/api/v1/facilitators").status_code == 404
    assert api.post("/api/v1/facilitators", json={"email": "x@example.com"}).status_code == 404


def test_the_lead_manages_the_team_by_api(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    nia = make_facilitator(session, "nia@example.com")
    spring = _spring(session, facilitator, cole)
    api = _api(client, sign_in(client, facilitator.email))
    base = f"/api/v1/cohorts/{spring.slug}/team"

    added = api.post(base, json={"facilitator_id": nia.id})
    promoted = api.put(f"{base}/{cole.id}", json={"role": "lead"})
    removed = api.delete(f"{base}/{nia.id}")
    demoted = api.put(f"{base}/{cole.id}", json={"role": "co-facilitator"})
    kept = api.put(f"{base}/{facilitator.id}", json={"role": "co-facilitator"})
    stays = api.delete(f"{base}/{facilitator.id}")

    assert (added.status_code, added.json()) == (
        201,
        {
            "facilitator_id": nia.id,
            "email": "nia@example.com",
            "name": "Nia",
            "role": "co-facilitator",
            "active": True,
        },
    )
    assert (promoted.json()["role"], demoted.json()["role"]) == ("lead", "co-facilitator")
    assert (removed.status_code, removed.content) == (204, b"")
    message = "a cohort keeps at least one lead: make someone else lead first"
    assert (kept.status_code, kept.json()) == (409, {"detail": message})
    assert (stays.status_code, stays.json()) == (409, {"detail": message})
    assert [(m["email"], m["role"]) for m in api.get(base).json()] == [
        ("fran@example.com", "lead"),
        ("cole@example.com", "co-facilitator"),
    ]


def test_a_co_facilitator_reads_the_team_but_may_not_change_it(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    api = _api(client, sign_in(client, cole.email))
    base = f"/api/v1/cohorts/{spring.slug}/team"

    team = api.get(base)
    refused = api.delete(f"{base}/{facilitator.id}")
    publish = api.post(f"/api/v1/cohorts/{spring.slug}/matching?publish=true")

    assert [(m["email"], m["role"]) for m in team.json()] == [
        ("fran@example.com", "lead"),
        ("cole@example.com", "co-facilitator"),
    ]
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "Only the cohort's lead or an admin may do this.",
    )
    assert publish.status_code == 403
    assert len(api.get(base).json()) == 2


def test_an_invalid_role_is_refused(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    api = _api(client, sign_in(client, facilitator.email))

    response = api.put(f"/api/v1/cohorts/{spring.slug}/team/{cole.id}", json={"role": "boss"})

    assert response.status_code == 422
