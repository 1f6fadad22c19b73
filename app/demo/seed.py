"""The demo: a facilitator account and a realistic, fictional cohort, seeded once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app.demo import read_demo_roster
from app.models import Cohort, Facilitator, Participant
from app.services import accounts, cohorts, roster

DEMO_EMAIL = "demo@tandem.example"
DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105  (printed by `make run`: a public demo)
DEMO_COHORT = "Leadership Intensive (demo)"
DEMO_LANGUAGE = "en"
"""The demo cohort reads English by default; a few participants read their own language."""
DEMO_READERS = {
    "lukas.brandt@ardenvale.example": "de",
    "claire.dubois@ardenvale.example": "fr",
    "diego.fernandez@ardenvale.example": "es",
}
"""Participants who read Tandem in another language than the cohort's (shows languages off:
sign in as one of them on a tablet and it speaks German, French or Spanish)."""


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a four-day intensive runs Monday to Thursday)."""
    return today + timedelta(days=7 - today.weekday())


def seed_demo(session: Session, *, today: date | None = None) -> bool:
    """Create the demo facilitator and cohort unless they exist; True when something was made."""
    if session.exec(select(Cohort).where(Cohort.name == DEMO_COHORT)).first() is not None:
        return False
    user = session.exec(select(Facilitator).where(Facilitator.email == DEMO_EMAIL)).first()
    if user is None:
        user = accounts.create_facilitator(
            session, email=DEMO_EMAIL, name="Demo Facilitator", password=DEMO_PASSWORD, admin=True
        )
    cohort = cohorts.create_cohort(
        session,
        name=DEMO_COHORT,
        start_date=next_monday(today or date.today()),
        days=4,
        timezone="Europe/Amsterdam",
        location="Lakeside Conference Centre, Room Willow",
        actor=user,
    )
    cohort.language = DEMO_LANGUAGE
    session.add(cohort)
    roster.import_roster(session, cohort=cohort, data=read_demo_roster(), actor=user, today=today)
    for person in session.exec(select(Participant).where(Participant.cohort_id == cohort.id)):
        if person.email in DEMO_READERS:
            person.language = DEMO_READERS[person.email]
            session.add(person)
    session.flush()
    return True
