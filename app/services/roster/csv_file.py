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
from dataclasses import dataclass
from datetime import date

from app.core.errors import InvalidInput, Problem
from app.services.roster.columns import (
    FIELDS,
    ColumnPlan,
    header_key,
    parse_mapping_args,
    plan_columns,
    suggest_field,
)
from app.services.roster.rows import MAX_FIELD_CHARS, MAX_LIST_CHARS, RosterRow, RowReader
from app.services.roster.text import (
    RecordError,
    UnreadableFile,
    decode_roster,
    read_records,
    sniff_delimiter,
)
from app.services.roster.values import clean_cell, guard_formula, infer_day_first

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

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 100
EXPORT_HEADER = (
    "name", "email", "title", "level", "function", "region", "hire_date", "tenure_years",
    "manager_email", "languages", "tags", "avoid", "conflict_group",
)  # fmt: skip
"""Our canonical header: one column per RosterRow field, each one an import alias too."""

_HEADER_SEARCH = 10


@dataclass(frozen=True, slots=True)
class ParsedRoster:
    """What a roster file holds: sound rows, every problem, and how the file was read."""

    rows: list[RosterRow]
    problems: list[Problem]
    ignored_columns: list[str]
    mapping: dict[str, str]
    encoding: str
    delimiter: str
    header_row: int = 1
    day_first: bool = True

    @property
    def is_valid(self) -> bool:
        """True when the whole file may be applied: no problem anywhere."""
        return not self.problems


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
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
) -> ParsedRoster:
    """Parse a roster export into sound rows plus every problem, sorted by row; writes nothing.

    ``mapping`` (header -> field) overrides the header aliases; ``day_first`` fixes how
    03/04/2019 reads, otherwise the hire-date column decides (day first when it cannot).
    """
    today = today or date.today()
    encoding, delimiter = "", ","
    try:
        text, encoding = _decode(data, max_bytes=max_bytes)
        delimiter = sniff_delimiter(text)
        table = _read_table(text, delimiter, mapping or {}, max_rows=max_rows)
        _check_width(table, max_columns)
    except _Refused as exc:
        problem = Problem(exc.where, str(exc))
        return ParsedRoster([], [problem], [], {}, encoding, delimiter)
    plan = plan_columns(table.headers, mapping=mapping, header_row=table.header_row)
    plan.ignored.extend(_unnamed_columns_with_data(table))
    if plan.problems:
        problems = [problem for _, problem in sorted(plan.problems, key=lambda p: p[0])]
        return ParsedRoster(
            [], problems, plan.ignored, plan.mapping, encoding, delimiter, table.header_row
        )
    used_day_first = day_first if day_first is not None else _infer_day_first(plan, table)
    reader = RowReader(plan, today=today, day_first=used_day_first)
    width = len(table.headers)
    for row, cells in table.records:
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            message = (
                f"this row has {width + len(cells[width:])} values but the header has {width} "
                "columns; is a value containing the delimiter missing its quotes?"
            )
            reader.add(row, None, message)
            continue
        reader.read(row, cells[:width] + [""] * (width - len(cells)))
    if not table.records:
        reader.add(table.header_row, None, "there are no data rows below the header")
    rows = reader.finish()
    problems = [problem for *_, problem in sorted(reader.problems, key=lambda p: p[:2])]
    return ParsedRoster(
        rows=rows,
        problems=problems,
        ignored_columns=plan.ignored,
        mapping=plan.mapping,
        encoding=encoding,
        delimiter=delimiter,
        header_row=table.header_row,
        day_first=used_day_first,
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
        noun = "problem" if count == 1 else "problems"
        raise InvalidInput(f"the roster file has {count} {noun}", parsed.problems)
    return parsed


def detect_columns(
    data: bytes | str, *, max_bytes: int = MAX_BYTES
) -> tuple[list[str], dict[str, str]]:
    """Return the file's headers and the header -> field mapping the aliases suggest.

    Raises InvalidInput when the file cannot be read as CSV at all.
    """
    try:
        text, _ = _decode(data, max_bytes=max_bytes)
        table = _read_table(text, sniff_delimiter(text), {}, max_rows=None)
    except _Refused as exc:
        raise InvalidInput(
            "the roster file cannot be read", [Problem(exc.where, str(exc))]
        ) from None
    plan: ColumnPlan = plan_columns(table.headers, header_row=table.header_row)
    return [header for header in table.headers if header], plan.mapping


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
        )
        writer.writerow([guard_formula(cell) for cell in cells])
    return buffer.getvalue()


def _decode(data: bytes | str, *, max_bytes: int) -> tuple[str, str]:
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise _Refused("", f"the file is {_size(size)}; the limit is {_size(max_bytes)}")
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), "utf-8"
    if not data.strip():
        raise _Refused("", "the file is empty")
    try:
        return decode_roster(data)
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
                    message = f"the file has more than {max_rows} rows; the limit is {max_rows}"
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
        raise _Refused(f"row {exc.row}", str(exc)) from None
    if header is None:
        if not candidates:
            raise _Refused("", "the file is empty")
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
        message = f"the header has {named} columns; the limit is {max_columns}"
        raise _Refused(f"row {table.header_row}", message)


def _unnamed_columns_with_data(table: _Table) -> list[str]:
    found: list[str] = []
    for index, header in enumerate(table.headers):
        if not header and any(index < len(cells) and cells[index] for _, cells in table.records):
            found.append(f"column {_column_letter(index)} (no header)")
    return found


def _infer_day_first(plan: ColumnPlan, table: _Table) -> bool:
    indexes = plan.columns.get("hire_date", []) + plan.columns.get("tenure", [])
    values = (cells[i] for _, cells in table.records for i in indexes if i < len(cells))
    inferred = infer_day_first(values)
    return True if inferred is None else inferred


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{count / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
