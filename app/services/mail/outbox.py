"""Queueing mail: render once, store the exact message, and never queue the same one twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.config import Settings, get_settings
from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext as _
from app.models import MailBounce, MailOptOut, OutboxMessage, Participant
from app.services.mail.render import MailContextError, RenderedMail, render_mail
from app.services.mail.unsubscribe import unsubscribe_url

KICK_FLAG = "tandem_mail_queued"
"""Set on a session that queued mail: after its commit, the sender is woken."""
_SETTINGS: list[Settings] = []


def use_mail_settings(settings: Settings) -> None:
    """The settings mail is built with in this process (the app's; else the environment's)."""
    _SETTINGS[:] = [settings]


def mail_settings() -> Settings:
    return _SETTINGS[0] if _SETTINGS else get_settings()


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail, e.g. ``Attachment("checkin.ics", "text/calendar; method=REQUEST",
    data)``; the content type may carry parameters."""

    filename: str
    content_type: str
    data: bytes


def is_reminder(kind: str) -> bool:
    """Reminders are what a participant may turn off; invitations and links always come."""
    return kind.endswith("_reminder")


def _sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.smtp_from)[1]
    return address.rpartition("@")[2] or "localhost"


def _add_attachment(message: EmailMessage, attachment: Attachment) -> None:
    mime, *params = (part.strip() for part in attachment.content_type.split(";"))
    maintype, _slash, subtype = mime.partition("/")
    if not maintype or not subtype or "/" in subtype:
        raise MailContextError(f"attachment {attachment.filename!r}: bad content type")
    extra = dict(param.partition("=")[::2] for param in params if "=" in param)
    message.add_attachment(
        attachment.data,
        maintype=maintype,
        subtype=subtype,
        filename=attachment.filename,
        params=extra,
    )


def build_message(
    settings: Settings,
    *,
    to: str,
    rendered: RenderedMail,
    message_id: str,
    unsubscribe: str = "",
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """The RFC 5322 message: plain text + HTML alternatives, then the attachments."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        # RFC 8058: a mail client's one-click button POSTs "List-Unsubscribe=One-Click" here.
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for attachment in attachments:
        _add_attachment(message, attachment)
    return message


def _invalid_address(to: str) -> InvalidInput:
    return InvalidInput(
        _("not a mail address: %(address)s", address=to),
        [Problem("to", _("a mail address looks like name@example.org"), "to")],
    )


def _kick_after_commit(session: Session) -> None:
    if session.info.get(KICK_FLAG):
        return
    session.info[KICK_FLAG] = True

    @event.listens_for(session, "after_commit", once=True)
    def _wake(_session: Session) -> None:
        session.info.pop(KICK_FLAG, None)
        from app.services.mail.dispatch import wake_sender

        wake_sender()


def _opted_out(session: Session, participant_id: int | None) -> bool:
    return participant_id is not None and session.get(MailOptOut, participant_id) is not None


def queue_mail(
    session: Session,
    *,
    to: str,
    kind: str,
    template: str,
    language: str,
    context: Mapping[str, object],
    dedupe_key: str,
    participant_id: int | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage | None:
    """Render ``template`` and put the message in the outbox (flushes; the caller commits).

    The same ``dedupe_key`` twice returns the message queued first. Returns None for a
    reminder (``kind`` ending in ``_reminder``) to a participant who opted out of reminders.
    A mail to an address that bounced is recorded as bounced and never sent.
    """
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return existing
    if is_reminder(kind) and _opted_out(session, participant_id):
        return None
    address = parseaddr(to)[1]
    if "@" not in address or address != to.strip():
        raise _invalid_address(to)
    settings = mail_settings()
    cohort_id = None
    link = ""
    if participant_id is not None:
        participant = session.get(Participant, participant_id)
        cohort_id = participant.cohort_id if participant is not None else None
        link = unsubscribe_url(settings, participant_id)
    rendered = render_mail(
        template, language=language, context=context, kind=kind, unsubscribe_url=link
    )
    message_id = make_msgid(domain=_sender_domain(settings))
    payload = build_message(
        settings,
        to=address,
        rendered=rendered,
        message_id=message_id,
        unsubscribe=link,
        attachments=attachments,
    ).as_bytes(policy=SMTP)  # CRLF line ends: smtplib sends bytes unchanged
    bounced = session.get(MailBounce, address.lower()) is not None
    row = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        template=template,
        language=language,
        to_address=address,
        participant_id=participant_id,
        cohort_id=cohort_id,
        message_id=message_id,
        payload=None if bounced else payload,
        state="bounced" if bounced else "queued",
        last_error="the address bounced before" if bounced else "",
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same key queued at the same moment by another request
        return session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).one()
    if not bounced:
        _kick_after_commit(session)
    return row


def forget_written_mail(session: Session, *, settings: Settings, participant: Participant) -> int:
    """Delete the .eml copies the mail folder holds of a participant's mails (erasure: call it
    before the outbox rows go); returns how many files were deleted."""
    from app.services.mail.transport import FolderTransport

    folder = FolderTransport(settings.mail_folder)
    ids = session.exec(
        select(OutboxMessage.id).where(OutboxMessage.participant_id == participant.id)
    ).all()
    deleted = 0
    for outbox_id in ids:
        if outbox_id is not None and folder.path_of(outbox_id).exists():
            folder.path_of(outbox_id).unlink()
            deleted += 1
    return deleted
