"""The cone of silence for mail: a check every mail-sending feature shares.

No mail carries what anyone wrote. ``tests/routers/test_mail_canaries.py`` plants canary text
in every content table (answers, plans, plan comments, check-in notes, agreed steps), runs
each entry of ``SCENARIOS`` — the feature's *own* code that builds a mail's context from the
database and queues it — sends the outbox to a folder and to a real SMTP server, and checks
every message's subject, headers, both bodies and attachments with ``assert_no_canary``.

ADDING A MAIL TEMPLATE? Add one line to ``SCENARIOS``: template name -> a function that
queues at least one mail of that template for the canary world, the way your feature does
(the sweep fails for a template without one). Use ``assert_no_canary`` on any other mail
your tests produce.
"""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.config import ROOT, Settings
from app.models import OutboxMessage, Participant
from app.services import mail

CANARY = "CANARY-7f3a"
"""The text planted in every content table (the same as the page sweep's)."""

MailScenario = Callable[[Session, Settings, Participant], None]
"""Queue the mails of one template for ``participant`` (in a world full of canaries)."""


def _smtp_check(session: Session, settings: Settings, participant: Participant) -> None:
    mail.queue_mail(
        session,
        to=participant.email,
        kind="smtp_check",
        template="smtp_check",
        language="de",
        context={"name": participant.name, "site_url": settings.base_url},
        dedupe_key=f"canary-smtp-check-{participant.id}",
        participant_id=participant.id,
    )


def _intake_reminder(session: Session, settings: Settings, participant: Participant) -> None:
    from app.models import Cohort
    from app.services import intake

    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    intake.remind_participant(
        session, cohort=cohort, participant=participant, base_url=settings.base_url, on=date.today()
    )


def _checkin_reminder(session: Session, settings: Settings, participant: Participant) -> None:
    """The reminder sweep at the moment the member's next open check-in falls due."""
    from app.core.errors import NotFound
    from app.models import Cohort
    from app.models.plans import CheckIn
    from app.services import plans

    try:
        group = plans.partnership_group_of(session, participant=participant)
    except NotFound:
        return
    cohort = session.get(Cohort, group.cohort_id)
    checkin = session.exec(
        select(CheckIn)
        .where(CheckIn.group_id == group.id, col(CheckIn.state).in_(("upcoming", "moved")))
        .order_by(col(CheckIn.day))
    ).first()
    if checkin is None or cohort is None:
        return
    plans.send_checkin_reminders(
        session,
        now=plans.reminder_due(checkin, tz_name=cohort.timezone),
        base_url=settings.base_url,
        sender=settings.smtp_from,
    )


def _invitation(session: Session, settings: Settings, participant: Participant) -> None:
    from app.models import Cohort
    from app.services import links

    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    links.send_invitations(
        session, cohort=cohort, base_url=settings.base_url, actor="x", participants=[participant]
    )


def _signin_link(session: Session, settings: Settings, participant: Participant) -> None:
    from app.services import links
    from app.services.tablet import Attempt

    links.request_link(
        session,
        email=participant.email,
        base_url=settings.base_url,
        attempt=Attempt(device=f"canary-{participant.id}", address="x", window_seconds=300),
        followup_days=settings.followup_days,
    )


SCENARIOS: dict[str, MailScenario] = {
    "checkin_reminder": _checkin_reminder,
    "invitation": _invitation,
    "signin_link": _signin_link,
    "smtp_check": _smtp_check,
    "intake_reminder": _intake_reminder,
}


def mail_templates() -> list[str]:
    """Every mail template of the app (a ``.txt`` and ``.html`` pair not starting with _)."""
    folder = ROOT / "app" / "templates" / "mail"
    return sorted(p.stem for p in folder.glob("*.txt") if not p.name.startswith("_"))


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def mail_parts(raw: bytes) -> Iterator[tuple[str, str]]:
    """(where, text) for each header, each body part and each attachment, decoded."""
    message = parse(raw)
    yield "raw message", raw.decode("utf-8", "replace")
    for part in message.walk():
        for name, value in part.items():
            yield f"header {name}", str(value)
        if part.is_multipart():
            continue
        where = f"part {part.get_content_type()} {part.get_filename() or ''}".strip()
        content = part.get_content()
        text = content if isinstance(content, str) else bytes(content).decode("utf-8", "replace")
        yield where, text


def assert_no_canary(raw: bytes, canaries: Sequence[str] = (CANARY,)) -> None:
    """Fail naming the place (header, body part, attachment) that carries a canary."""
    found = [where for where, text in mail_parts(raw) for c in canaries if c in text]
    assert found == [], f"a mail carries written content in: {found}"


def sent_messages(engine: Engine, folder: Path) -> list[bytes]:
    """Every message the outbox still holds and every .eml the folder transport wrote."""
    with Session(engine) as session:
        held = [r.payload for r in session.exec(select(OutboxMessage)).all() if r.payload]
    return held + [p.read_bytes() for p in sorted(folder.glob("*.eml"))]


def assert_outbox_without_canary(engine: Engine, folder: Path) -> int:
    """Check every stored and written message and the outbox's own columns; returns how many
    messages were checked."""
    messages = sent_messages(engine, folder)
    for raw in messages:
        assert_no_canary(raw)
    with Session(engine) as session:
        for row in session.exec(select(OutboxMessage)).all():
            assert CANARY not in repr(row.model_dump(exclude={"payload"}))
    return len(messages)
