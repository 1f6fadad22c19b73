"""Roster CSV import and export: read a messy HR export into checked rows, write ours back.

Import never writes anything: it returns every sound row and every problem, each located by
the row a spreadsheet shows (the header is row 1) and the file's own column header. A roster
is usable only when ``problems`` is empty; applying it to a cohort is the caller's business.

Formula guard: export prefixes cells starting with = + - @ TAB or CR with an apostrophe (OWASP
CSV injection); import removes an apostrophe found before one of those characters, so our own
export reads back unchanged and values guarded by a spreadsheet read back clean.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from app.core.errors import InvalidInput, Problem
from app.core.i18n import format_number, gettext, ngettext
from app.services.roster.columns import (
    FIELDS,
    ColumnPlan,
    header_key,
    merge_mappings,
    parse_mapping_args,
    plan_columns,
    suggest_field,
)
from app.services.roster.dates import UNDECIDED as DATE_UNDECIDED
from app.services.roster.dates import DateCell, DateReading, decide_date_format, spell_date
from app.services.roster.encoding import encoding_problems, encoding_warning, guessed_samples
from app.services.roster.rows import (
    MAX_FIELD_CHARS,
    MAX_LIST_CHARS,
    RosterRow,
    RowReader,
    cell_where,
)
from app.services.roster.text import (
    SURE,
    Decoded,
    RecordError,
    UnreadableFile,
    decode_roster,
    read_records,
    readable,
    sniff_delimiter,
)
from app.services.roster.values import clean_cell, guard_formula, split_items

__all__ = [
    "EXPORT_HEADER",
    "FIELDS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_LIST_CHARS",
    "MAX_ROWS",
    "ParsedRoster",
    "RosterRow",
    "detect_columns",
    "export_roster_csv",
    "parse_mapping_args",
    "parse_roster",
    "parse_roster_or_raise",
]

# An organisation-wide roster: 20,000 people at about 250 bytes a row stays under 8 MiB.
# Both limits bound what one import holds in memory (the file, its rows, their checks).
MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
EXPORT_HEADER = (
    "name", "email", "title", "level", "function", "region", "hire_date", "tenure_years",
    "manager_email", "languages", "tags", "avoid", "conflict_group", "language",
)  # fmt: skip
"""Our canonical header: one column per RosterRow field, each one an import alias too."""

_HEADER_SEARCH = 10


@dataclass(frozen=True, slots=True)
class ParsedRoster:
    """What a roster file holds: sound rows, every problem, and how the file was read.

    ``warnings`` never block an import but must be seen before it is applied; ``dates`` says
    how 11/03/2016-style dates were read and why; ``encoding_status`` how the encoding was
    decided (see roster_text.Decoded) and ``encoding_samples`` the bytes of the first cells
    whose reading depends on it (unreadable ones, or non-ASCII names in a guessed encoding).
    """

    rows: list[RosterRow]
    problems: list[Problem]
    ignored_columns: list[str]
    mapping: dict[str, str]
    encoding: str
    delimiter: str
    header_row: int = 1
    day_first: bool = True
    headers: list[str] = field(default_factory=list)
    fields_read: tuple[str, ...] = ()
    warnings: list[Problem] = field(default_factory=list)
    encoding_status: str = SURE
    encoding_samples: tuple[bytes, ...] = ()
    dates: DateReading | None = None

    @property
    def is_valid(self) -> bool:
        """True when the whole file may be applied: no problem anywhere."""
        return not self.problems

    @property
    def date_format(self) -> str | None:
        """ "dmy" or "mdy" when some date in the file depends on the order, else None."""
        return self.dates.date_format if self.dates else None

    @property
    def ambiguous_rows(self) -> dict[int, str]:
        """Row -> text of the dates that read differently day first and month first."""
        if self.dates is None:
            return {}
        return {cell.row: cell.text for cell, _, _ in self.dates.ambiguous}


@dataclass(slots=True)
class _Table:
    header_row: int
    headers: list[str]
    records: list[tuple[int, list[str]]]


class _Refused(ValueError):
    """The file cannot be read at all; ``where`` and the message locate why."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where


def parse_roster(
    data: bytes | str,
    *,
    mapping: Mapping[str, str] | None = None,
    today: date | None = None,
    day_first: bool | None = None,
    encoding: str | None = None,
    remembered: Mapping[str, str] | None = None,
    remembered_day_first: bool | None = None,
    remembered_encoding: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
) -> ParsedRoster:
    """Parse a roster export into sound rows plus every problem, sorted by row; writes nothing.

    ``mapping`` (header -> field) overrides the header aliases, and ``remembered`` (the
    cohort's mapping of its last import) applies to the headers this file has. ``day_first``
    fixes how 11/03/2016 reads; otherwise a date that reads only one way decides, then
    ``remembered_day_first``; failing all three, every such date is a problem until chosen.
    ``encoding`` likewise overrides the detection, and ``remembered_encoding`` is used for a
    file that is not UTF-8 before any guess.
    """
    today = today or date.today()
    delimiter = ","
    decoded = Decoded("", "", SURE)
    try:
        decoded = _decode(
            data, max_bytes=max_bytes, encoding=encoding, fallback=remembered_encoding
        )
        delimiter = sniff_delimiter(decoded.text)
        wanted = {**(remembered or {}), **(mapping or {})}
        table = _read_table(decoded.text, delimiter, wanted, max_rows=max_rows)
        _check_width(table, max_columns)
    except _Refused as exc:
        problem = Problem(exc.where, str(exc))
        return ParsedRoster([], [problem], [], {}, decoded.encoding, delimiter)
    base = ParsedRoster(
        [], [], [], {}, decoded.encoding, delimiter, table.header_row,
        headers=[readable(h) for h in table.headers], encoding_status=decoded.status,
    )  # fmt: skip
    unreadable, samples = encoding_problems(decoded, table.header_row, table.headers, table.records)
    if unreadable:
        return replace(base, problems=unreadable, encoding_samples=samples)
    merged = merge_mappings(table.headers, explicit=mapping or {}, remembered=remembered or {})
    plan = plan_columns(table.headers, mapping=merged, header_row=table.header_row)
    _settle_language_column(plan, table, merged)
    plan.ignored.extend(_unnamed_columns_with_data(table))
    if plan.problems:
        problems = [problem for _, problem in sorted(plan.problems, key=lambda p: p[0])]
        return replace(base, problems=problems, ignored_columns=plan.ignored, mapping=plan.mapping)
    dates = decide_date_format(
        _date_cells(plan, table), today=today, chosen=day_first, remembered=remembered_day_first
    )
    reader = RowReader(plan, today=today, day_first=dates.day_first)
    width = len(table.headers)
    for row, cells in table.records:
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            message = gettext(
                "this row has %(values)s values but the header has %(columns)s columns; is a "
                "value containing the delimiter missing its quotes?",
                values=width + len(cells[width:]),
                columns=width,
            )
            reader.add(row, None, message)
            continue
        reader.read(row, cells[:width] + [""] * (width - len(cells)))
    if not table.records:
        reader.add(table.header_row, None, gettext("there are no data rows below the header"))
    if dates.source == DATE_UNDECIDED:
        for cell, day, month in dates.ambiguous:
            message = gettext(
                "\u201c%(value)s\u201d can be %(day_first)s (day first) or %(month_first)s "
                "(month first); choose the file's date format",
                value=cell.text,
                day_first=spell_date(day),
                month_first=spell_date(month),
            )
            where = cell_where(cell.row, table.headers[cell.column])
            reader.problems.append((cell.row, cell.column, Problem(where, message, "date_format")))
    rows = reader.finish()
    problems = [problem for *_, problem in sorted(reader.problems, key=lambda p: p[:2])]
    warnings = [problem for *_, problem in sorted(reader.warnings, key=lambda p: p[:2])]
    guessed = encoding_warning(decoded, rows)
    samples = guessed_samples(decoded, rows)
    return replace(
        base,
        rows=rows,
        problems=problems,
        ignored_columns=plan.ignored,
        mapping=plan.mapping,
        day_first=dates.day_first,
        fields_read=tuple(plan.columns),
        warnings=([guessed] if guessed else []) + warnings,
        dates=dates,
        encoding_samples=samples,
    )


def parse_roster_or_raise(
    data: bytes | str,
    *,
    mapping: Mapping[str, str] | None = None,
    today: date | None = None,
    day_first: bool | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
) -> ParsedRoster:
    """Parse a roster export, raising InvalidInput with every problem unless all of it is valid."""
    parsed = parse_roster(
        data,
        mapping=mapping,
        today=today,
        day_first=day_first,
        max_bytes=max_bytes,
        max_rows=max_rows,
        max_columns=max_columns,
    )
    if parsed.problems:
        count = len(parsed.problems)
        message = ngettext(
            "the roster file has %(num)s problem", "the roster file has %(num)s problems", count
        )
        raise InvalidInput(message, parsed.problems)
    return parsed


def detect_columns(
    data: bytes | str, *, max_bytes: int = MAX_BYTES
) -> tuple[list[str], dict[str, str]]:
    """Return the file's headers and the header -> field mapping the aliases suggest.

    Raises InvalidInput when the file cannot be read as CSV at all.
    """
    try:
        text = _decode(data, max_bytes=max_bytes).text
        table = _read_table(text, sniff_delimiter(text), {}, max_rows=None)
    except _Refused as exc:
        raise InvalidInput(
            gettext("the roster file cannot be read"), [Problem(exc.where, str(exc))]
        ) from None
    plan: ColumnPlan = plan_columns(table.headers, header_row=table.header_row)
    _settle_language_column(plan, table, {})
    return [readable(header) for header in table.headers if header], plan.mapping


def export_roster_csv(rows: Iterable[RosterRow]) -> str:
    """Write rows as CSV under EXPORT_HEADER, guarding cells a spreadsheet would evaluate."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for row in rows:
        cells = (
            row.name,
            row.email,
            row.title or "",
            row.level or "",
            row.function or "",
            row.region or "",
            row.hire_date.isoformat() if row.hire_date else "",
            repr(row.tenure_years) if row.tenure_years is not None else "",
            row.manager_email or "",
            "; ".join(row.languages),
            "; ".join(row.tags),
            "; ".join(row.avoid),
            row.conflict_group or "",
            row.language or "",
        )
        writer.writerow([guard_formula(cell) for cell in cells])
    return buffer.getvalue()


def _decode(
    data: bytes | str, *, max_bytes: int, encoding: str | None = None, fallback: str | None = None
) -> Decoded:
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        message = gettext(
            "the file is %(size)s; the limit is %(limit)s", size=_size(size), limit=_size(max_bytes)
        )
        raise _Refused("", message)
    if isinstance(data, str):
        return Decoded(data.removeprefix("\ufeff"), "utf-8", SURE)
    if not data.strip():
        raise _Refused("", gettext("the file is empty"))
    try:
        return decode_roster(data, encoding=encoding, fallback=fallback)
    except UnreadableFile as exc:
        raise _Refused("", str(exc)) from None


def _read_table(
    text: str, delimiter: str, mapping: Mapping[str, str], *, max_rows: int | None
) -> _Table:
    explicit_email = {header_key(h) for h, target in mapping.items() if target == "email"}
    candidates: list[tuple[int, list[str]]] = []
    header: tuple[int, list[str]] | None = None
    records: list[tuple[int, list[str]]] = []
    try:
        for row, raw in read_records(text, delimiter=delimiter):
            cells = [clean_cell(cell) for cell in raw]
            if not any(cells):
                continue
            if header is not None:
                records.append((row, cells))
                if max_rows is not None and len(records) > max_rows:
                    message = gettext(
                        "the file has more than %(limit)s rows; the limit is %(limit)s",
                        limit=max_rows,
                    )
                    raise _Refused("", message)
                continue
            candidates.append((row, cells))
            if _names_email(cells, explicit_email):
                header = (row, cells)
            elif len(candidates) == _HEADER_SEARCH:
                # No e-mail header near the top: take the first line, and let the column
                # check say which field is missing.
                header, records = candidates[0], candidates[1:]
    except RecordError as exc:
        raise _Refused(gettext("row %(row)s", row=exc.row), str(exc)) from None
    if header is None:
        if not candidates:
            raise _Refused("", gettext("the file is empty"))
        header, records = candidates[0], candidates[1:]
    return _Table(header_row=header[0], headers=header[1], records=records)


def _names_email(cells: list[str], explicit_email: set[str]) -> bool:
    return any(suggest_field(c) == "email" or header_key(c) in explicit_email for c in cells)


def _check_width(table: _Table, max_columns: int) -> None:
    # Excel pads short lines with delimiters, so trailing blank header cells are not columns.
    named = len(table.headers)
    while named and not table.headers[named - 1]:
        named -= 1
    if named > max_columns:
        message = gettext(
            "the header has %(columns)s columns; the limit is %(limit)s",
            columns=named,
            limit=max_columns,
        )
        raise _Refused(gettext("row %(row)s", row=table.header_row), message)


def _settle_language_column(plan: ColumnPlan, table: _Table, mapping: Mapping[str, str]) -> None:
    """A column found as "Language" that lists several languages in a cell ("Deutsch,
    Englisch") holds the languages spoken, not the one to read Tandem in: read it as those,
    when no other column gives them and nobody mapped it to language on purpose."""
    index = plan.first("language")
    if index is None or "languages" in plan.columns:
        return
    header = plan.headers[index]
    if any(header_key(name) == header_key(header) for name in mapping):
        return
    if not any(
        index < len(cells) and len(split_items(cells[index])) > 1 for _, cells in table.records
    ):
        return
    del plan.columns["language"]
    plan.columns["languages"] = [index]
    plan.mapping[header] = "languages"


def _unnamed_columns_with_data(table: _Table) -> list[str]:
    found: list[str] = []
    for index, header in enumerate(table.headers):
        if not header and any(index < len(cells) and cells[index] for _, cells in table.records):
            found.append(gettext("column %(letter)s (no header)", letter=_column_letter(index)))
    return found


def _date_cells(plan: ColumnPlan, table: _Table) -> list[DateCell]:
    indexes = plan.columns.get("hire_date", []) + plan.columns.get("tenure", [])
    return [
        DateCell(row, i, cells[i])
        for row, cells in table.records
        for i in indexes
        if i < len(cells) and cells[i]
    ]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _size(count: int) -> str:
    if count < 1024:
        return ngettext("%(num)s byte", "%(num)s bytes", count)
    if count < 1024 * 1024:
        return gettext("%(size)s KB", size=format_number(round(count / 1024, 1)))
    return gettext("%(size)s MB", size=format_number(round(count / (1024 * 1024), 1)))
