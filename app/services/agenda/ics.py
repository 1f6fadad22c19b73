"""iCalendar export of an agenda (or any dated events) and local-time conversion."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.core.errors import InvalidInput, Problem
from app.core.i18n import _, current_language, format_time


@dataclass(frozen=True, slots=True)
class IcsItem:
    """One calendar event; no start and end makes it an all-day event on ``day_date``."""

    uid_key: str
    title: str
    description: str
    day_date: date
    start: time | None
    end: time | None
    location: str = ""
    sequence: int = 0
    attendees: tuple[tuple[str, str], ...] = ()
    """(name, e-mail) of each person invited, for an invitation (``method="REQUEST"``)."""
    organizer: tuple[str, str] | None = None


def load_zone(tz_name: str) -> ZoneInfo:
    """Return the IANA timezone, or raise InvalidInput naming it."""
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        problem = Problem(
            "timezone", _("Unknown time zone: “%(zone)s”.", zone=tz_name[:60]), "timezone"
        )
        raise InvalidInput(_("unknown timezone"), [problem]) from error


def to_local(day_date: date, local_time: time, tz_name: str) -> datetime:
    """Return the aware local datetime a wall-clock time on ``day_date`` really denotes.

    A time that falls in a spring-forward gap (02:30 when clocks jump from 02:00 to 03:00) is
    read with the offset in force before the change, so it lands as many minutes past the jump
    as it was past the old hour (02:30 -> 03:30); a repeated autumn time means its first
    occurrence (summer time).
    """
    zone = load_zone(tz_name)
    naive = datetime.combine(day_date, local_time.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def to_utc(day_date: date, local_time: time, tz_name: str) -> datetime:
    """Return the UTC instant of a wall-clock time on ``day_date`` in the cohort's timezone."""
    return to_local(day_date, local_time, tz_name).astimezone(UTC)


def is_nonexistent(day_date: date, local_time: time, tz_name: str) -> bool:
    """Return whether the wall-clock time is skipped by a spring-forward change that day."""
    shown = to_local(day_date, local_time, tz_name)
    return (shown.date(), shown.time()) != (day_date, local_time.replace(tzinfo=None, fold=0))


def build_ics(
    cohort_name: str,
    cohort_slug: str,
    tz_name: str,
    items: Sequence[IcsItem],
    *,
    prodid_host: str,
    dtstamp: datetime | None = None,
    language: str | None = None,
    method: str = "PUBLISH",
) -> bytes:
    """Return an RFC 5545 calendar (CRLF, folded lines) with a VTIMEZONE and one VEVENT per item.

    The event texts are written by the caller in its reader's language (build them inside
    ``use_locale``); each SUMMARY and DESCRIPTION declares that ``language`` (default: the
    current one), so calendar apps and screen readers know how to read them.
    """
    zone = load_zone(tz_name)
    lang = language or current_language()
    problems = [
        Problem(_("Event %(event)s", event=item.uid_key), message, "end")
        for item in items
        if (message := _item_problem(item))
    ]
    if problems:
        raise InvalidInput(_("the calendar cannot be built"), problems)
    stamp = (dtstamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    host = _token(prodid_host) or "tandem.invalid"
    from icalendar import Calendar, Event, Timezone

    calendar = Calendar()
    calendar.add("prodid", f"-//{host}//Tandem//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", cohort_name)
    calendar.add("x-wr-timezone", tz_name)
    if any(item.start is not None for item in items):
        # The VTIMEZONE only needs to cover the events; Outlook ignores TZID without one.
        first = min(item.day_date for item in items) - timedelta(days=7)
        last = max(item.day_date for item in items) + timedelta(days=7)
        calendar.add_component(Timezone.from_tzid(tz_name, first_date=first, last_date=last))
    slug = _token(cohort_slug)
    for item in items:
        event = Event()
        event.add("uid", f"{_token(item.uid_key)}.{slug}@{host}")
        event.add("dtstamp", stamp)
        if item.start is None or item.end is None:
            event.add("dtstart", item.day_date)
            event.add("dtend", item.day_date + timedelta(days=1))
        else:
            event.add("dtstart", to_local(item.day_date, item.start, tz_name).astimezone(zone))
            event.add("dtend", to_local(item.day_date, item.end, tz_name).astimezone(zone))
        event.add("summary", item.title, parameters={"LANGUAGE": lang})
        if item.description:
            event.add("description", item.description, parameters={"LANGUAGE": lang})
        if item.location:
            event.add("location", item.location)
        event.add("sequence", item.sequence)
        _add_people(event, item)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _add_people(event: object, item: IcsItem) -> None:
    from icalendar import Event, vCalAddress

    assert isinstance(event, Event)
    if item.organizer is not None:
        name, email = item.organizer
        event.add("organizer", vCalAddress(f"mailto:{email}"), parameters={"CN": name})
    for name, email in item.attendees:
        event.add(
            "attendee",
            vCalAddress(f"mailto:{email}"),
            parameters={"CN": name, "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"},
        )


def build_checkin_ics(
    pair_name: str,
    pair_slug: str,
    tz_name: str,
    items: Sequence[IcsItem],
    *,
    prodid_host: str,
    dtstamp: datetime | None = None,
    language: str | None = None,
    method: str = "PUBLISH",
) -> bytes:
    """Return the calendar of a pair's check-ins after the programme (same format as agendas);
    ``method="REQUEST"`` makes it an invitation that replaces the event of the same UID in
    the reader's calendar when its SEQUENCE is higher."""
    return build_ics(
        pair_name,
        pair_slug,
        tz_name,
        items,
        prodid_host=prodid_host,
        dtstamp=dtstamp,
        language=language,
        method=method,
    )


def _item_problem(item: IcsItem) -> str:
    if (item.start is None) != (item.end is None):
        return _("“%(title)s” needs both a start and an end time, or neither.", title=item.title)
    if item.start is not None and item.end is not None and item.end <= item.start:
        return _(
            "“%(title)s” ends (%(end)s) before it starts (%(start)s).",
            title=item.title,
            end=format_time(item.end),
            start=format_time(item.start),
        )
    return ""


def _token(text: str) -> str:
    """Keep UIDs and PRODID free of spaces and characters some clients mangle."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip("-")
