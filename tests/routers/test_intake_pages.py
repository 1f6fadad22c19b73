"""The intake over HTTP: reached after sign-in, a plain form that keeps what was typed when
something must be fixed; the facilitator's pages show who answered and a count of pairs
unavailable by request, never an answer or who asked."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.security import SESSION_COOKIE
from app.models import Cohort, Facilitator, OutboxMessage, Participant
from app.services.accounts import service as accounts
from app.services.cohorts import service as cohort_service
from tests.conftest import csrf_of, sign_in
from tests.services.tablet.factories import add_participant, make_cohort, make_group

NOTE = "NOTE-5e1f how to say no"


def _world(session: Session, facilitator: Facilitator) -> tuple[Cohort, list[Participant]]:
    cohort = make_cohort(session)
    people = [add_participant(session, cohort, n) for n in ("Ana", "Ben", "Cai")]
    people[1].tags, people[2].tags, people[0].languages = ["finance"], ["sales"], ["English"]
    session.add_all(people)
    cohort_service.assign_facilitator(session, cohort=cohort, facilitator=facilitator)
    session.commit()
    return cohort, people


def _as(client: TestClient, session: Session, participant: Participant) -> None:
    web = accounts.start_session(session, hours=1, participant_id=participant.id)
    session.commit()
    client.cookies.set(SESSION_COOKIE, web.token)


def test_the_link_target_leads_to_the_intake_behind_the_sign_in(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    _, (ana, _, _) = _world(session, facilitator)
    entry = client.get("/intake")
    anonymous = client.get("/p/intake")
    _as(client, session, ana)
    page = client.get("/p/intake")
    assert (entry.status_code, entry.headers["location"]) == (303, "/p/intake")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/join")
    assert page.status_code == 200
    assert "Before day one" in page.text
    assert 'value="finance"' in page.text
    assert 'value="sales"' in page.text
    assert "> Ben</label>" in page.text
    assert "> Ana</label>" not in page.text


def test_answers_are_saved_and_a_refused_form_keeps_every_word(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cohort, (ana, ben, _) = _world(session, facilitator)
    _as(client, session, ana)
    token = csrf_of(client, "/p/intake")
    form = {
        "csrf_token": token,
        "offers": ["finance"],
        "wants": ["juggling"],
        "avoid": [str(ben.id)],
        "note_ids": ["want-to-learn"],
        "notes": [NOTE],
    }
    refused = client.post("/p/intake", data=form)
    assert refused.status_code == 422
    assert "“juggling” is not one of the choices" in refused.text
    assert NOTE in refused.text
    assert f'value="{ben.id}" checked' in refused.text
    saved = client.post("/p/intake", data={**form, "wants": ["sales"]})
    assert (saved.status_code, saved.headers["location"]) == (303, "/p/intake?saved=1")
    page = client.get("/p/intake?saved=1")
    assert "your answers are saved" in page.text
    assert NOTE in page.text
    assert 'value="sales" checked' in page.text
    export = client.get("/p/my-data.json").json()
    assert export["intake"]["notes"] == {"want-to-learn": NOTE}
    assert export["intake_avoid"] == [{"rather_not_pair_with": "Ben"}]

    client.cookies.clear()
    sign_in(client, facilitator.email)
    status = client.get(f"/cohorts/{cohort.slug}/intake")
    buddies = client.get(f"/cohorts/{cohort.slug}/matching")
    why = client.post(
        f"/cohorts/{cohort.slug}/matching/why",
        data={"a": str(ana.id), "b": str(ben.id), "csrf_token": csrf_of(client, "/cohorts")},
    )
    assert status.status_code == 200
    assert "1 of 3 has answered" in status.text
    for body in (status.text, buddies.text, why.text):
        assert NOTE not in body
        assert "sales" not in body
    assert "1 pair is unavailable by request." in buddies.text
    assert "One asked not to be paired with the other" in why.text


def test_the_page_is_read_only_once_the_pairs_are_published(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cohort, (ana, ben, cai) = _world(session, facilitator)
    make_group(session, cohort, [ana, ben, cai])
    session.commit()
    _as(client, session, ana)
    page = client.get("/p/intake")
    refused = client.post("/p/intake", data={"csrf_token": csrf_of(client, "/p/intake")})
    assert "can no longer be changed" in page.text
    assert '<fieldset class="plain" disabled>' in page.text
    assert refused.status_code == 409


def test_the_facilitator_reminds_those_who_have_not_answered(
    client: TestClient, session: Session, facilitator: Facilitator
) -> None:
    cohort, _ = _world(session, facilitator)
    token = sign_in(client, facilitator.email)
    page = client.get(f"/cohorts/{cohort.slug}/intake")
    assert "Remind the 3 people who have not answered" in page.text
    sent = client.post(f"/cohorts/{cohort.slug}/intake/remind", data={"csrf_token": token})
    again = client.post(f"/cohorts/{cohort.slug}/intake/remind", data={"csrf_token": token})
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        f"/cohorts/{cohort.slug}/intake?reminded=3&already=0",
    )
    shown = client.get(again.headers["location"])
    assert "0 reminders are on their way. 3 people were already reminded today." in shown.text
    assert len(session.exec(select(OutboxMessage)).all()) == 3
