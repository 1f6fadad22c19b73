"""Cohorts: create, edit, list what a facilitator may see, and who facilitates them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session, col, select

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import gettext as _
from app.core.i18n import pgettext
from app.models import Cohort, CohortFacilitator, Facilitator, Participant, utcnow
from app.models.base import MAX_DB_ID
from app.models.cohorts import EARLIEST_START, LATEST_START
from app.services.ops import record_event

MAX_DAYS = 14


def slugify(text: str) -> str:
    """A URL-safe slug of ``text`` (ASCII, lower-case, hyphens); never all digits, because
    cohort addresses also accept an id ("/cohorts/2") and a slug must never read as one."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    if slug.isdigit():
        slug = f"cohort-{slug}"
    return slug or "cohort"


def parse_id(ref: str | int) -> int | None:
    """``ref`` as a database id, or None when it cannot be one (not ASCII digits, too big)."""
    if isinstance(ref, int):
        return ref if 1 <= ref <= MAX_DB_ID else None
    if not (ref.isascii() and ref.isdigit()) or len(ref) > 19:
        return None
    value = int(ref)
    return value if 1 <= value <= MAX_DB_ID else None


def _unique_slug(session: Session, base: str) -> str:
    taken = set(session.exec(select(Cohort.slug).where(col(Cohort.slug).startswith(base))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters: PostgreSQL refuses NUL in text outright (SQLite stores it), so both
databases must refuse them here, before either sees them."""


def _validate(
    name: str, days: int, timezone: str, location: str = "", start_date: date | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    if start_date is not None and not EARLIEST_START <= start_date <= LATEST_START:
        problems.append(
            Problem(
                pgettext("form field", "start date"),
                _(
                    "must be between %(earliest)s and %(latest)s",
                    # ISO dates, as the date field takes them.
                    earliest=EARLIEST_START.isoformat(),
                    latest=LATEST_START.isoformat(),
                ),
                "start_date",
            )
        )
    labels = {
        "name": pgettext("form field", "name"),
        "location": pgettext("form field", "location"),
    }
    for field, value in (("name", name), ("location", location)):
        if _CONTROL.search(value):
            problems.append(Problem(labels[field], _("contains control characters"), field))
    if not name.strip():
        problems.append(Problem(labels["name"], _("is required"), "name"))
    elif len(name) > 200:
        problems.append(Problem(labels["name"], _("is longer than 200 characters"), "name"))
    if not 1 <= days <= MAX_DAYS:
        message = _("must be between 1 and %(max)s", max=MAX_DAYS)
        problems.append(Problem(pgettext("form field", "days"), message, "days"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(
                pgettext("form field", "timezone"),
                _("'%(value)s' is not a known time zone (e.g. Europe/Berlin)", value=timezone),
                "timezone",
            )
        )
    return problems


def create_cohort(
    session: Session,
    *,
    name: str,
    start_date: date,
    days: int = 4,
    timezone: str = "UTC",
    location: str = "",
    actor: Facilitator | None = None,
) -> Cohort:
    """Create a draft cohort with a unique slug; its creator (if any) leads it."""
    problems = _validate(name, days, timezone, location, start_date)
    if problems:
        raise InvalidInput(_("the cohort cannot be created"), problems)
    cohort = Cohort(
        name=name.strip(),
        slug=_unique_slug(session, slugify(name)),
        start_date=start_date,
        days=days,
        timezone=timezone,
        location=location.strip(),
    )
    session.add(cohort)
    session.flush()
    assert cohort.id is not None
    if actor is not None and actor.id is not None:
        # Whoever creates a cohort leads it.
        session.add(CohortFacilitator(cohort_id=cohort.id, facilitator_id=actor.id, role="lead"))
    record_event(
        session,
        actor=_actor(actor),
        action="cohort.create",
        object_type="cohort",
        object_id=cohort.id,
        cohort_id=cohort.id,
    )
    session.flush()
    return cohort


def update_cohort(
    session: Session,
    cohort: Cohort,
    *,
    name: str,
    start_date: date,
    days: int,
    timezone: str,
    location: str,
    actor: Facilitator | None = None,
) -> Cohort:
    """Change a cohort's name, dates, time zone or location (the slug stays)."""
    problems = _validate(name, days, timezone, location, start_date)
    if problems:
        raise InvalidInput(_("the cohort cannot be saved"), problems)
    cohort.name = name.strip()
    cohort.start_date = start_date
    cohort.days = days
    cohort.timezone = timezone
    cohort.location = location.strip()
    session.add(cohort)
    record_event(
        session,
        actor=_actor(actor),
        action="cohort.update",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
    )
    return cohort


def list_cohorts(session: Session, *, viewer: Facilitator | None) -> list[Cohort]:
    """Cohorts the viewer may see (all for an admin or the CLI), newest first."""
    query = select(Cohort).order_by(col(Cohort.start_date).desc(), col(Cohort.id).desc())
    if viewer is not None and not viewer.is_admin:
        query = query.join(
            CohortFacilitator, col(CohortFacilitator.cohort_id) == col(Cohort.id)
        ).where(CohortFacilitator.facilitator_id == viewer.id)
    return list(session.exec(query).all())


def get_cohort(session: Session, *, ref: str | int, viewer: Facilitator | None) -> Cohort:
    """A cohort by slug, else by id; NotFound when missing or not the viewer's (no 403: no
    leak). The slug comes first so that a cohort created before slugs avoided digits keeps
    its address."""
    cohort = None
    if isinstance(ref, str):
        cohort = session.exec(select(Cohort).where(Cohort.slug == ref)).first()
    cohort_id = parse_id(ref) if cohort is None else None
    if cohort_id is not None:
        cohort = session.get(Cohort, cohort_id)
    if cohort is None or not may_facilitate(session, viewer=viewer, cohort=cohort):
        raise NotFound(_("no such cohort"))
    return cohort


def may_facilitate(session: Session, *, viewer: Facilitator | None, cohort: Cohort) -> bool:
    """True for an admin, the CLI (no viewer) or a facilitator assigned to the cohort."""
    if viewer is None or viewer.is_admin:
        return True
    return session.get(CohortFacilitator, (cohort.id, viewer.id)) is not None


def assign_facilitator(
    session: Session, *, cohort: Cohort, facilitator: Facilitator, role: str = "lead"
) -> None:
    """Put a facilitator on a cohort's team, unless already there (set-up and tests)."""
    if session.get(CohortFacilitator, (cohort.id, facilitator.id)) is None:
        assert cohort.id is not None
        assert facilitator.id is not None
        session.add(
            CohortFacilitator(cohort_id=cohort.id, facilitator_id=facilitator.id, role=role)
        )
        session.flush()


def count_participants(session: Session, *, cohort: Cohort) -> int:
    """How many people are on the cohort's roster."""
    return len(session.exec(select(Participant.id).where(Participant.cohort_id == cohort.id)).all())


def cohort_end_date(cohort: Cohort) -> date:
    """The last day of the program."""
    return cohort.start_date + timedelta(days=cohort.days - 1)


def known_timezones() -> list[str]:
    """Every IANA time zone name, sorted, for pickers."""
    return sorted(available_timezones())


def _actor(actor: Facilitator | None) -> str:
    return f"facilitator:{actor.id}" if actor is not None else "cli"


def touch(participant: Participant) -> None:
    """Mark a participant row as changed now."""
    participant.updated_at = utcnow()
