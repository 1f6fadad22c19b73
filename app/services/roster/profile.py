"""How a cohort's roster files are read: the choices of one upload, remembered per cohort.

Re-importing the file a cohort was built from must change nothing, so the column mapping, the
date order and a chosen encoding of the last applied import are kept and used again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from app.core.errors import InvalidInput, Problem
from app.core.i18n import gettext
from app.models import Cohort, RosterImport, RosterProfile, utcnow
from app.services.roster.columns import IGNORE
from app.services.roster.csv_file import ParsedRoster
from app.services.roster.dates import parse_date_format
from app.services.roster.text import CHOSEN, ENCODINGS, GUESSED, REMEMBERED

DATE_ORDER = {"dmy": True, "mdy": False}
"""DATE_FORMATS key -> parse_roster's day_first."""


@dataclass(frozen=True, slots=True)
class ReadingChoices:
    """What the facilitator decided for one file: date order and encoding ("" = not decided)."""

    date_format: str = ""
    encoding: str = ""


def checked_choices(*, date_format: str | None, encoding: str | None) -> ReadingChoices:
    """Validate a date format ("dmy", "dd/mm/yyyy" ...) and an encoding; InvalidInput if wrong."""
    problems: list[Problem] = []
    fmt = ""
    if date_format:
        try:
            fmt = parse_date_format(date_format)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    name = (encoding or "").strip().lower().replace("windows-", "cp")
    if name and name not in ENCODINGS:
        known = ", ".join(ENCODINGS)
        problems.append(
            Problem(
                gettext("encoding %(encoding)s", encoding=encoding),
                gettext("is not an encoding we read; use one of %(known)s", known=known),
            )
        )
    if problems:
        raise InvalidInput(gettext("the reading choices are not valid"), problems)
    return ReadingChoices(fmt, name)


def get_profile(session: Session, *, cohort: Cohort) -> RosterProfile | None:
    """The cohort's remembered reading, or None before its first import."""
    return session.get(RosterProfile, cohort.id)


def parse_options(
    profile: RosterProfile | None, choices: ReadingChoices
) -> dict[str, bool | str | Mapping[str, str] | None]:
    """Keyword arguments for parse_roster from this upload's choices and the cohort's memory."""
    return {
        "day_first": DATE_ORDER.get(choices.date_format),
        "encoding": choices.encoding or None,
        "remembered": dict(profile.mapping) if profile else None,
        "remembered_day_first": DATE_ORDER.get(profile.date_format) if profile else None,
        "remembered_encoding": (profile.encoding or None) if profile else None,
    }


def set_pending_choices(
    session: Session, *, pending: RosterImport, date_format: str | None, encoding: str | None
) -> RosterImport:
    """Record the date format and/or encoding chosen for a stored upload (None keeps it)."""
    choices = checked_choices(date_format=date_format, encoding=encoding)
    if date_format is not None:
        pending.date_format = choices.date_format
    if encoding is not None:
        pending.encoding = choices.encoding
    session.add(pending)
    session.flush()
    return pending


def remember_reading(
    session: Session, *, cohort: Cohort, parsed: ParsedRoster, explicit: Mapping[str, str]
) -> RosterProfile:
    """Keep how an applied file was read, for the cohort's next import."""
    assert cohort.id is not None
    profile = get_profile(session, cohort=cohort) or RosterProfile(cohort_id=cohort.id)
    ignored = {header: IGNORE for header, target in explicit.items() if target == IGNORE}
    profile.mapping = {**ignored, **parsed.mapping}
    if parsed.date_format:
        profile.date_format = parsed.date_format
    if parsed.encoding_status in (CHOSEN, REMEMBERED, GUESSED):
        profile.encoding = parsed.encoding
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    return profile
