"""Bad input at the edges: cohort names that look like ids, ids past what a database stores,
cohort dates past the calendar, and plan documents whose ids are not text."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.errors import InvalidInput
from app.models import Cohort, Facilitator
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import csrf_of, join_tablet, sign_in
from tests.fuzz.test_api_fuzz import _row_counts
from tests.services.tablet.factories import make_world

JSON = {"Content-Type": "application/json"}


def test_all_digit_names_get_slugs_that_never_read_as_an_id(
    session: Session, client: TestClient, admin: Facilitator
) -> None:
    first = cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1))
    second = cohorts.create_cohort(session, name="Autumn", start_date=date(2027, 9, 1))
    two = cohorts.create_cohort(session, name="2", start_date=date(2027, 4, 1))
    year = cohorts.create_cohort(session, name="2027", start_date=date(2027, 5, 1))
    session.commit()
    sign_in(client, admin.email)

    assert (second.id, two.slug, year.slug) == (2, "cohort-2", "cohort-2027")
    opened = {
        ref: client.get(f"/api/v1/cohorts/{ref}").json().get("name")
        for ref in ("2", "cohort-2", "cohort-2027", "2027", str(first.id))
    }
    assert opened == {
        "2": "Autumn",
        "cohort-2": "2",
        "cohort-2027": "2027",
        "2027": None,
        str(first.id): "Spring",
    }
    assert client.get("/cohorts/cohort-2027").status_code == 200


def test_a_slug_made_before_the_rule_still_opens_its_own_cohort(
    session: Session, admin: Facilitator
) -> None:
    first = cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1))
    old = Cohort(name="1", slug=str(first.id), start_date=date(2027, 3, 1))
    session.add(old)
    session.commit()

    found = cohorts.get_cohort(session, ref=str(first.id), viewer=None)

    assert (found.id, found.name) == (old.id, "1")
    assert cohorts.get_cohort(session, ref=first.slug, viewer=None).id == first.id


@pytest.mark.parametrize("ref", ["9223372036854775808", "99999999999999999999999", "²", "0"])
def test_ids_no_database_can_hold_are_simply_not_found(
    ref: str, session: Session, client: TestClient, admin: Facilitator
) -> None:
    world = make_world(session)
    token = sign_in(client, admin.email)
    slug = world.cohort.slug

    answers = [
        client.get(f"/api/v1/cohorts/{ref}").status_code,
        client.get(f"/cohorts/{ref}").status_code,
        client.get(f"/cohorts/{slug}/participants/{ref}/edit").status_code,
        client.get(f"/cohorts/{slug}/roster/imports/{ref}").status_code,
        client.post(
            f"/cohorts/{slug}/matching/swap", data={"a": ref, "b": "1", "csrf_token": token}
        ).status_code,
    ]

    assert answers[:2] == [404, 404]
    assert all(code in (404, 422) for code in answers[2:]), answers


def test_a_tablet_cannot_reach_a_participant_id_past_the_database(
    session: Session, client: TestClient, web_app: object
) -> None:
    world = make_world(session)
    [card] = signin.issue_cards(
        session,
        cohort=world.cohort,
        participants=[world.ana],
        secret="x" * 48,
        followup_days=180,
    )
    session.commit()
    join_tablet(client, card.code)

    answers = [
        client.get("/p/people/9223372036854775808/plan").status_code,
        client.get("/p/api/people/-9223372036854775809/answers/meet-your-buddy").status_code,
    ]

    assert answers == [422, 422]


@pytest.mark.parametrize(
    "goal_id", [[1], {"a": 1}, 7, None], ids=["list", "object", "number", "null"]
)
def test_a_plan_goal_id_that_is_not_text_is_refused_or_replaced(
    goal_id: object, session: Session, client: TestClient, engine: Engine
) -> None:
    world = make_world(session)
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[world.ana], secret="x" * 48, followup_days=180
    )
    session.commit()
    join_tablet(client, card.code)
    before = _row_counts(engine)
    body = {
        "content": {"goals": [{"id": goal_id, "what": "Delegate"}, {"id": goal_id}]},
        "base_version": 0,
        "idempotency_key": "key-goal-ids",
    }

    response = client.put(
        "/p/api/plan",
        content=json.dumps(body),
        headers={**JSON, "X-CSRF-Token": csrf_of(client, "/p/plan")},
    )

    if goal_id is None:  # no id yet: the server gives each goal its own
        assert response.status_code == 200
        ids = [g["id"] for g in response.json()["content"]["goals"]]
        assert len(set(ids)) == 2
        return
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"where": "Goal 1", "field": "id", "message": "This goal has a malformed id."},
        {"where": "Goal 2", "field": "id", "message": "This goal has a malformed id."},
    ]
    assert _row_counts(engine) == before


@pytest.mark.parametrize(
    "start", ["9999-12-25", "1999-12-31", "2200-01-01", 0, 1_700_000_000, "0001-01-01"]
)
def test_a_cohort_date_outside_the_calendar_is_a_clear_422(
    start: object, client: TestClient, signed_in: str, engine: Engine
) -> None:
    before = _row_counts(engine)

    response = client.post(
        "/api/v1/cohorts",
        content=json.dumps({"name": "Far future", "start_date": start}),
        headers={**JSON, "X-CSRF-Token": signed_in},
    )

    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert problem["field"] == "start_date"
    assert problem["message"] in (
        "must be a date like 2027-03-01",
        "must be between 2000-01-01 and 2199-12-31",
    )
    assert _row_counts(engine) == before


def test_the_cohort_form_and_service_refuse_a_start_past_2199(
    session: Session, client: TestClient, signed_in: str, engine: Engine
) -> None:
    before = _row_counts(engine)
    page = client.post(
        "/cohorts/new",
        data={"name": "Far", "start_date": "9999-12-25", "csrf_token": signed_in},
    )
    with pytest.raises(InvalidInput) as caught:
        cohorts.create_cohort(session, name="Far", start_date=date(9999, 12, 25))

    assert page.status_code == 422
    assert "must be between 2000-01-01 and 2199-12-31" in page.text
    assert [str(p) for p in caught.value.problems] == [
        "start date: must be between 2000-01-01 and 2199-12-31"
    ]
    assert _row_counts(engine) == before
