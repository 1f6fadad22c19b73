"""Roster cell values: cleaning, e-mails, lists, names, tenure and the date formats HR uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from app.core.i18n import gettext

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet evaluate a cell (OWASP CSV injection)."""

MAX_TENURE_YEARS = 70.0
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_ITEM_SPLIT_RE = re.compile(r"[,;/|]")
_EMAIL_RE = re.compile(r"^[^\s@\"(),:;<>\[\]\\]+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,}$")
_ANGLE_RE = re.compile(r"<([^<>]*)>$")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?Z?)?"
_ISO_RE = re.compile(rf"^(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}$")
_NUMERIC_RE = re.compile(rf"^(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$")
_DAY_MONTH_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s./-]*([A-Za-z]+)\.?[\s,./-]*(\d{4})$")
_MONTH_DAY_RE = re.compile(r"^([A-Za-z]+)\.?[\s-]*(\d{1,2})(?:st|nd|rd|th)?,?[\s-]*(\d{4})$")
_YEARS_RE = re.compile(r"^(\d{1,3}(?:[.,]\d+)?)\s*(?:y|yr|yrs|year|years)?$", re.IGNORECASE)


def clean_cell(raw: str) -> str:
    """Trim a cell and drop the apostrophe our export puts before a formula character."""
    text = raw.strip().strip(_INVISIBLE).strip()
    # A leading apostrophe before = + - @ is the OWASP guard (ours or a spreadsheet's),
    # never part of the value, so removing it makes export -> import round-trip.
    if text.startswith("'") and _is_guarded(text[1:]):
        text = text[1:].strip()
    return text


def guard_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would evaluate with an apostrophe."""
    # Values that already look guarded ("'=x") get one more apostrophe, so that import,
    # which removes exactly one, gives back what was exported.
    return f"'{value}" if _is_guarded(value) else value


def _is_guarded(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def collapse_text(text: str) -> str:
    """NFC-normalise and collapse runs of whitespace to single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_email(text: str) -> str:
    """Lowercase an address after NFKC, accepting "Name <addr>" and "mailto:" forms."""
    value = unicodedata.normalize("NFKC", text).strip().strip(_INVISIBLE)
    match = _ANGLE_RE.search(value)
    if match:
        value = match.group(1).strip()
    if value.casefold().startswith("mailto:"):
        value = value[len("mailto:") :].strip()
    return value.lower()


def is_email(address: str) -> bool:
    """Tell whether a normalised address is a plausible single mailbox."""
    local = address.partition("@")[0]
    return (
        len(address) <= 254
        and _EMAIL_RE.match(address) is not None
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in address
    )


def split_items(text: str) -> list[str]:
    """Split a list cell on , ; / | and drop blanks and case-insensitive repeats."""
    items: list[str] = []
    seen: set[str] = set()
    for part in _ITEM_SPLIT_RE.split(text):
        item = collapse_text(part)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


def name_key(name: str) -> str:
    """Key used to find a manager by name: NFKC, casefolded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_keys(name: str) -> list[str]:
    """Keys a manager name may match: as written, and "Last, First" read as "First Last"."""
    keys = [name_key(name)]
    last, comma, first = name.partition(",")
    if comma and "," not in first and first.strip() and last.strip():
        keys.append(name_key(f"{first} {last}"))
    return keys


_NUMBERISH_RE = re.compile(r"^[+\-][\d\s.,()\-]*$")


def looks_like_formula(value: str) -> bool:
    """Tell whether a spreadsheet would evaluate a cell ("=HYPERLINK(...)", "@SUM(A1)")."""
    if len(value) < 2 or not value.startswith(FORMULA_TRIGGERS):
        return False
    # "-", "--" or "+44 20 7946" are placeholders and numbers, not formulas.
    return not (value[0] in "+-" and _NUMBERISH_RE.match(value))


def numeric_readings(text: str, *, today: date) -> tuple[date | None, date | None] | None:
    """For 11/03/2016-style text, the day-first and month-first dates (None where invalid).

    Returns None when the text is not a numeric day/month date at all (ISO, "12 Mar 2019").
    """
    if not _NUMERIC_RE.match(text.strip()):
        return None
    readings: list[date | None] = []
    for day_first in (True, False):
        try:
            readings.append(parse_date(text, day_first=day_first, today=today))
        except ValueError:
            readings.append(None)
    return readings[0], readings[1]


def infer_day_first(values: Iterable[str]) -> bool | None:
    """Decide from a column whether 03/04/2019-style dates put the day first (None: no clue)."""
    day_first = month_first = 0
    for value in values:
        match = _NUMERIC_RE.match(value.strip())
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12 >= second:
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
    if day_first == month_first == 0:
        return None
    return day_first >= month_first


def parse_date(text: str, *, day_first: bool, today: date) -> date | None:
    """Read ISO, d/m/Y or m/d/Y (per ``day_first``) and "12 Mar 2019" dates; None if not a date.

    Raises ValueError when the text has a date's shape but names no real day.
    """
    value = text.strip()
    if match := _ISO_RE.match(value):
        parts = (int(match.group(1)), int(match.group(3)), int(match.group(4)))
    elif match := _NUMERIC_RE.match(value):
        first, second = int(match.group(1)), int(match.group(3))
        day, month = (first, second) if day_first else (second, first)
        parts = (_full_year(match.group(4), today), month, day)
    elif match := _DAY_MONTH_RE.match(value):
        parts = (int(match.group(3)), _month(match.group(2)), int(match.group(1)))
    elif match := _MONTH_DAY_RE.match(value):
        parts = (int(match.group(3)), _month(match.group(1)), int(match.group(2)))
    else:
        return None
    try:
        return date(*parts)
    except ValueError:
        if day_first:
            message = gettext(
                "'%(value)s' is not a valid date (read as day/month/year)", value=value
            )
        else:
            message = gettext(
                "'%(value)s' is not a valid date (read as month/day/year)", value=value
            )
        raise ValueError(message) from None


def _month(name: str) -> int:
    # 0 is not a month, so date() rejects an unknown month name with the usual message.
    return _MONTHS.get(name.casefold(), 0)


def _full_year(digits: str, today: date) -> int:
    year = int(digits)
    if len(digits) == 4:
        return year
    century = today.year - today.year % 100
    return century + year if century + year <= today.year else century - 100 + year


def parse_tenure(text: str, *, today: date, day_first: bool) -> tuple[float, date | None]:
    """Read years ("3.5", "3,5", "4 years") or a hire date into (years, hire date or None).

    Raises ValueError with a message for the user when the value is neither or implausible.
    """
    if match := _YEARS_RE.match(text.strip()):
        years = float(match.group(1).replace(",", "."))
        if years > MAX_TENURE_YEARS:
            raise ValueError(gettext("a tenure of %(value)s is not plausible", value=text.strip()))
        return years, None
    hired = parse_date(text, day_first=day_first, today=today)
    if hired is None:
        if text.strip().startswith("-"):
            raise ValueError(gettext("tenure cannot be negative"))
        raise ValueError(
            gettext(
                "'%(value)s' is neither a number of years nor a date "
                "(e.g. 3.5, 2019-03-12, 12/03/2019, 12 Mar 2019)",
                value=text.strip(),
            )
        )
    if hired > today:
        raise ValueError(gettext("hire date %(date)s is in the future", date=hired.isoformat()))
    years = round((today - hired).days / 365.25, 2)
    if years > MAX_TENURE_YEARS:
        raise ValueError(gettext("hire date %(date)s is not plausible", date=hired.isoformat()))
    return years, hired
