"""Sending through a real SMTP server started in the test: the messages read back whole, and
refusals, deferrals, dropped connections, a server that is down and a worker that dies mid-send
lose nothing and send nothing twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Settings
from app.models import MailBounce, OutboxMessage, utcnow
from app.services import mail
from app.services.mail import sender
from app.services.mail.transport import Delivery, SmtpTransport
from tests.services.mail.factories import make_participant
from tests.smtp_server import PASSWORD, USER, Recorder, free_port, self_signed, smtp_server

CONTEXT = {"name": "Ana", "site_url": "http://testserver"}
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def _queue(session: Session, to: str, key: str, **extra: object) -> OutboxMessage:
    row = mail.queue_mail(
        session,
        to=to,
        kind="invitation",
        template="smtp_check",
        language="en",
        context=CONTEXT,
        dedupe_key=key,
        **extra,  # type: ignore[arg-type]
    )
    assert row is not None
    session.commit()
    return row


def _state(engine: Engine, key: str) -> OutboxMessage:
    with Session(engine) as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()


def test_a_message_arrives_multipart_with_its_headers_and_attachment(
    session: Session, engine: Engine, settings: Settings
) -> None:
    person = make_participant(session)
    attachment = mail.Attachment("checkin.ics", "text/calendar; method=REQUEST", ICS)
    row = _queue(session, person.email, "m1", participant_id=person.id, attachments=[attachment])
    with smtp_server() as server:
        report = mail.send_queued_mail(engine, server.settings_for(settings))

    assert (report.sent, report.waiting) == (1, 0)
    [message] = server.recorder.messages
    assert server.recorder.envelopes == [("tandem@example.org", [person.email])]
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "Tandem can send mail"
    assert (
        message["List-Unsubscribe"].strip() == f"<{mail.unsubscribe_url(settings, person.id or 0)}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None
    assert "Hello Ana," in body.get_content()
    assert html is not None
    assert "<p>Hello Ana,</p>" in html.get_content()
    [ics] = list(message.iter_attachments())
    assert (ics.get_content_type(), ics.get_filename()) == ("text/calendar", "checkin.ics")
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_content().encode() == ICS
    sent = _state(engine, "m1")
    assert (sent.state, sent.attempts, sent.payload) == ("sent", 1, None)


def test_a_refused_recipient_marks_the_address_bounced_and_the_rest_still_go(
    session: Session, engine: Engine, settings: Settings
) -> None:
    _queue(session, "gone@example.com", "b1")
    _queue(session, "here@example.com", "b2")
    with smtp_server(recorder=Recorder(refuse={"gone@example.com": 550})) as server:
        report = mail.send_queued_mail(engine, server.settings_for(settings))

    assert (report.sent, report.bounced) == (1, 1)
    assert [m["To"] for m in server.recorder.messages] == ["here@example.com"]
    bounced = _state(engine, "b1")
    assert (bounced.state, bounced.last_error, bounced.payload) == (
        "bounced",
        "recipient refused (550)",
        None,
    )
    with Session(engine) as s:
        assert s.get(MailBounce, "gone@example.com") is not None


def test_a_deferred_recipient_is_retried_later_and_sent_once(
    session: Session, engine: Engine, settings: Settings
) -> None:
    _queue(session, "busy@example.com", "d1")
    recorder = Recorder(refuse={"busy@example.com": 451})
    with smtp_server(recorder=recorder) as server:
        configured = server.settings_for(settings)
        first = mail.send_queued_mail(engine, configured)
        waiting = _state(engine, "d1")
        again_too_soon = mail.send_queued_mail(engine, configured)
        recorder.refuse.clear()
        later = mail.send_queued_mail(engine, configured, now=utcnow() + timedelta(minutes=2))

    assert (first.retried, again_too_soon.handled, later.sent) == (1, 0, 1)
    assert (waiting.state, waiting.last_error) == ("queued", "recipient deferred (451)")
    assert len(recorder.messages) == 1
    assert _state(engine, "d1").attempts == 2


def test_a_connection_dropped_mid_message_is_retried_and_arrives_exactly_once(
    session: Session, engine: Engine, settings: Settings
) -> None:
    for n in range(3):
        _queue(session, f"p{n}@example.com", f"x{n}")
    recorder = Recorder(drop_next=1)
    with smtp_server(recorder=recorder) as server:
        configured = server.settings_for(settings)
        first = mail.send_queued_mail(engine, configured)
        later = mail.send_queued_mail(engine, configured, now=utcnow() + timedelta(minutes=2))

    assert (first.sent, first.retried) == (0, 1)
    assert later.sent == 3
    assert sorted(m["To"] for m in recorder.messages) == [f"p{n}@example.com" for n in range(3)]
    assert len({m["Message-ID"] for m in recorder.messages}) == 3


def test_a_server_down_for_an_hour_gets_the_outbox_once_it_returns(
    session: Session, engine: Engine, settings: Settings
) -> None:
    for n in range(2):
        _queue(session, f"p{n}@example.com", f"w{n}")
    port = free_port()
    configured = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    start = utcnow()
    for minute in range(0, 60, 5):  # the timer tries every few minutes; nothing answers
        report = mail.send_queued_mail(engine, configured, now=start + timedelta(minutes=minute))
        assert report.sent == 0
    assert {_state(engine, f"w{n}").state for n in range(2)} == {"queued"}
    with smtp_server(port=port) as server:
        # The retries wait at most 15 minutes apart: by then the outbox has gone out.
        back = mail.send_queued_mail(engine, configured, now=start + timedelta(minutes=75))
        after = mail.send_queued_mail(engine, configured, now=start + timedelta(minutes=90))

    assert (back.sent, after.handled) == (2, 0)
    assert sorted(m["To"] for m in server.recorder.messages) == ["p0@example.com", "p1@example.com"]


class Crash(BaseException):
    """The worker process dies (nothing after it in that process runs)."""


class CrashingTransport:
    """Dies before the message reaches the server, or right after the server accepted it."""

    def __init__(self, inner: SmtpTransport, *, after: bool) -> None:
        self.inner, self.after = inner, after

    def send(self, *, outbox_id: int, sender: str, to: str, payload: bytes) -> Delivery:
        if self.after:
            self.inner.send(outbox_id=outbox_id, sender=sender, to=to, payload=payload)
        raise Crash

    def close(self) -> None:
        self.inner.close()


def test_a_worker_that_dies_after_claiming_leaves_a_message_that_is_sent_once(
    session: Session, engine: Engine, settings: Settings
) -> None:
    _queue(session, "p@example.com", "k1")
    with smtp_server() as server:
        configured = server.settings_for(settings)
        claimed = sender.claim_batch(engine, configured, now=utcnow())  # ... and the worker dies
        during_lease = mail.send_queued_mail(engine, configured)
        after_lease = mail.send_queued_mail(engine, configured, now=utcnow() + timedelta(hours=1))

    assert len(claimed) == 1
    assert (during_lease.handled, after_lease.recovered, after_lease.sent) == (0, 1, 1)
    assert len(server.recorder.messages) == 1


@pytest.mark.parametrize("after", [False, True], ids=["before-smtp", "after-smtp"])
def test_a_worker_killed_mid_send_never_sends_a_message_twice(
    session: Session, engine: Engine, settings: Settings, after: bool
) -> None:
    _queue(session, "p@example.com", "k2")
    with smtp_server() as server:
        configured = server.settings_for(settings)
        with pytest.raises(Crash):
            mail.send_queued_mail(
                engine,
                configured,
                transport=CrashingTransport(SmtpTransport(configured), after=after),
            )
        later = mail.send_queued_mail(engine, configured, now=utcnow() + timedelta(hours=1))

    row = _state(engine, "k2")
    assert len(server.recorder.messages) == (1 if after else 0)
    assert (later.recovered, later.sent) == (1, 0)
    assert (row.state, row.last_error) == ("failed", sender.INTERRUPTED)


def test_starttls_with_a_login_reaches_a_server_with_a_self_signed_certificate(
    session: Session, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    cert = self_signed(tmp_path)
    _queue(session, "p@example.com", "t1")
    with smtp_server(starttls=cert.server_context(), login=True) as server:
        configured = server.settings_for(
            settings, smtp_security="starttls", smtp_username=USER, smtp_password=PASSWORD
        )
        transport = SmtpTransport(configured, ssl_context=cert.client_context())
        report = mail.send_queued_mail(engine, configured, transport=transport)
        transport.close()

    assert (report.sent, server.recorder.logins, len(server.recorder.messages)) == (1, 1, 1)


def test_implicit_tls_reaches_the_server(
    session: Session, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    cert = self_signed(tmp_path)
    _queue(session, "p@example.com", "t2")
    with smtp_server(tls=cert.server_context()) as server:
        configured = server.settings_for(settings, smtp_security="tls")
        transport = SmtpTransport(configured, ssl_context=cert.client_context())
        report = mail.send_queued_mail(engine, configured, transport=transport)
        transport.close()

    assert (report.sent, len(server.recorder.messages)) == (1, 1)


def test_an_untrusted_certificate_sends_nothing_and_keeps_the_message(
    session: Session, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    cert = self_signed(tmp_path)
    _queue(session, "p@example.com", "t3")
    with smtp_server(starttls=cert.server_context()) as server:
        report = mail.send_queued_mail(
            engine, server.settings_for(settings, smtp_security="starttls")
        )

    assert (report.sent, report.retried, server.recorder.messages) == (0, 1, [])
    assert _state(engine, "t3").state == "queued"


def test_a_wrong_password_keeps_the_outbox_waiting(
    session: Session, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    cert = self_signed(tmp_path)
    _queue(session, "p@example.com", "t4")
    with smtp_server(starttls=cert.server_context(), login=True) as server:
        configured = server.settings_for(
            settings, smtp_security="starttls", smtp_username=USER, smtp_password="wrong"
        )
        transport = SmtpTransport(configured, ssl_context=cert.client_context())
        report = mail.send_queued_mail(engine, configured, transport=transport)

    assert (report.sent, report.retried, server.recorder.messages) == (0, 1, [])
    assert _state(engine, "t4").state == "queued"
