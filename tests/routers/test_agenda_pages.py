"""The agenda pages, the Now view, the agenda API and the tablets' follow endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.models import Cohort, Facilitator, Participant, Person, WebSession, utcnow
from app.routers.participant import now as now_router
from app.services.accounts.service import hash_token
from app.services.agenda import service as agenda
from app.services.cohorts import service as cohorts
from app.services.library.loader import load_library


@pytest.fixture
def cohort(session: Session, facilitator: Facilitator) -> Cohort:
    c = cohorts.create_cohort(
        session,
        name="Spring",
        start_date=date(2027, 3, 1),
        actor=facilitator,
        location="Lisbon",
    )
    session.commit()
    return c


@pytest.fixture
def built(session: Session, cohort: Cohort) -> Cohort:
    agenda.build_agenda(session, cohort=cohort, library=load_library([SHIPPED_LIBRARY]))
    session.commit()
    return cohort


def test_build_button_places_the_program_and_page_prints_each_day(
    client: TestClient, signed_in: str, cohort: Cohort, session: Session
) -> None:
    assert "No agenda yet" in client.get(f"/cohorts/{cohort.slug}/agenda").text
    response = client.post(f"/cohorts/{cohort.slug}/agenda/build", data={"csrf_token": signed_in})
    assert response.status_code == 200
    assert "No conflicts." in response.text
    assert 'href="/static/print/agenda.css" media="print"' in response.text
    assert [f'id="day-{n}"' in response.text for n in range(1, 5)] == [True] * 4
    session.refresh(cohort)
    assert cohort.status == "scheduled"


def test_move_into_a_break_is_refused_then_placed_anyway(
    client: TestClient, signed_in: str, built: Cohort
) -> None:
    url = f"/cohorts/{built.slug}/agenda/items/closing-circle/move"
    refused = client.post(url, data={"csrf_token": signed_in, "day": "1", "start": "10:15"})
    assert refused.status_code == 422
    assert "overlaps Coffee break (10:30-10:45)" in refused.text
    assert "Place it anyway" in refused.text
    forced = client.post(
        url, data={"csrf_token": signed_in, "day": "1", "start": "10:15", "force": "true"}
    )
    assert (forced.status_code, forced.headers["location"]) == (
        303,
        f"/cohorts/{built.slug}/agenda#conflicts",
    )
    page = client.get(f"/cohorts/{built.slug}/agenda").text
    assert "conflicts in the agenda" in page or "conflict in the agenda" in page


def test_bad_time_and_overlapping_block_name_the_field(
    client: TestClient, signed_in: str, built: Cohort
) -> None:
    bad = client.post(
        f"/cohorts/{built.slug}/agenda/days/2/hours",
        data={"csrf_token": signed_in, "start": "nine", "end": "17:00"},
    )
    assert bad.status_code == 422
    assert "&#39;nine&#39; is not a time like 09:30" in bad.text
    overlap = client.post(
        f"/cohorts/{built.slug}/agenda/days/2/blocks",
        data={"csrf_token": signed_in, "start": "12:00", "end": "12:45", "title": "Walk"},
    )
    assert overlap.status_code == 422
    assert "Walk (12:00-12:45) overlaps Lunch (12:30-13:30)" in overlap.text


def test_pin_unpin_remove_and_add_round_trip(
    client: TestClient, signed_in: str, built: Cohort, session: Session
) -> None:
    base = f"/cohorts/{built.slug}/agenda/items"
    token = {"csrf_token": signed_in}
    assert client.post(f"{base}/opening-circle/unpin", data=token).status_code == 303
    assert client.post(f"{base}/day-two-reflection/remove", data=token).status_code == 303
    page = client.get(f"/cohorts/{built.slug}/agenda").text
    assert '<option value="day-two-reflection">' in page
    added = client.post(base, data={**token, "exercise_id": "day-two-reflection"})
    assert added.status_code == 303
    session.expire_all()
    view = agenda.get_agenda(session, cohort=built)
    ids = [e.exercise_id for d in view.days for e in d.entries if e.exercise_id]
    assert ("day-two-reflection" in ids, view.conflicts) == (True, [])


def test_ics_download_and_api(client: TestClient, signed_in: str, built: Cohort) -> None:
    ics = client.get(f"/cohorts/{built.slug}/agenda.ics")
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    assert ics.text.count("BEGIN:VEVENT") == 29 + 12
    data = client.get(f"/api/v1/cohorts/{built.slug}/agenda").json()
    assert [d["day"] for d in data["days"]] == [1, 2, 3, 4]
    assert data["days"][0]["entries"][0] == {
        "kind": "exercise",
        "title": "Opening circle",
        "start": "09:00",
        "end": "09:40",
        "exercise_id": "opening-circle",
        "pinned": False,
    }
    rebuilt = client.post(
        f"/api/v1/cohorts/{built.slug}/agenda/build", headers={"X-CSRF-Token": signed_in}
    )
    assert (rebuilt.status_code, rebuilt.json()["status"]) == (200, "optimal")
    assert client.get(f"/api/v1/cohorts/{built.slug}/agenda.ics").status_code == 200


def test_agenda_pages_need_a_facilitator_of_the_cohort(client: TestClient, built: Cohort) -> None:
    assert client.get(f"/cohorts/{built.slug}/agenda").status_code == 303
    assert client.get(f"/api/v1/cohorts/{built.slug}/agenda").status_code == 401
    assert client.get(f"/cohorts/{built.slug}/now").status_code == 303


def test_now_view_runs_the_day(
    client: TestClient, signed_in: str, built: Cohort, session: Session
) -> None:
    page = client.get(f"/cohorts/{built.slug}/now?day=1")
    assert "Not started" in page.text
    assert '<script src="/static/js/now.js" defer></script>' in page.text
    asked = client.post(
        f"/cohorts/{built.slug}/now/start", data={"csrf_token": signed_in, "day": "1"}
    )
    assert asked.status_code == 409
    assert "Start day 1 today?" in asked.text
    assert f"Day 1 is planned for Monday 01 March 2027, and today is {utcnow():%A %d %B %Y}." in (
        asked.text
    )
    session.refresh(built)
    assert built.status == "scheduled"
    assert "Not started" in client.get(f"/cohorts/{built.slug}/now?day=1").text
    start = client.post(
        f"/cohorts/{built.slug}/now/start",
        data={"csrf_token": signed_in, "day": "1", "other_date": "true"},
    )
    assert start.status_code == 303
    running = client.get(f"/cohorts/{built.slug}/now").text
    assert '<h1 class="now-title">Opening circle</h1>' in running
    client.post(f"/cohorts/{built.slug}/now/next", data={"csrf_token": signed_in})
    panel = client.get(f"/cohorts/{built.slug}/now/panel").text
    assert '<h1 class="now-title">Meet your learning buddy</h1>' in panel
    again = client.post(
        f"/cohorts/{built.slug}/now/start",
        data={"csrf_token": signed_in, "day": "1", "other_date": "true"},
    )
    assert again.status_code == 409


def participant_client(client: TestClient, session: Session, cohort: Cohort) -> Participant:
    assert cohort.id is not None
    person = Person(email="ana@example.com", name="Ana")
    session.add(person)
    session.flush()
    assert person.id is not None
    p = Participant(cohort_id=cohort.id, person_id=person.id, name="Ana", email=person.email)
    session.add(p)
    session.flush()
    token = "tablet-token-for-ana"
    session.add(
        WebSession(
            id=hash_token(token),
            participant_id=p.id,
            csrf_secret="x",
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    )
    session.commit()
    client.cookies.set("tandem_session", token)
    return p


def test_tablet_now_json_follows_the_run_version(
    client: TestClient, built: Cohort, session: Session
) -> None:
    participant_client(client, session, built)
    first = client.get("/p/now").json()
    agenda.act_on_run(
        session, cohort=built, action="start", now=datetime.now(UTC), day=1, other_date=True
    )
    session.commit()
    second = client.get("/p/now").json()
    assert second["version"] == first["version"] + 1
    assert second["current"]["exercise_id"] == "opening-circle"
    assert client.get("/p/agenda.ics").text.count("BEGIN:VEVENT") == 41


def test_tablet_stream_sends_retry_and_version(
    client: TestClient, built: Cohort, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    participant_client(client, session, built)
    monkeypatch.setattr(now_router, "STREAM_S", 0.0)
    with client.stream("GET", "/p/now/stream") as response:
        body = "".join(response.iter_text())
    assert response.headers["content-type"].startswith("text/event-stream")
    assert body == "retry: 3000\nevent: version\ndata: 1\n\n"


@pytest.mark.anyio
async def test_version_events_emit_changes_and_heartbeats() -> None:
    seen = [4, 4, 5]
    calls: list[int] = []

    def poll() -> int:
        calls.append(1)
        return seen[min(len(calls), len(seen)) - 1]

    events = [
        e
        async for e in now_router.version_events(poll, poll_s=0.001, heartbeat_s=0.0, stream_s=0.05)
    ][:4]
    assert events == [
        "retry: 3000\nevent: version\ndata: 4\n\n",
        ": heartbeat\n\n",
        "event: version\ndata: 5\n\n",
        ": heartbeat\n\n",
    ]
