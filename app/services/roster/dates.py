"""Roster dates: deciding once per file whether 11/03/2016 means March or November."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from app.core.errors import InvalidInput, Problem
from app.core.i18n import N_, current_language, format_date, gettext
from app.services.roster.values import numeric_readings

DATE_FORMATS: dict[str, str] = {
    "dmy": N_("day/month/year"),
    "mdy": N_("month/day/year"),
}
"""The two orders a numeric date can have, by the name the preview page and CLI use."""

_ALIASES = {
    "dmy": "dmy", "dd/mm/yyyy": "dmy", "d/m/y": "dmy", "day-first": "dmy", "dayfirst": "dmy",
    "mdy": "mdy", "mm/dd/yyyy": "mdy", "m/d/y": "mdy", "month-first": "mdy", "monthfirst": "mdy",
}  # fmt: skip


def parse_date_format(text: str) -> str:
    """Read a CLI ``--date-format`` ("dd/mm/yyyy", "mdy" ...) as "dmy" or "mdy"."""
    found = _ALIASES.get(text.strip().casefold())
    if found is None:
        raise InvalidInput(
            gettext("invalid date format"),
            [
                Problem(
                    f"--date-format {text}", gettext("use dd/mm/yyyy or mm/dd/yyyy"), "date_format"
                )
            ],
        )
    return found


def format_of(day_first: bool) -> str:
    """The DATE_FORMATS key of a day-first flag."""
    return "dmy" if day_first else "mdy"


CHOSEN, FILE, COHORT, UNDECIDED = "chosen", "file", "cohort", "undecided"


@dataclass(frozen=True, slots=True)
class DateCell:
    row: int
    column: int
    text: str


@dataclass(slots=True)
class DateReading:
    """How the file's numeric dates are read, and why.

    ``source`` is CHOSEN (asked for), FILE (a date such as 25/12/2015 can be read one way only),
    COHORT (the choice of this cohort's last import), UNDECIDED (someone has to choose) or ""
    (no date in the file depends on it).
    """

    day_first: bool
    source: str
    evidence: DateCell | None = None
    ambiguous: list[tuple[DateCell, date, date]] = field(default_factory=list)

    @property
    def date_format(self) -> str | None:
        """ "dmy" or "mdy" when the file has a date that depends on it, else None."""
        return format_of(self.day_first) if self.source else None


def decide_date_format(
    cells: Iterable[DateCell], *, today: date, chosen: bool | None, remembered: bool | None
) -> DateReading:
    """Decide day-first or month-first: a choice, else the file's evidence, else the cohort's."""
    proves_day: list[DateCell] = []
    proves_month: list[DateCell] = []
    ambiguous: list[tuple[DateCell, date, date]] = []
    for cell in cells:
        readings = numeric_readings(cell.text, today=today)
        if readings is None:
            continue
        day, month = readings
        if day and month and day != month:
            ambiguous.append((cell, day, month))
        elif day and not month:
            proves_day.append(cell)
        elif month and not day:
            proves_month.append(cell)
    if chosen is not None:
        return DateReading(chosen, CHOSEN, None, ambiguous)
    if proves_day or proves_month:
        # Majority wins; the other side's dates then fail as invalid, each named by its row.
        day_first = len(proves_day) >= len(proves_month)
        evidence = (proves_day if day_first else proves_month)[0]
        return DateReading(day_first, FILE, evidence, ambiguous)
    if not ambiguous:
        return DateReading(True if remembered is None else remembered, "")
    if remembered is not None:
        return DateReading(remembered, COHORT, None, ambiguous)
    return DateReading(True, UNDECIDED, None, ambiguous)


def spell_date(value: date) -> str:
    """11 March 2016 (11. März 2016, 11 mars 2016 ...): a date nobody can read two ways."""
    if current_language() == "en":
        return format_date(value, "d MMMM y")
    return format_date(value, "long")
