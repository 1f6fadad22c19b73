"""The buddy pages and API: run, why-not, lock, swap, publish, matrix."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.demo import read_demo_roster
from app.models import Cohort, Facilitator
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster


@pytest.fixture
def cohort(session: Session, facilitator: Facilitator) -> Cohort:
    c = cohorts.create_cohort(session, name="Demo", start_date=date(2027, 3, 1), actor=facilitator)
    roster.import_roster(session, cohort=c, data=read_demo_roster(), today=date(2026, 11, 26))
    session.commit()
    return c


def test_run_from_the_page_pairs_everyone_with_reasons(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    page = client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    assert page.status_code == 200
    assert "13 groups" in page.text
    assert "without a buddy" not in page.text
    again = client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    assert "Changes since the last run" in again.text
    assert "No pair changed." in again.text


def test_why_not_on_the_page_names_the_manager_rule(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    people = {p.email: p for p in roster.list_participants(session, cohort=cohort)}
    report = next(p for p in people.values() if p.manager_email in people)
    boss = people[report.manager_email]
    page = client.post(
        f"/cohorts/{cohort.slug}/matching/why",
        data={"csrf_token": signed_in, "a": report.id, "b": boss.id},
    )
    assert "management chain" in page.text


def test_publish_from_the_page_then_no_more_reruns(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    response = client.post(
        f"/cohorts/{cohort.slug}/matching/publish", data={"csrf_token": signed_in}
    )
    assert response.status_code == 303
    page = client.get(f"/cohorts/{cohort.slug}/matching").text
    assert "These pairs are published" in page
    assert "Pair everyone" not in page
    rerun = client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    assert rerun.status_code == 409


def test_matrix_page_marks_blocked_pairs(
    client: TestClient, signed_in: str, cohort: Cohort
) -> None:
    page = client.get(f"/cohorts/{cohort.slug}/matching/matrix")
    assert page.status_code == 200
    assert 'class="blocked"' in page.text
    assert "heat-" in page.text


def test_api_runs_publishes_and_audits(client: TestClient, signed_in: str, cohort: Cohort) -> None:
    headers = {"X-CSRF-Token": signed_in}
    result = client.post(f"/api/v1/cohorts/{cohort.slug}/matching?publish=true", headers=headers)
    assert result.status_code == 200
    body = result.json()
    assert len(body["groups"]) == 13
    assert body["unpaired"] == []
    assert body["total"] == pytest.approx(sum(g["score"] for g in body["groups"]))
    assert client.get(f"/api/v1/cohorts/{cohort.slug}/matching").json()["groups"] == body["groups"]
    matrix = client.get(f"/api/v1/cohorts/{cohort.slug}/matching/matrix").json()
    assert len(matrix["participants"]) == 26
    assert len(matrix["scores"]) == 26
    blocked = {frozenset((b["a"], b["b"])) for b in matrix["blocked"]}
    for group in body["groups"]:
        assert frozenset(group["members"]) not in blocked
