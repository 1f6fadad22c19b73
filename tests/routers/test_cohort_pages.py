"""The cohort form: creating and editing share one form, one save path and one way to refuse."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Cohort


def test_create_cohort_saves_and_opens_its_page(client: TestClient, signed_in: str) -> None:
    response = client.post(
        "/cohorts/new",
        data={
            "name": "Spring Intensive",
            "start_date": "2027-03-01",
            "days": "3",
            "timezone": "Europe/Berlin",
            "location": "Lisbon",
            "csrf_token": signed_in,
        },
    )
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/cohorts/spring-intensive",
    )


def test_new_cohort_form_starts_with_four_days_in_london(
    client: TestClient, signed_in: str
) -> None:
    page = client.get("/cohorts/new").text
    assert 'value="4"' in page
    assert 'value="Europe/London"' in page


def test_a_refused_cohort_shows_what_was_typed_and_saves_nothing(
    client: TestClient, signed_in: str, session: Session
) -> None:
    response = client.post(
        "/cohorts/new",
        data={"name": "Typo Cohort", "start_date": "2027-02-30", "csrf_token": signed_in},
    )
    assert response.status_code == 422
    assert 'value="Typo Cohort"' in response.text
    assert 'value="2027-02-30"' in response.text
    assert "must be a date like" in response.text
    assert session.exec(select(Cohort).where(Cohort.name == "Typo Cohort")).first() is None


def test_edit_cohort_changes_it_and_a_refusal_keeps_the_stored_values(
    client: TestClient, signed_in: str, session: Session
) -> None:
    client.post(
        "/cohorts/new",
        data={"name": "Autumn", "start_date": "2027-09-06", "csrf_token": signed_in},
    )
    edit = client.get("/cohorts/autumn/edit").text
    assert 'value="2027-09-06"' in edit
    saved = client.post(
        "/cohorts/autumn/edit",
        data={"name": "Autumn", "start_date": "2027-09-13", "days": "2", "csrf_token": signed_in},
    )
    assert saved.status_code == 303
    refused = client.post(
        "/cohorts/autumn/edit",
        data={"name": "Autumn", "start_date": "13/09/2027", "csrf_token": signed_in},
    )
    assert refused.status_code == 422
    assert 'value="13/09/2027"' in refused.text
    session.expire_all()
    cohort = session.exec(select(Cohort).where(Cohort.slug == "autumn")).one()
    assert (cohort.start_date, cohort.days) == (date(2027, 9, 13), 2)
