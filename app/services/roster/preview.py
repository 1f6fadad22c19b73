"""What the import preview shows: how every column of every row was read, and the choices left.

Plain data for the page (and tests); the template only lays it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from babel import numbers

from app.core.i18n import LANGUAGE_NAMES, N_, gettext, locale
from app.services.roster.columns import FIELDS, IGNORE
from app.services.roster.csv_file import ParsedRoster, RosterRow
from app.services.roster.dates import CHOSEN, COHORT, DATE_FORMATS, FILE, UNDECIDED, spell_date
from app.services.roster.encoding import (
    EncodingOption,
    encoding_label,
    encoding_note,
    encoding_options,
)
from app.services.roster.text import SURE

# Which table column shows each field a file can feed; first_name etc. all make the name.
# Translators: column headings of the roster import preview.
_SHOWN = (
    ("name", N_("Name and e-mail"), ("name", "first_name", "preferred_name", "last_name", "email")),
    ("title", N_("Title"), ("title",)),
    ("level", N_("Level"), ("level",)),
    ("function", N_("Function"), ("function",)),
    ("region", N_("Region"), ("region",)),
    ("tenure", N_("Hire date, tenure"), ("hire_date", "tenure")),
    ("manager", N_("Manager"), ("manager",)),
    ("languages", N_("Languages"), ("languages",)),
    ("language", N_("Reads Tandem in"), ("language",)),
    ("tags", N_("Tags"), ("tags",)),
    ("conflict_group", N_("Conflict group"), ("conflict_group",)),
    ("avoid", N_("Never pair with"), ("avoid",)),
)


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    detail: str = ""
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class RowView:
    row_number: int
    cells: list[Cell]
    warned: bool = False


@dataclass(slots=True)
class PreviewView:
    """The preview page's content besides the changes: the read rows and the open choices."""

    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    mapping: list[tuple[str, str]] = field(default_factory=list)
    """(header, field or "ignore") for every column of the file."""
    encoding_note: str = ""
    encoding_options: list[EncodingOption] = field(default_factory=list)
    date_note: str = ""
    date_options: list[tuple[str, str, bool]] = field(default_factory=list)
    """(value, label, selected) when some date reads differently by the order."""


def describe_preview(parsed: ParsedRoster) -> PreviewView:
    """Lay out how a parsed file was read, for the preview page."""
    view = PreviewView()
    read = set(parsed.fields_read) | {"email"}
    view.columns = [(key, gettext(label)) for key, label, feeds in _SHOWN if read & set(feeds)]
    names = {row.email: row.name for row in parsed.rows}
    ambiguous = parsed.ambiguous_rows if _undecided(parsed) else {}
    warned = {_row_of(p.where) for p in parsed.warnings}
    for row in parsed.rows:
        cells = [_cell(key, row, names, ambiguous.get(row.row_number)) for key, _ in view.columns]
        view.rows.append(RowView(row.row_number, cells, row.row_number in warned))
    if not parsed.encoding_samples or parsed.mapping:
        # Until the encoding is settled no column was matched: offering "leave out" for all
        # of them would be wrong.
        view.mapping = [(h, parsed.mapping.get(h, IGNORE)) for h in parsed.headers if h]
    if parsed.encoding_status != SURE:
        view.encoding_note = encoding_note(parsed.encoding, parsed.encoding_status)
        view.encoding_options = encoding_options(parsed.encoding_samples)
    elif parsed.encoding:
        label = encoding_label(parsed.encoding.removesuffix("-sig"))
        view.encoding_note = gettext("Read as %(encoding)s.", encoding=label)
    _describe_dates(view, parsed)
    return view


def reading_lines(parsed: ParsedRoster) -> list[str]:
    """How the file was read, in the lines the command line prints."""
    view = PreviewView()
    _describe_dates(view, parsed)
    note = encoding_note(parsed.encoding, parsed.encoding_status) if parsed.encoding else ""
    return [line for line in (note, view.date_note) if line]


def field_choices() -> list[tuple[str, str]]:
    """The targets a column may be mapped to, "ignore" first."""
    return [(IGNORE, gettext("(leave out)"))] + [
        (name, f"{name} \u2014 {gettext(text)}") for name, text in FIELDS.items() if name != IGNORE
    ]


def _undecided(parsed: ParsedRoster) -> bool:
    return parsed.dates is not None and parsed.dates.source == UNDECIDED


def _describe_dates(view: PreviewView, parsed: ParsedRoster) -> None:
    dates = parsed.dates
    if dates is None or not dates.source:
        return
    order = gettext(DATE_FORMATS[dates.date_format or "dmy"])
    if dates.source == CHOSEN:
        view.date_note = gettext("Dates are read %(order)s, as you chose.", order=order)
    elif dates.source == FILE and dates.evidence:
        view.date_note = gettext(
            "Dates are read %(order)s: row %(row)s has \u201c%(value)s\u201d, which can only "
            "be read that way.",
            order=order,
            row=dates.evidence.row,
            value=dates.evidence.text,
        )
    elif dates.source == COHORT:
        view.date_note = gettext(
            "Dates are read %(order)s, as chosen for this cohort's last import.", order=order
        )
    else:
        view.date_note = gettext(
            "Some dates can be read two ways: choose how this file writes dates."
        )
    if not dates.ambiguous:
        return
    cell, day, month = dates.ambiguous[0]
    selected = None if dates.source == UNDECIDED else dates.date_format
    view.date_options = [
        (
            "dmy",
            gettext("day/month/year: %(value)s is %(date)s", value=cell.text, date=spell_date(day)),
            selected == "dmy",
        ),
        (
            "mdy",
            gettext(
                "month/day/year: %(value)s is %(date)s", value=cell.text, date=spell_date(month)
            ),
            selected == "mdy",
        ),
    ]


def _cell(key: str, row: RosterRow, names: dict[str, str], unsure_date: str | None) -> Cell:
    if key == "name":
        return Cell(row.name, row.email)
    if key == "tenure":
        if unsure_date is not None:
            return Cell(unsure_date, gettext("day or month first?"), flagged=True)
        if row.hire_date is not None:
            return Cell(spell_date(row.hire_date), _years(row.tenure_years))
        return Cell(_years(row.tenure_years) or "\u2014")
    if key == "manager":
        if not row.manager_email:
            return Cell("\u2014")
        name = names.get(row.manager_email)
        if name:
            return Cell(name, row.manager_email)
        return Cell(row.manager_email, gettext("not in the file"))
    if key == "language":
        return Cell(LANGUAGE_NAMES.get(row.language or "", "\u2014"), row.language or "")
    if key == "avoid":
        return Cell(", ".join(names.get(a, a) for a in row.avoid) or "\u2014")
    value = getattr(row, key)
    if isinstance(value, tuple):
        return Cell(", ".join(value) or "\u2014")
    return Cell(value or "\u2014")


def _years(value: float | None) -> str:
    if value is None:
        return ""
    years = numbers.format_decimal(value, format="0.0", locale=locale())
    return gettext("%(years)s years", years=years)


def _row_of(where: str) -> int:
    # "row 4, column Email" in any language: the first number is the row.
    found = re.search(r"\d+", where)
    return int(found.group()) if found else 0
