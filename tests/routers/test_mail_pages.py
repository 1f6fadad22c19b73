"""The mail pages: the unsubscribe link (one click, no sign-in), the tablet's reminder setting,
and the cohort's mail page (states and refused addresses, never a message)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Settings
from app.models import Facilitator, MailBounce, OutboxMessage
from app.services import mail
from app.services.cohorts import service as cohorts
from app.services.tablet import signin
from tests.conftest import csrf_of, join_tablet
from tests.services.tablet.factories import make_world

SECRET = "x" * 48


def test_a_mail_clients_one_click_post_turns_reminders_off_without_a_sign_in(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = make_world(session)
    session.commit()
    link = mail.unsubscribe_url(settings, world.ana.id or 0).removeprefix("http://testserver")

    opened = client.get(link)  # a link scanner opening it changes nothing
    still_on = mail.reminders_enabled(session, participant=world.ana)
    clicked = TestClient(client.app).post(  # no cookie, no CSRF token: a mail client
        link,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    session.commit()  # a fresh snapshot: what the requests wrote

    assert (opened.status_code, still_on) == (200, True)
    assert "Send me no more reminders" in opened.text
    assert clicked.status_code == 200
    assert not mail.reminders_enabled(session, participant=world.ana)
    assert mail.reminders_enabled(session, participant=world.ben)


def test_the_unsubscribe_page_turns_reminders_back_on(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = make_world(session)
    mail.set_reminders(session, participant=world.ana, enabled=False)
    session.commit()
    link = mail.unsubscribe_url(settings, world.ana.id or 0).removeprefix("http://testserver")

    page = client.get(link)
    again = client.post(link, data={"reminders": "on", "csrf_token": csrf_of(client, link)})
    session.commit()  # a fresh snapshot: what the requests wrote

    assert "Send me reminders again" in page.text
    assert again.status_code == 200
    assert mail.reminders_enabled(session, participant=world.ana)


def test_a_forged_or_altered_unsubscribe_link_is_a_clear_404_and_changes_nothing(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = make_world(session)
    session.commit()
    token = mail.unsubscribe_token(settings, world.ana.id or 0)
    other = f"{world.ben.id}.{token.partition('.')[2]}"

    answers = [
        client.post(f"/mail/unsubscribe/{bad}", data={"reminders": "off"}).status_code
        for bad in (other, token[:-1] + "0", "abc", "99999999.ffff", "1." + "f" * 32)
    ]
    session.commit()  # a fresh snapshot: what the requests wrote

    assert answers == [404] * 5
    assert mail.reminders_enabled(session, participant=world.ben)
    assert mail.reminders_enabled(session, participant=world.ana)


def test_a_participant_turns_reminders_off_and_on_from_the_tablet(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    [card] = signin.issue_cards(
        session, cohort=world.cohort, participants=[world.ana], secret=SECRET, followup_days=180
    )
    session.commit()
    token = join_tablet(client, card.code)
    home = client.get("/p")

    off = client.post("/p/mail", data={"reminders": "off", "csrf_token": token})
    page = client.get("/p/mail")
    session.commit()  # a fresh snapshot: what the requests wrote

    assert 'href="/p/mail"' in home.text
    assert (off.status_code, off.headers["location"]) == (303, "/p/mail")
    assert 'value="off" checked' in page.text
    assert not mail.reminders_enabled(session, participant=world.ana)
    client.post("/p/mail", data={"reminders": "on", "csrf_token": token})
    session.commit()  # a fresh snapshot: what the requests wrote
    assert mail.reminders_enabled(session, participant=world.ana)


def _until_sent(session: Session, settings: Settings) -> None:
    """Send the outbox (the web process's own sender may be sending it already)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mail.send_queued_mail(engine, settings)
        states = session.exec(select(OutboxMessage.state)).all()
        session.commit()
        if "queued" not in states and "sending" not in states:
            return
        time.sleep(0.05)


def test_the_cohort_mail_page_shows_states_and_refused_addresses_never_a_message(
    client: TestClient,
    session: Session,
    signed_in: str,
    facilitator: Facilitator,
    settings: Settings,
) -> None:
    world = make_world(session)
    cohorts.assign_facilitator(session, cohort=world.cohort, facilitator=facilitator)
    session.add(MailBounce(address=world.ben.email.lower(), code=550))
    for who in (world.ana, world.ben):
        mail.queue_mail(
            session,
            to=who.email,
            kind="invitation",
            template="smtp_check",
            language="en",
            context={"name": who.name, "site_url": "http://testserver"},
            dedupe_key=f"page-{who.id}",
            participant_id=who.id,
        )
    mail.set_reminders(session, participant=world.ana, enabled=False)
    session.commit()
    _until_sent(session, settings)

    page = client.get(f"/cohorts/{world.cohort.slug}/mail")

    assert page.status_code == 200
    assert f"<li>{world.ben.email.lower()}</li>" in page.text
    assert "sent: <strong>1</strong>" in page.text
    assert "address refused: <strong>1</strong>" in page.text
    assert "turned off" in page.text
    assert "Tandem can send mail" not in page.text  # a subject is content of the mail
    assert "this message shows" not in page.text
