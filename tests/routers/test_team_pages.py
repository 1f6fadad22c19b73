"""The cohort's team on its page: the lead manages it, a co-facilitator is refused clearly."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Cohort, Facilitator
from app.services import cohorts
from tests.conftest import make_facilitator, sign_in


def _spring(session: Session, lead: Facilitator, co: Facilitator) -> Cohort:
    spring = cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1), actor=lead)
    cohorts.add_to_team(session, cohort=spring, facilitator=co, role="co-facilitator")
    session.commit()
    return spring


def _team(session: Session, cohort: Cohort) -> list[tuple[str, str]]:
    session.expire_all()
    return [(m.facilitator.email, m.role) for m in cohorts.list_team(session, cohort=cohort)]


def test_the_cohort_page_shows_its_team_and_the_lead_its_forms(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    make_facilitator(session, "nia@example.com")
    spring = _spring(session, facilitator, cole)
    sign_in(client, facilitator.email)

    page = client.get(f"/cohorts/{spring.slug}").text

    assert 'id="team"' in page
    assert "cole@example.com" in page
    assert "Co-facilitator" in page
    assert 'id="team-add"' in page
    assert "nia@example.com" in page


def test_a_co_facilitator_sees_the_team_without_its_forms(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    sign_in(client, cole.email)

    page = client.get(f"/cohorts/{spring.slug}").text

    assert "fran@example.com" in page
    assert 'id="team-add"' not in page
    assert f"/team/{facilitator.id}/remove" not in page


def test_the_lead_adds_promotes_and_removes_team_members(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    nia = make_facilitator(session, "nia@example.com")
    spring = _spring(session, facilitator, cole)
    token = sign_in(client, facilitator.email)
    base = f"/cohorts/{spring.slug}/team"

    added = client.post(
        base, data={"facilitator_id": nia.id, "role": "co-facilitator", "csrf_token": token}
    )
    client.post(f"{base}/{cole.id}/role", data={"role": "lead", "csrf_token": token})
    client.post(f"{base}/{nia.id}/remove", data={"csrf_token": token})

    assert (added.status_code, added.headers["location"]) == (303, f"/cohorts/{spring.slug}#team")
    assert _team(session, spring) == [("cole@example.com", "lead"), ("fran@example.com", "lead")]


def test_the_last_lead_is_kept_with_a_clear_message(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    token = sign_in(client, facilitator.email)

    page = client.post(
        f"/cohorts/{spring.slug}/team/{facilitator.id}/role",
        data={"role": "co-facilitator", "csrf_token": token},
    )

    assert page.status_code == 409
    assert "a cohort keeps at least one lead: make someone else lead first" in page.text
    assert _team(session, spring) == [
        ("fran@example.com", "lead"),
        ("cole@example.com", "co-facilitator"),
    ]


def test_a_co_facilitator_gets_a_translated_refusal_for_what_only_the_lead_may_do(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    token = sign_in(client, cole.email)

    english = client.post(
        f"/cohorts/{spring.slug}/team/{facilitator.id}/remove", data={"csrf_token": token}
    )
    german = client.post(
        f"/cohorts/{spring.slug}/matching/publish",
        data={"csrf_token": token},
        headers={"Accept-Language": "de"},
    )

    assert english.status_code == 403
    assert "Only the cohort&#39;s lead or an admin may do this." in english.text
    assert german.status_code == 403
    assert "Nicht erlaubt" in german.text
    assert "Nur die Leitung der Kohorte oder ein Admin darf das." in german.text
    assert _team(session, spring) == [
        ("fran@example.com", "lead"),
        ("cole@example.com", "co-facilitator"),
    ]


def test_a_co_facilitator_runs_the_room_and_edits(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    sign_in(client, cole.email)

    for path in ("roster", "matching", "agenda", "now", "progress", "cards", "edit"):
        assert client.get(f"/cohorts/{spring.slug}/{path}").status_code == 200, path


def test_a_co_facilitator_imports_a_roster_but_may_not_take_people_off_it(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    token = sign_in(client, cole.email)
    url = f"/api/v1/cohorts/{spring.slug}/roster/import"
    both = b"Name,Email\nAna,ana@example.com\nBen,ben@example.com\n"
    only_ana = b"Name,Email\nAna,ana@example.com\n"
    headers = {"X-CSRF-Token": token}

    added = client.post(url, files={"file": ("hr.csv", both, "text/csv")}, headers=headers)
    preview = client.post(
        f"{url}?dry_run=true", files={"file": ("hr.csv", only_ana, "text/csv")}, headers=headers
    )
    refused = client.post(url, files={"file": ("hr.csv", only_ana, "text/csv")}, headers=headers)

    assert (added.status_code, len(added.json()["added"])) == (200, 2)
    assert (preview.status_code, len(preview.json()["removed"])) == (200, 1)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "Only the cohort's lead or an admin may do this.",
    )
    people = client.get(f"/api/v1/cohorts/{spring.slug}/participants").json()
    assert sorted(p["email"] for p in people) == ["ana@example.com", "ben@example.com"]


def test_only_the_lead_sees_the_buttons_that_take_people_off_the_roster(
    client: TestClient, web_app: object, session: Session, facilitator: Facilitator
) -> None:
    from app.services import roster

    cole = make_facilitator(session, "cole@example.com")
    spring = _spring(session, facilitator, cole)
    roster.import_roster(session, cohort=spring, data=b"Name,Email\nAna,ana@example.com\n")
    session.commit()
    sign_in(client, facilitator.email)
    with TestClient(web_app, follow_redirects=False) as co:  # type: ignore[arg-type]
        sign_in(co, cole.email)

        theirs = co.get(f"/cohorts/{spring.slug}/roster").text

    assert "ana@example.com" in theirs
    assert "/remove" not in theirs
    assert "/remove" in client.get(f"/cohorts/{spring.slug}/roster").text
