"""Uploaded roster files hold everyone's name and e-mail: they go when confirmed, cancelled or
left unconfirmed past TANDEM_ROSTER_UPLOAD_HOURS, and ``tandem purge`` sweeps the rest."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Facilitator, RosterImport, utcnow
from app.services.cohorts import service as cohorts
from tests.conftest import sign_in
from tests.services.tablet.factories import make_cohort

ROSTER = b"Name,Email\nZoe Quinn,zoe@example.com\nYan Li,yan@example.com\n"


def _upload(client: TestClient, token: str, slug: str) -> str:
    response = client.post(
        f"/cohorts/{slug}/roster/upload",
        files={"file": ("roster.csv", ROSTER, "text/csv")},
        data={"csrf_token": token},
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _uploads(session: Session) -> int:
    count = session.exec(select(func.count()).select_from(RosterImport)).one()
    session.commit()
    return int(count)


def test_cancelling_a_preview_deletes_the_upload_and_changes_nothing(
    session: Session, client: TestClient, admin: Facilitator
) -> None:
    cohort = make_cohort(session)
    session.commit()
    token = sign_in(client, admin.email)
    preview = _upload(client, token, cohort.slug)
    page = client.get(preview)
    assert f'action="{preview}/cancel"' in page.text

    cancelled = client.post(f"{preview}/cancel", data={"csrf_token": token})

    assert (cancelled.status_code, cancelled.headers["location"]) == (
        303,
        f"/cohorts/{cohort.slug}/roster",
    )
    assert _uploads(session) == 0
    assert cohorts.count_participants(session, cohort=cohort) == 0
    again = client.get(preview)
    assert again.status_code == 404
    assert "this upload has expired; upload the file again" in again.text


def test_confirming_deletes_the_upload(
    session: Session, client: TestClient, admin: Facilitator
) -> None:
    cohort = make_cohort(session)
    session.commit()
    token = sign_in(client, admin.email)
    preview = _upload(client, token, cohort.slug)

    confirmed = client.post(f"{preview}/confirm", data={"csrf_token": token})

    assert confirmed.status_code == 303
    assert (_uploads(session), cohorts.count_participants(session, cohort=cohort)) == (0, 2)


def test_an_upload_left_unconfirmed_expires_after_the_configured_hours(
    session: Session, client: TestClient, admin: Facilitator
) -> None:
    cohort = make_cohort(session)
    session.commit()
    token = sign_in(client, admin.email)
    stale = _upload(client, token, cohort.slug)
    fresh = _upload(client, token, cohort.slug)
    [old] = session.exec(select(RosterImport).order_by(RosterImport.id)).all()[:1]
    old.created_at = utcnow() - timedelta(hours=24, minutes=1)
    session.add(old)
    session.commit()

    expired, kept = client.get(stale), client.get(fresh)

    assert (expired.status_code, kept.status_code) == (404, 200)
    assert _uploads(session) == 1
