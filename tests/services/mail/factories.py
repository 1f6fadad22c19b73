"""Boring factories for mail tests: a cohort without a program, and its people."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.models import Cohort, Participant, Person
from app.services.cohorts import service as cohorts


def make_participant(
    session: Session, name: str = "Ana", cohort: Cohort | None = None
) -> Participant:
    cohort = cohort or cohorts.create_cohort(session, name="Mail", start_date=date(2027, 3, 1))
    email = f"{name.lower()}.{cohort.slug}@example.com"
    person = Person(email=email, name=name)
    session.add(person)
    session.flush()
    assert person.id is not None
    assert cohort.id is not None
    participant = Participant(cohort_id=cohort.id, person_id=person.id, name=name, email=email)
    session.add(participant)
    session.flush()
    return participant
