"""Which language a participant reads: their own, else their cohort's default."""

from __future__ import annotations

from sqlmodel import Session

from app.core.errors import InvalidInput, Problem
from app.core.i18n import LANGUAGE_NAMES, SOURCE_LANGUAGE, _, normalise_language
from app.models import Cohort, Participant
from app.services.ops import record_event


def language_of(participant: Participant, cohort: Cohort | None) -> str:
    """The participant's language, else the cohort's, else the source language."""
    return (
        normalise_language(participant.language)
        or normalise_language(cohort.language if cohort else None)
        or SOURCE_LANGUAGE
    )


def participant_language(session: Session, participant: Participant) -> str:
    """The language this participant reads Tandem in (pages, calendars, exercises)."""
    return language_of(participant, session.get(Cohort, participant.cohort_id))


def set_participant_language(session: Session, *, participant: Participant, language: str) -> str:
    """Save the language a participant picked on the tablet; an unknown code changes nothing."""
    code = (language or "").strip()
    if code not in LANGUAGE_NAMES:
        names = ", ".join(LANGUAGE_NAMES.values())
        raise InvalidInput(
            _("unknown language"),
            [
                Problem(
                    "language",
                    _("Choose one of the languages offered: %(names)s.", names=names),
                    "language",
                )
            ],
        )
    if participant.language != code:
        participant.language = code
        session.add(participant)
        session.flush()
        record_event(
            session,
            actor=f"participant:{participant.id}",
            action="participant.language",
            object_type="participant",
            object_id=participant.id or "",
            cohort_id=participant.cohort_id,
            detail={"language": code},
        )
    return code
