"""Invitations: a fresh link each, in the reader's language, only names, dates and the link;
nobody without an address is mailed; a bounced address gets no mail and no 'sent'."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, MailBounce, OutboxMessage, SignInLink
from app.services import links
from tests.services.tablet.factories import World, make_world

BASE = "https://tandem.example.org"


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _message(row: OutboxMessage) -> EmailMessage:
    assert row.payload is not None
    parsed = email.message_from_bytes(row.payload, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_everyone_with_an_address_gets_an_invitation_with_a_fresh_link(
    session: Session, world: World
) -> None:
    assert world.ana.id is not None
    old = links.issue_link(session, world.ana.id, base_url=BASE)
    report = links.send_invitations(
        session, cohort=world.cohort, base_url=BASE, actor="facilitator:3"
    )
    assert report == links.InvitationReport(4, [], [])
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.kind, r.to_address) for r in rows] == [
        ("invitation", p.email) for p in (world.ana, world.ben, world.cai, world.dan)
    ]
    message = _message(rows[0])
    assert message["Subject"] == "Your invitation to Spring"
    text, html = _bodies(message)
    assert "Hello Ana," in text
    assert "March 1, 2027" in text
    assert f"{BASE}/link/" in text
    assert f'href="{BASE}/link/' in html
    assert old.url not in text
    states = [s.state for s in links.link_statuses(session, participants=[world.ana])]
    assert states == ["sent"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "links.invite")).one()
    assert (event.actor, event.detail) == (
        "facilitator:3",
        {"queued": 4, "without_address": 0, "refused": 0},
    )


def test_the_link_in_the_mail_is_the_one_that_works(session: Session, world: World) -> None:
    links.send_invitations(
        session, cohort=world.cohort, base_url=BASE, actor="x", participants=[world.ana]
    )
    row = session.exec(select(OutboxMessage)).one()
    text, _html = _bodies(_message(row))
    url = next(word for word in text.split() if word.startswith(f"{BASE}/link/"))
    from app.services.tablet import Attempt

    attempt = Attempt(device="d", address="a", window_seconds=300)
    link = links.redeem_link(session, token=url.rsplit("/", 1)[1], attempt=attempt)
    assert link.participant_id == world.ana.id
    assert link.sent_at is not None


def test_an_invitation_is_in_its_readers_language(session: Session, world: World) -> None:
    world.ana.language = "de"
    session.add(world.ana)
    links.send_invitations(
        session, cohort=world.cohort, base_url=BASE, actor="x", participants=[world.ana]
    )
    row = session.exec(select(OutboxMessage)).one()
    assert (row.language, _message(row)["Subject"]) == ("de", "Ihre Einladung zu Spring")


def test_nobody_without_an_address_or_with_a_bounced_one_is_counted_as_invited(
    session: Session, world: World
) -> None:
    world.ben.email = ""
    session.add(world.ben)
    session.add(MailBounce(address=world.cai.email.lower(), code=550))
    session.flush()
    report = links.send_invitations(
        session,
        cohort=world.cohort,
        base_url=BASE,
        actor="x",
        participants=[world.ana, world.ben, world.cai],
    )
    assert report == links.InvitationReport(1, ["Ben"], ["Cai"])
    states = [s.state for s in links.link_statuses(session, participants=[world.ben, world.cai])]
    assert states == ["none", "issued"]
    assert (
        session.exec(select(SignInLink).where(SignInLink.participant_id == world.ben.id)).all()
        == []
    )
