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


WORKDAY = (
    "Worker,Email - Work,Management Level,Hire Date,Manager,Languages,Skills,"
    "Succession Pool,Avoid\n"
    "Ana Silva,ana@example.com,M3 - Senior Manager,11/03/2016,Ben Okoro,English; Portuguese,"
    "Finance|M&A,CFO Europe,cho@example.com\n"
    "Ben Okoro,ben@example.com,M4 - Director,05/05/2009,,English,Sales,,\n"
    "Cho Min,cho@example.com,M3 - Senior Manager,2018-01-15,ben@example.com,Korean,,CFO Europe,\n"
)


def _years(*hired: int) -> str:
    return f"{round((date.today() - date(*hired)).days / 365.25, 2):.1f} years"


def _cells(html: str) -> list[list[str]]:
    """The text of each row of the "How each row was read" table."""
    table = html.split('class="table read-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in
         re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]  # fmt: skip


def test_preview_shows_how_every_column_was_read_and_asks_the_date_format(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    preview_url = _upload(client, cohort, signed_in, WORKDAY)
    page = client.get(preview_url)
    assert page.status_code == 422
    assert (
        "row 2, column Hire Date</span>: “11/03/2016” can be 11 March 2016 (day first) or "
        "3 November 2016 (month first); choose the file&#39;s date format"
    ) in page.text
    assert 'name="date_format" value="dmy"' in page.text
    assert client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in}).status_code == 422

    chosen = client.post(
        f"{preview_url}/reading", data={"csrf_token": signed_in, "date_format": "mdy"}
    )
    assert chosen.status_code == 303
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Dates are read month/day/year, as you chose." in page.text
    ana, ben, cho = _years(2016, 11, 3), _years(2009, 5, 5), _years(2018, 1, 15)
    assert _cells(page.text) == [
        ["2", "Ana Silva ana@example.com", "M3 - Senior Manager", f"3 November 2016 {ana}",
         "Ben Okoro ben@example.com", "English, Portuguese", "finance, m&amp;a", "CFO Europe",
         "Cho Min"],
        ["3", "Ben Okoro ben@example.com", "M4 - Director", f"5 May 2009 {ben}", "—",
         "English", "sales", "—", "—"],
        ["4", "Cho Min cho@example.com", "M3 - Senior Manager", f"15 January 2018 {cho}",
         "Ben Okoro ben@example.com", "Korean", "—", "CFO Europe", "—"],
    ]  # fmt: skip
    assert client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in}).status_code == 303
    session.rollback()
    assert [p.hire_date for p in roster.list_participants(session, cohort=cohort)] == [
        date(2016, 11, 3),
        date(2009, 5, 5),
        date(2018, 1, 15),
    ]


def test_uploading_the_same_file_again_changes_nothing(
    client: TestClient, signed_in: str, cohort: Cohort
) -> None:
    text = HEADER + ROWS
    first = _upload(client, cohort, signed_in, text)
    client.post(
        f"{first}/mapping",
        data={
            "csrf_token": signed_in,
            "map:Employee Name": "name",
            "map:Work Email": "email",
            "map:Management Level": "ignore",
            "map:Dept Code": "conflict_group",
        },
    )
    assert client.post(f"{first}/confirm", data={"csrf_token": signed_in}).status_code == 303
    again = client.get(_upload(client, cohort, signed_in, text))
    assert "0 to add, 0 to update, 0 to remove, 2 unchanged." in again.text
    assert "The file matches the roster exactly: nothing to change." in again.text
    assert '<option value="conflict_group" selected>' in again.text
    assert '<option value="ignore" selected>(leave out)</option>' in again.text


def test_a_file_that_is_not_utf8_asks_for_its_encoding_before_anything_is_saved(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    data = "Name,Email\nJürgen Strauß,jurgen@example.com\n".encode() + b"Jos\xe9,jose@example.com\n"
    response = client.post(
        f"/cohorts/{cohort.slug}/roster/upload",
        data={"csrf_token": signed_in},
        files={"file": ("hr.csv", data, "text/csv")},
    )
    preview_url = response.headers["location"]
    page = client.get(preview_url)
    assert page.status_code == 422
    assert "row 3, column Name</span>: “Jos�” holds bytes that are not valid UTF-8" in page.text
    assert 'value="cp1252"' in page.text
    assert "Windows Western European (cp1252): <q>José</q>" in page.text
    assert "The file&#39;s encoding is not known yet." in page.text
    assert "Use this mapping" not in page.text
    assert client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in}).status_code == 422
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []

    client.post(f"{preview_url}/reading", data={"csrf_token": signed_in, "encoding": "cp1252"})
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Read as Windows Western European (cp1252), as you chose." in page.text


def test_formula_names_are_warned_about_and_shown_as_text(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    text = (
        "Name,Email\n"
        '"=HYPERLINK(""http://evil.example/x"",""Click"")",eve@example.com\n'
        "@SUM(A1:A2),sam@example.com\n"
    )
    preview_url = _upload(client, cohort, signed_in, text)
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "2 warnings to read before applying" in page.text
    assert '<span class="where">row 2, column Name</span>' in page.text
    assert '<span class="where">row 3, column Name</span>' in page.text
    assert 'name="accept_warnings" value="yes" required' in page.text

    refused = client.post(f"{preview_url}/confirm", data={"csrf_token": signed_in})
    assert refused.status_code == 422
    assert "read the warnings and confirm that you have checked them" in refused.text
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []

    accepted = client.post(
        f"{preview_url}/confirm", data={"csrf_token": signed_in, "accept_warnings": "yes"}
    )
    assert accepted.status_code == 303
    listing = client.get(f"/cohorts/{cohort.slug}/roster").text
    assert "=HYPERLINK(&#34;http://evil.example/x&#34;,&#34;Click&#34;)" in listing
    assert "@SUM(A1:A2)" in listing
    assert 'http://evil.example/x"' not in listing
    assert 'href="http://evil' not in listing


def test_api_import_reports_warnings_and_needs_them_accepted(
    client: TestClient, signed_in: str, cohort: Cohort
) -> None:
    files = {"file": ("hr.csv", b"Name,Email\n@SUM(A1),sam@example.com\n", "text/csv")}
    url = f"/api/v1/cohorts/{cohort.slug}/roster/import"
    headers = {"X-CSRF-Token": signed_in}
    dry = client.post(f"{url}?dry_run=true", files=files, headers=headers)
    assert [w["where"] for w in dry.json()["warnings"]] == ["row 2, column Name"]
    assert client.post(url, files=files, headers=headers).status_code == 422
    applied = client.post(f"{url}?accept_warnings=true", files=files, headers=headers)
    assert applied.json()["applied"] is True
