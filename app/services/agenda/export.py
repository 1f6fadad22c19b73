"""The agenda as iCalendar: one calendar per cohort, and one per participant naming the buddy."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.errors import NotFound
from app.core.i18n import current_language, format_list, normalise_language, use_locale
from app.core.i18n import gettext as _
from app.models import BuddyGroup, BuddyMember, Cohort, Participant
from app.services.agenda.ics import IcsItem, build_ics
from app.services.agenda.store import day_date, follow_version, load_days, load_items


def _host() -> str:
    return urlsplit(get_settings().base_url).hostname or "tandem.invalid"


def agenda_ics_items(session: Session, *, cohort: Cohort, buddy_names: str = "") -> list[IcsItem]:
    """Return every exercise and block of the agenda as calendar events."""
    assert cohort.id is not None
    sequence = follow_version(session, cohort_id=cohort.id)
    events = []
    for d in load_days(session, cohort=cohort):
        for b in d.breaks:
            events.append(
                IcsItem(
                    uid_key=f"day{d.day}-{b.start:%H%M}-{b.kind}",
                    title=b.title,
                    description="",
                    day_date=d.date,
                    start=b.start,
                    end=b.end,
                    location=cohort.location,
                    sequence=sequence,
                )
            )
    for item in load_items(session, cohort=cohort):
        spec, placed = item.bound.shown_in(current_language()), item.placed
        description = spec.summary
        if buddy_names and spec.kind == "pair":
            description += "\n\n" + _("With %(names)s.", names=buddy_names)
        events.append(
            IcsItem(
                uid_key=spec.id,
                title=spec.title,
                description=description,
                day_date=day_date(cohort, placed.day),
                start=placed.start,
                end=placed.end,
                location=cohort.location,
                sequence=sequence,
            )
        )
    events.sort(key=lambda e: (e.day_date, e.start, e.uid_key))
    return events


def build_cohort_ics(session: Session, *, cohort: Cohort, dtstamp: datetime | None = None) -> bytes:
    """Return the cohort's agenda as an iCalendar file in the cohort's timezone and language."""
    with use_locale(cohort.language):
        items = agenda_ics_items(session, cohort=cohort)
        return build_ics(
            cohort.name, cohort.slug, cohort.timezone, items, prodid_host=_host(), dtstamp=dtstamp
        )


def buddy_names_of(session: Session, *, participant: Participant) -> str:
    """Return the names of the participant's published buddies, joined for a sentence."""
    groups = select(BuddyMember.group_id).where(BuddyMember.participant_id == participant.id)
    names = session.exec(
        select(Participant.name)
        .join(BuddyMember, col(BuddyMember.participant_id) == col(Participant.id))
        .join(BuddyGroup, col(BuddyGroup.id) == col(BuddyMember.group_id))
        .where(
            col(BuddyMember.group_id).in_(groups),
            BuddyGroup.state == "published",
            Participant.id != participant.id,
        )
        .order_by(col(Participant.name))
    ).all()
    return format_list(list(names))


def build_participant_ics(
    session: Session,
    *,
    cohort: Cohort,
    participant: Participant,
    dtstamp: datetime | None = None,
) -> bytes:
    """Return one participant's agenda calendar in their language; pair exercises name the
    published buddy."""
    if participant.cohort_id != cohort.id:
        raise NotFound(_("no such participant in this cohort"))
    with use_locale(normalise_language(participant.language) or cohort.language):
        buddies = buddy_names_of(session, participant=participant)
        items = agenda_ics_items(session, cohort=cohort, buddy_names=buddies)
        return build_ics(
            f"{cohort.name} - {participant.name}",
            f"{cohort.slug}-p{participant.id}",
            cohort.timezone,
            items,
            prodid_host=_host(),
            dtstamp=dtstamp,
        )
