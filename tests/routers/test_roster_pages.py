"""The roster pages and API: upload, preview, mapping, confirm, edit, export."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Cohort, Facilitator
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster

HEADER = "Employee Name,Work Email,Management Level,Dept Code\n"
ROWS = "Ana Silva,ana@example.com,Manager,FIN\nBen Okoro,ben@example.com,Director,OPS\n"


@pytest.fixture
def cohort(session: Session, facilitator: Facilitator) -> Cohort:
    c = cohorts.create_cohort(
        session, name="Spring", start_date=date(2027, 3, 1), actor=facilitator
    )
    session.commit()
    return c


def _upload(client: TestClient, cohort: Cohort, token: str, text: str) -> str:
    response = client.post(
        f"/cohorts/{cohort.slug}/roster/upload",
        data={"csrf_token": token},
        files={"file": ("hr.csv", text.encode("cp1252"), "text/csv")},
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def test_upload_preview_confirm_adds_the_people(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    preview_url = _upload(client, cohort, signed_in, HEADER + ROWS)
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "2 to add, 0 to update, 0 to remove" in page.text
    assert "Ignored columns: Dept Code" in page.text
    assert roster.list_participants(session, cohort=cohort) == []
    confirm = client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in})
    assert confirm.status_code == 303
    session.rollback()
    assert [p.email for p in roster.list_participants(session, cohort=cohort)] == [
        "ana@example.com",
        "ben@example.com",
    ]


def test_mapping_step_reads_an_unknown_column_as_a_field(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    preview_url = _upload(client, cohort, signed_in, HEADER + ROWS)
    response = client.post(
        f"{preview_url}/mapping",
        data={
            "csrf_token": signed_in,
            "map:Employee Name": "name",
            "map:Work Email": "email",
            "map:Management Level": "level",
            "map:Dept Code": "function",
        },
    )
    assert response.status_code == 303
    assert "Ignored columns" not in client.get(preview_url).text
    client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in})
    session.rollback()
    assert [p.function for p in roster.list_participants(session, cohort=cohort)] == ["FIN", "OPS"]


def test_invalid_upload_lists_problems_and_saves_nothing(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    preview_url = _upload(
        client, cohort, signed_in, HEADER + "Ana Silva,not-an-email,Manager,FIN\n"
    )
    page = client.get(preview_url)
    assert page.status_code == 422
    assert "row 2, column Work Email" in page.text
    assert "Nothing has been saved" in page.text
    assert client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in}).status_code == 422
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []


def test_edit_participant_keeps_typed_values_on_error(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    roster.import_roster(session, cohort=cohort, data=(HEADER + ROWS).encode())
    session.commit()
    ana = roster.list_participants(session, cohort=cohort)[0]
    url = f"/cohorts/{cohort.slug}/participants/{ana.id}/edit"
    bad = client.post(
        url,
        data={
            "csrf_token": signed_in,
            "name": "Ana Maria Silva",
            "manager_email": "ana@example.com",
            "tags": "turnaround",
        },
    )
    assert bad.status_code == 422
    assert "Ana Maria Silva" in bad.text
    assert "manager e-mail" in bad.text
    good = client.post(
        url,
        data={
            "csrf_token": signed_in,
            "name": "Ana Maria Silva",
            "languages": "English, Portuguese",
        },
    )
    assert good.status_code == 303
    session.rollback()
    ana = roster.list_participants(session, cohort=cohort)[0]
    assert (ana.name, ana.languages) == ("Ana Maria Silva", ["English", "Portuguese"])


def test_export_csv_downloads_the_roster(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    roster.import_roster(session, cohort=cohort, data=(HEADER + ROWS).encode())
    session.commit()
    response = client.get(f"/cohorts/{cohort.slug}/roster.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "ana@example.com" in response.text


def test_api_import_dry_run_then_apply(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    files = {"file": ("hr.csv", (HEADER + ROWS).encode(), "text/csv")}
    headers = {"X-CSRF-Token": signed_in}
    dry = client.post(
        f"/api/v1/cohorts/{cohort.slug}/roster/import?dry_run=true", files=files, headers=headers
    )
    assert dry.status_code == 200
    assert (dry.json()["applied"], len(dry.json()["added"])) == (False, 2)
    assert client.get(f"/api/v1/cohorts/{cohort.slug}/participants").json() == []
    applied = client.post(
        f"/api/v1/cohorts/{cohort.slug}/roster/import", files=files, headers=headers
    )
    assert applied.json()["applied"] is True
    emails = [p["email"] for p in client.get(f"/api/v1/cohorts/{cohort.slug}/participants").json()]
    assert emails == ["ana@example.com", "ben@example.com"]


def test_api_import_reports_problems_with_rows(
    client: TestClient, signed_in: str, cohort: Cohort
) -> None:
    files = {"file": ("hr.csv", (HEADER + "Ana,,Manager,FIN\n").encode(), "text/csv")}
    response = client.post(
        f"/api/v1/cohorts/{cohort.slug}/roster/import",
        files=files,
        headers={"X-CSRF-Token": signed_in},
    )
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"where": "row 2, column Work Email", "field": "email", "message": "e-mail is missing"}
    ]


def test_api_post_without_csrf_header_is_forbidden(
    client: TestClient, signed_in: str, cohort: Cohort
) -> None:
    response = client.post("/api/v1/cohorts", json={"name": "X", "start_date": "2027-01-04"})
    assert response.status_code == 403


def test_create_cohort_form_reports_bad_timezone_and_keeps_input(
    client: TestClient, signed_in: str
) -> None:
    response = client.post(
        "/cohorts/new",
        data={
            "csrf_token": signed_in,
            "name": "Winter School",
            "start_date": "2027-01-04",
            "days": "4",
            "timezone": "Mars/Olympus",
        },
    )
    assert response.status_code == 422
    assert "Mars/Olympus" in response.text
    assert re.search(r'value="Winter School"', response.text)
    ok = client.post(
        "/cohorts/new",
        data={
            "csrf_token": signed_in,
            "name": "Winter School",
            "start_date": "2027-01-04",
            "days": "4",
            "timezone": "Europe/Berlin",
        },
    )
    assert ok.headers["location"] == "/cohorts/winter-school"
