"""Boring factories for tablet tests: a cohort with its program, people, and buddy groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.models import BuddyGroup, BuddyMember, Cohort, Participant, Person, utcnow
from app.services.cohorts import service as cohorts
from app.services.library import program


def make_cohort(session: Session, name: str = "Spring") -> Cohort:
    cohort = cohorts.create_cohort(session, name=name, start_date=date(2027, 3, 1))
    program.bind_program(session, cohort=cohort, library=program.current_library([SHIPPED_LIBRARY]))
    return cohort


def add_participant(session: Session, cohort: Cohort, name: str) -> Participant:
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


def make_group(
    session: Session, cohort: Cohort, members: list[Participant], state: str = "published"
) -> BuddyGroup:
    assert cohort.id is not None
    group = BuddyGroup(
        cohort_id=cohort.id,
        state=state,
        published_at=utcnow(),
        participant_reasons=["You both lead teams across regions"],
    )
    session.add(group)
    session.flush()
    assert group.id is not None
    for p in members:
        assert p.id is not None
        session.add(BuddyMember(group_id=group.id, participant_id=p.id))
    session.flush()
    return group


@dataclass
class World:
    cohort: Cohort
    ana: Participant
    ben: Participant
    """Ana's buddy."""
    cai: Participant
    """Same cohort, not Ana's buddy."""
    dan: Participant
    """Cai's buddy."""
    eve: Participant
    """Another cohort."""
    group: BuddyGroup
    other_group: BuddyGroup


def make_world(session: Session) -> World:
    cohort = make_cohort(session)
    ana, ben, cai, dan = (add_participant(session, cohort, n) for n in ("Ana", "Ben", "Cai", "Dan"))
    other = make_cohort(session, "Autumn")
    eve = add_participant(session, other, "Eve")
    group = make_group(session, cohort, [ana, ben])
    other_group = make_group(session, cohort, [cai, dan])
    session.commit()
    return World(cohort, ana, ben, cai, dan, eve, group, other_group)
