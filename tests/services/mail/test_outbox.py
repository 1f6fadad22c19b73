"""Queueing mail: rendering, idempotency, the reminder opt-out, bounced addresses."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default

import pytest
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import InvalidInput
from app.models import MailBounce, OutboxMessage
from app.services import mail
from tests.services.mail.factories import make_participant

CONTEXT = {"name": "Ana", "site_url": "http://testserver"}


def _parsed(row: OutboxMessage) -> EmailMessage:
    assert row.payload is not None
    message = email.message_from_bytes(row.payload, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_queue_mail_stores_a_multipart_message_in_the_readers_language(
    session: Session, settings: Settings
) -> None:
    person = make_participant(session)
    row = mail.queue_mail(
        session,
        to=person.email,
        kind="smtp_check",
        template="smtp_check",
        language="de",
        context=CONTEXT,
        dedupe_key="check-1",
        participant_id=person.id,
    )
    assert row is not None
    assert row.state == "queued"
    message = _parsed(row)
    assert message["To"] == person.email
    assert message["Message-ID"] == row.message_id
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail.unsubscribe_url(settings, person.id or 0)
    assert message["List-Unsubscribe"].strip() == f"<{link}>"
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert message["Subject"] == "Tandem kann Mails senden"


def test_queue_mail_twice_with_one_key_queues_one_message(session: Session) -> None:
    person = make_participant(session)
    first = mail.queue_mail(
        session,
        to=person.email,
        kind="smtp_check",
        template="smtp_check",
        language="en",
        context=CONTEXT,
        dedupe_key="same",
    )
    again = mail.queue_mail(
        session,
        to=person.email,
        kind="smtp_check",
        template="smtp_check",
        language="en",
        context=CONTEXT,
        dedupe_key="same",
    )
    assert first is not None
    assert again is not None
    assert first.id == again.id
    assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_a_reminder_is_not_queued_for_a_participant_who_opted_out(session: Session) -> None:
    person = make_participant(session)
    mail.set_reminders(session, participant=person, enabled=False)
    kwargs = {"to": person.email, "template": "smtp_check", "language": "en", "context": CONTEXT}
    assert (
        mail.queue_mail(
            session, kind="checkin_reminder", dedupe_key="r1", participant_id=person.id, **kwargs
        )
        is None
    )
    invitation = mail.queue_mail(
        session, kind="invitation", dedupe_key="i1", participant_id=person.id, **kwargs
    )
    assert invitation is not None
    assert invitation.state == "queued"


def test_a_mail_to_a_bounced_address_is_recorded_bounced_and_never_sent(session: Session) -> None:
    session.add(MailBounce(address="gone@example.com", code=550))
    row = mail.queue_mail(
        session,
        to="gone@example.com",
        kind="invitation",
        template="smtp_check",
        language="en",
        context=CONTEXT,
        dedupe_key="b1",
    )
    assert row is not None
    assert (row.state, row.payload) == ("bounced", None)


@pytest.mark.parametrize(
    "context",
    [
        {"name": "Ana", "site_url": "http://testserver", "note": "line one\nline two"},
        {"name": "x" * 201, "site_url": "http://testserver"},
        {"name": "Ana", "site_url": "javascript:alert(1)"},
        {"name": {"nested": "dict"}, "site_url": "http://testserver"},
        {"name": "Ana", "site_url": "http://testserver", "unsubscribe_url": "http://x"},
    ],
)
def test_a_context_with_more_than_names_dates_counts_and_links_is_refused(
    session: Session, context: dict[str, object]
) -> None:
    with pytest.raises(mail.MailContextError):
        mail.queue_mail(
            session,
            to="a@example.com",
            kind="invitation",
            template="smtp_check",
            language="en",
            context=context,
            dedupe_key="c1",
        )
    assert session.exec(select(OutboxMessage)).all() == []


def test_a_bad_address_is_refused_with_its_field(session: Session) -> None:
    with pytest.raises(InvalidInput) as raised:
        mail.queue_mail(
            session,
            to="not an address",
            kind="invitation",
            template="smtp_check",
            language="en",
            context=CONTEXT,
            dedupe_key="a1",
        )
    assert raised.value.problems[0].field == "to"


@pytest.mark.parametrize(
    ("language", "subject", "hello"),
    [
        ("en", "Tandem can send mail", "Hello Ana,"),
        ("de", "Tandem kann Mails senden", "Hallo Ana,"),
        ("fr", "Tandem peut envoyer des e-mails", "Bonjour Ana,"),
        ("es", "Tandem puede enviar correo", "Hola, Ana:"),
    ],
)
def test_a_mail_reads_in_its_readers_language(language: str, subject: str, hello: str) -> None:
    rendered = mail.render_mail("smtp_check", language=language, context=CONTEXT)

    assert (rendered.subject, rendered.text.splitlines()[0]) == (subject, hello)
    assert f'<html lang="{language}">' in rendered.html


def test_a_name_is_escaped_in_the_html_part_and_kept_as_typed_in_the_text_part() -> None:
    rendered = mail.render_mail(
        "smtp_check",
        language="en",
        context={"name": "Ana <b>&</b>", "site_url": "http://testserver"},
    )

    assert "<p>Hello Ana &lt;b&gt;&amp;&lt;/b&gt;,</p>" in rendered.html
    assert rendered.text.startswith("Hello Ana <b>&</b>,")


def test_a_template_name_that_leaves_the_mail_folder_is_refused() -> None:
    with pytest.raises(mail.MailContextError):
        mail.render_mail("../participant/home", language="en", context={})
