"""A room of tablets for the server benchmarks (autosave, load): one cohort's text prompts and
a signed-in participant session per simulated tablet."""

from __future__ import annotations

import socket
from collections.abc import Collection

from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.models import Cohort, Participant, Person
from app.services import accounts, library


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seat_tablets(
    session: Session, cohort: Cohort, *, exercises: Collection[str], count: int, hours: int
) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """Bind the shipped program to ``cohort`` and sign ``count`` new participants in.

    Returns ``(participant id, session token)`` per tablet and the ``(exercise, prompt)`` text
    prompts of ``exercises`` that the tablets write into.
    """
    assert cohort.id is not None
    bound = library.bind_program(
        session, cohort=cohort, library=library.current_library([SHIPPED_LIBRARY])
    )
    prompts = [
        (b.spec.id, p.id)
        for b in bound
        if b.spec.id in exercises
        for p in b.spec.prompts
        if p.type in ("long_text", "short_text")
    ]
    tablets = []
    for i in range(count):
        person = Person(email=f"tablet{i}@example.com", name=f"Tablet {i}")
        session.add(person)
        session.flush()
        assert person.id is not None
        participant = Participant(
            cohort_id=cohort.id, person_id=person.id, name=person.name, email=person.email
        )
        session.add(participant)
        session.flush()
        assert participant.id is not None
        token = accounts.start_session(session, hours=hours, participant_id=participant.id).token
        tablets.append((participant.id, token))
    return tablets, prompts
