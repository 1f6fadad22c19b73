"""Intake reminders: one mail a day to each participant who has not answered, with a fresh
personal link to the intake, and nothing in it but names, the program, a date and the link."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.policy import default

import pytest
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import Conflict
from app.models import Cohort, OutboxMessage, Participant, SignInLink
from app.services import intake, links
from app.services.intake import IntakeChoices
from app.services.mail import set_reminders, use_mail_settings
from tests.mail_canary import assert_no_canary
from tests.services.tablet.factories import add_participant, make_cohort, make_group

DAY = date(2027, 2, 20)
BASE = "https://tandem.example"


def _cohort(session: Session, settings: Settings) -> tuple[Cohort, list[Participant]]:
    use_mail_settings(settings)
    cohort = make_cohort(session)
    people = [add_participant(session, cohort, n) for n in ("Ana", "Ben", "Cai")]
    people[0].tags = ["finance"]
    session.add_all(people)
    session.commit()
    return cohort, people


def _mails(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.to_address)).all())


def test_each_one_who_has_not_answered_gets_one_reminder_a_day(
    session: Session, settings: Settings
) -> None:
    cohort, (ana, ben, cai) = _cohort(session, settings)
    intake.save_intake(
        session,
        participant=ana,
        choices=IntakeChoices(offers=["finance"], notes={"want-to-learn": "CANARY-7f3a intake"}),
    )
    first = intake.send_intake_reminders(session, cohort=cohort, base_url=BASE, actor="cli", on=DAY)
    again = intake.send_intake_reminders(session, cohort=cohort, base_url=BASE, actor="cli", on=DAY)
    assert (first, again) == (intake.Reminded(2, 0, 0), intake.Reminded(0, 2, 0))
    mails = _mails(session)
    assert [(m.to_address, m.kind, m.participant_id) for m in mails] == [
        (ben.email, "intake_reminder", ben.id),
        (cai.email, "intake_reminder", cai.id),
    ]
    # The second press issued no link: the one in the queued mail still works.
    links = session.exec(select(SignInLink).where(SignInLink.participant_id == ben.id)).all()
    assert len(links) == 1

    next_day = intake.send_intake_reminders(
        session, cohort=cohort, base_url=BASE, actor="cli", on=date(2027, 2, 21)
    )
    assert next_day == intake.Reminded(2, 0, 0)


def test_the_reminder_carries_a_link_to_the_intake_and_nothing_anyone_wrote(
    session: Session, settings: Settings
) -> None:
    cohort, (_, ben, _) = _cohort(session, settings)
    intake.remind_participant(session, cohort=cohort, participant=ben, base_url=BASE, on=DAY)
    [row] = _mails(session)
    assert row.payload is not None
    message = message_from_bytes(row.payload, policy=default)
    assert message["Subject"] == "A few questions before Spring"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hello Ben," in text
    assert "Spring starts on March 1, 2027." in text
    assert f"Answer them here: {BASE}/link/" in text
    assert_no_canary(row.payload)


def test_reminders_respect_the_opt_out_and_stop_when_the_pairs_are_published(
    session: Session, settings: Settings
) -> None:
    cohort, (ana, ben, cai) = _cohort(session, settings)
    set_reminders(session, participant=cai, enabled=False)
    done = intake.send_intake_reminders(session, cohort=cohort, base_url=BASE, actor="cli", on=DAY)
    assert done == intake.Reminded(2, 0, 1)
    # Cai's own link, if any, keeps working: no new one was issued for a mail not sent.
    assert session.exec(select(SignInLink).where(SignInLink.participant_id == cai.id)).all() == []
    make_group(session, cohort, [ana, ben, cai])
    with pytest.raises(Conflict):
        intake.send_intake_reminders(session, cohort=cohort, base_url=BASE, actor="cli", on=DAY)


def test_invitations_open_the_intake_until_the_pairs_are_published(
    session: Session, settings: Settings
) -> None:
    cohort, (ana, ben, cai) = _cohort(session, settings)
    before = links.invitation_landing(session, cohort=cohort)
    make_group(session, cohort, [ana, ben, cai])
    assert (before, links.invitation_landing(session, cohort=cohort)) == ("/intake", "/")
