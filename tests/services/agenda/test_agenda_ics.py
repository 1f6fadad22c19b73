"""ICS export read back with an independent RFC 5545 reader; local times across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.core.errors import InvalidInput
from app.core.i18n import use_locale
from app.services.agenda.ics import (
    IcsItem,
    build_checkin_ics,
    build_ics,
    is_nonexistent,
    to_local,
    to_utc,
)

STAMP = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"


def unfold(raw: bytes) -> list[str]:
    """Undo RFC 5545 line folding: a CRLF followed by one space or tab continues the line."""
    text = raw.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def parse(raw: bytes) -> list[dict[str, object]]:
    """Return components as dicts: name -> (params, value); 'children' for nesting."""
    stack: list[dict[str, object]] = [{"children": []}]
    for line in unfold(raw):
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        if name == "BEGIN":
            node: dict[str, object] = {"type": value, "children": []}
            stack[-1]["children"].append(node)  # type: ignore[attr-defined]
            stack.append(node)
        elif name == "END":
            assert stack.pop()["type"] == value
        else:
            stack[-1][name] = (dict(p.split("=", 1) for p in params), value)
    return stack[0]["children"]  # type: ignore[return-value]


def unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def stamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%dT%H%M%S")


def offset(value: str) -> timedelta:
    sign = -1 if value[0] == "-" else 1
    return sign * timedelta(hours=int(value[1:3]), minutes=int(value[3:5]))


def utc_via_vtimezone(vtimezone: dict[str, object], local: datetime) -> datetime:
    """Resolve a local time with the file's own VTIMEZONE rules (no zoneinfo involved)."""
    rules = sorted(
        (stamp(rule["DTSTART"][1]), offset(rule["TZOFFSETTO"][1]))  # type: ignore[index]
        for rule in vtimezone["children"]  # type: ignore[attr-defined]
        if "RRULE" not in rule
    )
    in_force = [o for start, o in rules if start <= local]
    return (local - in_force[-1]).replace(tzinfo=UTC)


def program(*items: IcsItem) -> bytes:
    return build_ics(
        "Leaders, Oct 2026", "leaders-oct-26", BERLIN, list(items),
        prodid_host="tandem.example.org", dtstamp=STAMP,
    )  # fmt: skip


WALK = IcsItem(
    "agenda-17", "Buddy walk; part 1", "Talk, listen.\nSwap roles.",
    date(2026, 10, 23), time(9), time(10, 30), "Room A",
)  # fmt: skip
DEBRIEF = IcsItem(
    "agenda-18", "Debrief", "", date(2026, 10, 26), time(9), time(9, 45), "Plenary hall"
)


def test_build_ics_writes_calendar_headers_and_crlf_folded_lines() -> None:
    raw = program(WALK, IcsItem("x", "Long", "word " * 60, date(2026, 10, 24), time(9), time(10)))

    calendar = parse(raw)[0]

    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    assert {k: calendar[k][1] for k in ("PRODID", "VERSION", "CALSCALE", "METHOD")} == {  # type: ignore[index]
        "PRODID": "-//tandem.example.org//Tandem//EN",
        "VERSION": "2.0",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
    }
    assert unescape(calendar["X-WR-CALNAME"][1]) == "Leaders, Oct 2026"  # type: ignore[index]
    assert calendar["X-WR-TIMEZONE"][1] == BERLIN  # type: ignore[index]
    assert [c["type"] for c in calendar["children"]] == ["VTIMEZONE", "VEVENT", "VEVENT"]  # type: ignore[attr-defined]


def test_build_ics_events_carry_uid_text_and_tzid_times() -> None:
    event = parse(program(WALK))[0]["children"][1]  # type: ignore[index]

    assert event["UID"][1] == "agenda-17.leaders-oct-26@tandem.example.org"
    assert event["DTSTAMP"][1] == "20261001T120000Z"
    assert event["DTSTART"] == ({"TZID": BERLIN}, "20261023T090000")
    assert event["DTEND"] == ({"TZID": BERLIN}, "20261023T103000")
    assert event["SUMMARY"][0] == {"LANGUAGE": "en"}
    assert unescape(event["SUMMARY"][1]) == "Buddy walk; part 1"
    assert unescape(event["DESCRIPTION"][1]) == "Talk, listen.\nSwap roles."
    assert event["LOCATION"][1] == "Room A"


def test_build_ics_times_round_trip_across_the_october_dst_change() -> None:
    calendar = parse(program(WALK, DEBRIEF))[0]
    vtimezone, *events = calendar["children"]  # type: ignore[attr-defined]

    instants = [utc_via_vtimezone(vtimezone, stamp(e["DTSTART"][1])) for e in events]

    assert vtimezone["TZID"][1] == BERLIN
    assert instants == [
        datetime(2026, 10, 23, 7, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
    ]
    assert instants == [
        to_utc(WALK.day_date, WALK.start, BERLIN),
        to_utc(DEBRIEF.day_date, DEBRIEF.start, BERLIN),
    ]  # type: ignore[arg-type]


def test_build_ics_is_stable_so_reimports_update_rather_than_duplicate() -> None:
    assert program(WALK, DEBRIEF) == program(WALK, DEBRIEF)


def test_build_checkin_ics_writes_all_day_events_without_timezone() -> None:
    checkin = IcsItem("checkin-1", "Buddy check-in", "", date(2026, 12, 1), None, None)

    raw = build_checkin_ics(
        "Ana & Ben", "ana-ben", BERLIN, [checkin], prodid_host="tandem.example.org", dtstamp=STAMP
    )
    calendar = parse(raw)[0]
    event = calendar["children"][0]  # type: ignore[index]

    assert [c["type"] for c in calendar["children"]] == ["VEVENT"]  # type: ignore[attr-defined]
    assert event["DTSTART"] == ({"VALUE": "DATE"}, "20261201")
    assert event["DTEND"] == ({"VALUE": "DATE"}, "20261202")
    assert event["UID"][1] == "checkin-1.ana-ben@tandem.example.org"


def test_build_ics_rejects_events_that_end_before_they_start() -> None:
    bad = IcsItem("x", "Backwards", "", date(2026, 10, 23), time(10), time(9))

    with pytest.raises(InvalidInput) as caught:
        program(bad)

    assert [str(p) for p in caught.value.problems] == [
        "Event x: “Backwards” ends (9:00\u202fAM) before it starts (10:00\u202fAM)."
    ]


def test_build_ics_rejects_an_unknown_timezone() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_ics("C", "c", "Mars/Olympus", [WALK], prodid_host="h")

    assert [str(p) for p in caught.value.problems] == [
        "timezone: Unknown time zone: “Mars/Olympus”."
    ]


def test_to_utc_follows_the_berlin_change_inside_a_programme() -> None:
    assert [to_utc(date(2026, 10, d), time(9), BERLIN) for d in (23, 24, 25, 26)] == [
        datetime(2026, 10, 23, 7, tzinfo=UTC),
        datetime(2026, 10, 24, 7, tzinfo=UTC),
        datetime(2026, 10, 25, 8, tzinfo=UTC),
        datetime(2026, 10, 26, 8, tzinfo=UTC),
    ]


def test_to_utc_follows_the_new_york_change_inside_a_programme() -> None:
    ny = "America/New_York"
    assert [to_utc(date(2026, 10, 31), time(9), ny), to_utc(date(2026, 11, 2), time(9), ny)] == [
        datetime(2026, 10, 31, 13, tzinfo=UTC),
        datetime(2026, 11, 2, 14, tzinfo=UTC),
    ]


def test_to_utc_moves_a_nonexistent_spring_time_forward_by_the_gap() -> None:
    skipped = (date(2026, 3, 29), time(2, 30), BERLIN)

    assert to_utc(*skipped) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert to_local(*skipped).time() == time(3, 30)
    assert is_nonexistent(*skipped) is True
    assert is_nonexistent(date(2026, 3, 29), time(3, 30), BERLIN) is False


def test_to_utc_reads_a_repeated_autumn_time_as_its_first_occurrence() -> None:
    assert to_utc(date(2026, 10, 25), time(2, 30), BERLIN) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_build_ics_declares_the_language_its_texts_are_written_in() -> None:
    raw = build_ics("C", "c", BERLIN, [WALK], prodid_host="h", dtstamp=STAMP, language="de")
    event = parse(raw)[0]["children"][1]  # type: ignore[index]
    assert event["SUMMARY"][0] == {"LANGUAGE": "de"}
    assert event["DESCRIPTION"][0] == {"LANGUAGE": "de"}
    with use_locale("fr"):
        raw = build_ics("C", "c", BERLIN, [WALK], prodid_host="h", dtstamp=STAMP)
    assert parse(raw)[0]["children"][1]["SUMMARY"][0] == {"LANGUAGE": "fr"}  # type: ignore[index]
