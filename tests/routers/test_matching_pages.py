"""The buddy pages and API: run, why-not, lock, swap, publish, matrix."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.demo import read_demo_roster
from app.models import Cohort, Facilitator
from app.services.cohorts import service as cohorts
from app.services.matching import pairing
from app.services.roster import service as roster
from app.services.tablet import signin
from tests.conftest import join_tablet
from tests.services.tablet.factories import make_cohort


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


def test_every_result_carries_its_proof_until_a_hand_change(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    headers = {"X-CSRF-Token": signed_in}
    run = client.post(f"/api/v1/cohorts/{cohort.slug}/matching", headers=headers).json()
    assert (run["state"], run["bound"], run["gap"], run["optimal"]) == (
        "proposed",
        run["total"],
        0.0,
        True,
    )
    stored = client.get(f"/api/v1/cohorts/{cohort.slug}/matching").json()
    assert (stored["bound"], stored["gap"], stored["optimal"]) == (run["total"], 0.0, True)
    page = client.get(f"/cohorts/{cohort.slug}/matching").text
    bound = f"{run['total']:.2f}"
    assert f"bound {bound} · optimal" in page
    german = client.get(f"/cohorts/{cohort.slug}/matching", headers={"Accept-Language": "de"}).text
    assert f"Schranke {bound.replace('.', ',')} · optimal" in german
    first, second = (g["members"] for g in run["groups"][:2])
    people = {p.email: p for p in roster.list_participants(session, cohort=cohort)}
    pairing.swap_people(session, cohort=cohort, a=people[first[0]], b=people[second[0]])
    session.commit()
    swapped = client.get(f"/api/v1/cohorts/{cohort.slug}/matching").json()
    assert (swapped["bound"], swapped["gap"], swapped["optimal"]) == (None, None, False)
    assert "· optimal" not in client.get(f"/cohorts/{cohort.slug}/matching").text


def test_page_before_the_first_run_says_not_paired_yet(
    client: TestClient, signed_in: str, cohort: Cohort
) -> None:
    page = client.get(f"/cohorts/{cohort.slug}/matching").text
    assert "Not paired yet." in page
    assert "26 people are ready to pair." in page
    assert "without a buddy" not in page
    assert "could only be paired" not in page
    assert 'role="alert"' not in page
    api = client.get(f"/api/v1/cohorts/{cohort.slug}/matching").json()
    assert api == {
        "state": "not_paired",
        "groups": [],
        "total": 0.0,
        "unpaired": [],
        "problems": [],
        "bound": None,
        "gap": None,
        "optimal": False,
    }


def test_rerun_with_a_lock_moves_nobody_and_changes_are_told_by_name(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    [first, *_rest] = pairing.list_groups(session, cohort=cohort)
    client.post(
        f"/cohorts/{cohort.slug}/matching/groups/{first.group.id}/lock",
        data={"csrf_token": signed_in, "locked": "true"},
    )
    again = client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    assert "Changes since the last run</strong> (score +0.00)" in again.text
    assert "No pair changed." in again.text
    client.post(
        f"/cohorts/{cohort.slug}/matching/weights",
        data={"csrf_token": signed_in, "similar_level": "0", "different_region": "6"},
    )
    changed = client.post(f"/cohorts/{cohort.slug}/matching/run", data={"csrf_token": signed_in})
    changes = re.findall(r"<li>([^<]* was with [^<]*)</li>", changed.text)
    assert changes
    assert all("@" not in line for line in changes)


def test_ending_a_pair_on_the_page_offers_to_add_each_person_to_a_pair(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    client.post(
        f"/api/v1/cohorts/{cohort.slug}/matching?publish=true", headers={"X-CSRF-Token": signed_in}
    )
    views = pairing.list_groups(session, cohort=cohort)
    ending = views[0]
    ended = client.post(
        f"/cohorts/{cohort.slug}/matching/groups/{ending.group.id}/end",
        data={"csrf_token": signed_in, "reason": "other"},
    )
    assert ended.status_code == 303
    page = client.get(f"/cohorts/{cohort.slug}/matching").text
    a, b = ending.members
    assert "Waiting for a buddy" in page
    assert f"{a.name} is waiting for a buddy: their pairing with {b.name} ended" in page
    assert f"Add {a.name} to " in page
    api = client.get(f"/api/v1/cohorts/{cohort.slug}/matching").json()
    assert api["state"] == "published"
    assert api["unpaired"] == sorted([a.email, b.email])
    members = [k for g in api["groups"] for k in g["members"]]
    assert len(members) == len(set(members)) == 24
    session.rollback()
    [waiting, *_rest] = pairing.waiting_people(session, cohort=cohort)
    target = waiting.options[0]
    joined = client.post(
        f"/cohorts/{cohort.slug}/matching/groups/{target.group_id}/join",
        data={"csrf_token": signed_in, "participant_id": waiting.participant.id},
    )
    assert joined.status_code == 303
    api = client.get(f"/api/v1/cohorts/{cohort.slug}/matching").json()
    assert sorted(len(g["members"]) for g in api["groups"]) == [2] * 11 + [3]
    again = client.post(
        f"/cohorts/{cohort.slug}/matching/groups/{target.group_id}/join",
        data={"csrf_token": signed_in, "participant_id": waiting.participant.id},
    )
    assert again.status_code == 422
    assert "already has three members" in again.text


BUDDY_HR = (
    "M4 - Director",
    "Chief Volcano Officer",
    "Glacier Logistics",
    "Tasmania",
    "18.0",
    "2009-03-01",
    "Klingon",
    "volcano survey",
)
HR_ROSTER = (
    "Name,Email,Job Title,Level,Function,Country,Hire Date,Languages,Background\n"
    "Ana Brightwater,ana@hr.example,Head of Quokkas,M3 - Senior Manager,Quantum Treasury,"
    "Patagonia,2013-04-10,Esperanto,zeppelin rescue|audit\n"
    "Ben Stonefield,ben@hr.example,Chief Volcano Officer,M4 - Director,Glacier Logistics,"
    "Tasmania,2009-03-01,Esperanto|Klingon,volcano survey|audit\n"
)


def test_nothing_a_participant_reads_about_the_buddy_holds_the_buddys_hr_values(
    client: TestClient, session: Session
) -> None:
    cohort = make_cohort(session, "Cone")
    roster.import_roster(session, cohort=cohort, data=HR_ROSTER.encode(), today=date(2026, 11, 26))
    pairing.run_matching(session, cohort=cohort)
    pairing.publish(session, cohort=cohort)
    [group] = pairing.list_groups(session, cohort=cohort)
    assert "Similar levels: M3 - Senior Manager and M4 - Director" in group.group.reasons
    assert "13.9 and 18.0 years in the company" in group.group.reasons
    ana = pairing.participant_by_email(session, cohort=cohort, email="ana@hr.example")
    [card] = signin.issue_cards(
        session, cohort=cohort, participants=[ana], secret="x" * 48, followup_days=180
    )
    session.commit()
    join_tablet(client, card.code)
    home = client.get("/p").text
    assert "Why we are buddies" in home
    assert "You are at a similar level, so you face similar kinds of decisions" in home
    surfaces = {"home": home, "my data": client.get("/p/my-data.json").text}
    for path in ("/p/workbook.pdf", "/p/workbook/pair.pdf"):
        pdf = client.get(path)
        assert pdf.status_code == 200, path
        reader = PdfReader(io.BytesIO(pdf.content))
        surfaces[path] = " ".join(page.extract_text() for page in reader.pages)
    assert "You share a working language" in surfaces["/p/workbook.pdf"]
    leaks = {
        name: [value for value in BUDDY_HR if value.lower() in text.lower()]
        for name, text in surfaces.items()
    }
    assert leaks == {name: [] for name in surfaces}
