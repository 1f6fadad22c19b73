"""Roster rows: turning the cells of each data row into a RosterRow, with every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.core.errors import Problem
from app.core.i18n import format_list, gettext
from app.services.roster.columns import LIST_FIELDS, ColumnPlan
from app.services.roster.reading_language import parse_reading_language
from app.services.roster.values import (
    collapse_text,
    is_email,
    looks_like_formula,
    name_key,
    name_keys,
    normalise_email,
    parse_tenure,
    split_items,
)

MAX_FIELD_CHARS = 200
MAX_LIST_CHARS = 2000
_PRINTED_FIELDS = (
    "name", "first_name", "preferred_name", "last_name", "title", "level", "function", "region",
    "languages", "tags", "conflict_group",
)  # fmt: skip
"""Text that reaches pages, cards and workbooks as written."""


def cell_where(row: int, header: str) -> str:
    """Where a cell is, with the column named as the file spells it."""
    # Translators: where a problem is in a roster file; %(column)s is the file's own header.
    return gettext("row %(row)s, column %(column)s", row=row, column=header)


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One participant as read from a roster file; ``row_number`` is where it sits in the file."""

    name: str
    email: str
    title: str | None = None
    level: str | None = None
    function: str | None = None
    region: str | None = None
    tenure_years: float | None = None
    hire_date: date | None = None
    manager_email: str | None = None
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    conflict_group: str | None = None
    language: str | None = None
    """The language the participant reads Tandem in (en, de, fr, es); None: the file does not
    say, so the participant keeps theirs (or the cohort's)."""
    # Two rows describing the same person are equal wherever they sit in a file.
    row_number: int = field(default=0, compare=False)


@dataclass(slots=True)
class _Draft:
    row: int
    name: str = ""
    email: str | None = None
    scalars: dict[str, str | None] = field(default_factory=dict)
    tenure_years: float | None = None
    hire_date: date | None = None
    manager_email: str | None = None
    manager_name: str | None = None
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    language: str | None = None


class RowReader:
    """Reads data rows against a column plan, collecting problems located by row and column."""

    def __init__(self, plan: ColumnPlan, *, today: date, day_first: bool) -> None:
        self.plan = plan
        self.today = today
        self.day_first = day_first
        self.problems: list[tuple[int, int, Problem]] = []
        self.warnings: list[tuple[int, int, Problem]] = []
        self._failed: set[int] = set()
        self._drafts: list[_Draft] = []

    def add(self, row: int, column: int | None, message: str, target: str | None = None) -> None:
        """Record a problem at a row and (optionally) the column with that index."""
        where = gettext("row %(row)s", row=row)
        if column is not None:
            where = cell_where(row, self.plan.headers[column])
        self.problems.append(
            (row, -1 if column is None else column, Problem(where, message, target))
        )
        self._failed.add(row)

    def read(self, row: int, cells: list[str]) -> None:
        """Parse one data row of cleaned cells (one per header column)."""
        draft = _Draft(row=row)
        skip = self._check_lengths(row, cells)
        self._read_name(draft, cells, skip)
        self._read_email(draft, cells, skip)
        for target in ("title", "level", "function", "region", "conflict_group"):
            index = self.plan.first(target)
            value = "" if index is None or index in skip else collapse_text(cells[index])
            draft.scalars[target] = value or None
        self._read_tenure(draft, cells, skip)
        self._read_manager(draft, cells, skip)
        self._read_lists(draft, cells, skip)
        self._read_language(draft, cells, skip)
        self._warn_formulas(row, cells, skip)
        self._drafts.append(draft)

    def finish(self) -> list[RosterRow]:
        """Run the checks that span rows, then return the rows that have no problem."""
        self._check_duplicates()
        self._resolve_managers()
        rows: list[RosterRow] = []
        for draft in self._drafts:
            if draft.row in self._failed or draft.email is None:
                continue
            rows.append(
                RosterRow(
                    name=draft.name,
                    email=draft.email,
                    title=draft.scalars["title"],
                    level=draft.scalars["level"],
                    function=draft.scalars["function"],
                    region=draft.scalars["region"],
                    tenure_years=draft.tenure_years,
                    hire_date=draft.hire_date,
                    manager_email=draft.manager_email,
                    languages=draft.lists["languages"],
                    tags=draft.lists["tags"],
                    avoid=draft.lists["avoid"],
                    conflict_group=draft.scalars["conflict_group"],
                    language=draft.language,
                    row_number=draft.row,
                )
            )
        return rows

    def _warn_formulas(self, row: int, cells: list[str], skip: set[int]) -> None:
        for target in _PRINTED_FIELDS:
            for index in self.plan.columns.get(target, []):
                value = cells[index]
                if index in skip or not looks_like_formula(value):
                    continue
                message = gettext(
                    "\u201c%(value)s\u201d starts with \u201c%(first)s\u201d like a spreadsheet "
                    "formula; it will be imported, shown and printed exactly as written, as "
                    "plain text. Check that this is really what belongs here",
                    value=value,
                    first=value[0],
                )
                where = cell_where(row, self.plan.headers[index])
                self.warnings.append((row, index, Problem(where, message, target)))

    def _check_lengths(self, row: int, cells: list[str]) -> set[int]:
        too_long: set[int] = set()
        for target, indexes in self.plan.columns.items():
            limit = MAX_LIST_CHARS if target in LIST_FIELDS else MAX_FIELD_CHARS
            for index in indexes:
                if len(cells[index]) > limit:
                    message = gettext(
                        "value is %(length)s characters long; the limit is %(limit)s",
                        length=len(cells[index]),
                        limit=limit,
                    )
                    self.add(row, index, message, target)
                    too_long.add(index)
        return too_long

    def _read_name(self, draft: _Draft, cells: list[str], skip: set[int]) -> None:
        def part(target: str) -> str:
            index = self.plan.first(target)
            return "" if index is None or index in skip else collapse_text(cells[index])

        name = part("name")
        if not name:
            first, last = part("preferred_name") or part("first_name"), part("last_name")
            # A "preferred name" column sometimes holds the whole name already.
            if first and last and name_key(first).endswith(name_key(last)):
                last = ""
            name = " ".join(piece for piece in (first, last) if piece)
        if name:
            draft.name = name
            return
        parts = ("name", "first_name", "preferred_name", "last_name")
        columns = [self.plan.first(target) for target in parts]
        column = next(index for index in columns if index is not None)
        if not any(index in skip for index in columns):
            self.add(draft.row, column, gettext("name is missing"), "name")

    def _read_email(self, draft: _Draft, cells: list[str], skip: set[int]) -> None:
        index = self.plan.first("email")
        if index is None or index in skip:
            return
        raw = cells[index]
        if not raw:
            self.add(draft.row, index, gettext("e-mail is missing"), "email")
            return
        address = normalise_email(raw)
        if not is_email(address):
            message = gettext("'%(value)s' is not a valid e-mail address", value=raw)
            self.add(draft.row, index, message, "email")
            return
        draft.email = address

    def _read_tenure(self, draft: _Draft, cells: list[str], skip: set[int]) -> None:
        for target in ("hire_date", "tenure"):
            index = self.plan.first(target)
            if index is None or index in skip or not cells[index]:
                continue
            try:
                draft.tenure_years, draft.hire_date = parse_tenure(
                    cells[index], today=self.today, day_first=self.day_first
                )
            except ValueError as exc:
                self.add(draft.row, index, str(exc), target)
            return

    def _read_manager(self, draft: _Draft, cells: list[str], skip: set[int]) -> None:
        index = self.plan.first("manager")
        if index is None or index in skip or not cells[index]:
            return
        raw = cells[index]
        if "@" not in raw:
            draft.manager_name = collapse_text(raw)
            return
        address = normalise_email(raw)
        if is_email(address):
            draft.manager_email = address
        else:
            message = gettext("manager e-mail '%(value)s' is not a valid address", value=raw)
            self.add(draft.row, index, message, "manager")

    def _read_language(self, draft: _Draft, cells: list[str], skip: set[int]) -> None:
        index = self.plan.first("language")
        if index is None or index in skip or not cells[index]:
            return
        try:
            draft.language = parse_reading_language(cells[index])
        except ValueError as exc:
            self.add(draft.row, index, str(exc), "language")

    def _read_lists(self, draft: _Draft, cells: list[str], skip: set[int]) -> None:
        for target in sorted(LIST_FIELDS):
            items: list[str] = []
            for index in self.plan.columns.get(target, []):
                if index in skip:
                    continue
                for item in split_items(cells[index]):
                    if target == "tags":
                        item = item.lower()
                    elif target == "avoid":
                        address = normalise_email(item)
                        if not is_email(address):
                            message = gettext(
                                "avoid entry '%(value)s' is not an e-mail address", value=item
                            )
                            self.add(draft.row, index, message, "avoid")
                            continue
                        item = address
                    if item.casefold() not in {seen.casefold() for seen in items}:
                        items.append(item)
            draft.lists[target] = tuple(items)

    def _check_duplicates(self) -> None:
        first_row: dict[str, int] = {}
        column = self.plan.first("email")
        for draft in self._drafts:
            if draft.email is None:
                continue
            if draft.email in first_row:
                message = gettext(
                    "duplicate e-mail %(email)s: rows %(first)s and %(row)s",
                    email=draft.email,
                    first=first_row[draft.email],
                    row=draft.row,
                )
                self.add(draft.row, column, message, "email")
            else:
                first_row[draft.email] = draft.row

    def _resolve_managers(self) -> None:
        by_name: dict[str, dict[str, int]] = {}
        for draft in self._drafts:
            if draft.name and draft.email:
                by_name.setdefault(name_key(draft.name), {}).setdefault(draft.email, draft.row)
        column = self.plan.first("manager")
        avoid_column = self.plan.columns.get("avoid", [None])[0]
        for draft in self._drafts:
            if draft.manager_name is not None:
                matches: dict[str, int] = {}
                for key in name_keys(draft.manager_name):
                    matches.update(by_name.get(key, {}))
                if len(matches) == 1:
                    draft.manager_email = next(iter(matches))
                elif not matches:
                    message = gettext(
                        "unknown manager '%(name)s': nobody in the file has that name; give the "
                        "manager's e-mail instead",
                        name=draft.manager_name,
                    )
                    self.add(draft.row, column, message, "manager")
                else:
                    rows = format_list([str(row) for row in sorted(matches.values())])
                    message = gettext(
                        "manager '%(name)s' matches more than one person (rows %(rows)s); give "
                        "the manager's e-mail instead",
                        name=draft.manager_name,
                        rows=rows,
                    )
                    self.add(draft.row, column, message, "manager")
            if draft.email and draft.manager_email == draft.email:
                message = gettext("the manager is the person themself")
                self.add(draft.row, column, message, "manager")
            if draft.email and draft.email in draft.lists["avoid"]:
                message = gettext("avoid lists the person themself")
                self.add(draft.row, avoid_column, message, "avoid")
