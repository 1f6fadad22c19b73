"""Roster cell values: dates, tenure, e-mails, names, lists and the formula guard."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.roster.csv_file import ParsedRoster, parse_roster
from app.services.roster.values import clean_cell, guard_formula, parse_date, parse_tenure

TODAY = date(2025, 6, 30)


def parse(data: bytes | str, **kwargs: object) -> ParsedRoster:
    return parse_roster(data, today=TODAY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2019-03-12", True, date(2019, 3, 12)),
        ("2019/3/12", False, date(2019, 3, 12)),
        ("12/03/2019", True, date(2019, 3, 12)),
        ("03/12/2019", False, date(2019, 3, 12)),
        ("12.03.2019", True, date(2019, 3, 12)),
        ("12/03/19", True, date(2019, 3, 12)),
        ("3/12/2019 0:00", False, date(2019, 3, 12)),
        ("12 Mar 2019", True, date(2019, 3, 12)),
        ("12-Mar-2019", False, date(2019, 3, 12)),
        ("12 March 2019", True, date(2019, 3, 12)),
        ("March 12, 2019", True, date(2019, 3, 12)),
        ("Sept 1st 2019", True, date(2019, 9, 1)),
        ("2019-03-12T00:00:00Z", True, date(2019, 3, 12)),
    ],
)
def test_parse_date_reads_hr_date_formats(text: str, day_first: bool, expected: date) -> None:
    assert parse_date(text, day_first=day_first, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.5", (3.5, None)),
        ("3,5", (3.5, None)),
        ("4 years", (4.0, None)),
        ("0", (0.0, None)),
        ("2024-06-30", (1.0, date(2024, 6, 30))),
        ("2025-06-30", (0.0, date(2025, 6, 30))),
    ],
)
def test_parse_tenure_reads_years_or_hire_date(text: str, expected: tuple[float, date]) -> None:
    assert parse_tenure(text, today=TODAY, day_first=True) == expected


def test_parse_tenure_rejects_unknown_month_names() -> None:
    with pytest.raises(ValueError, match=r"^'12 Foo 2019' is not a valid date"):
        parse_tenure("12 Foo 2019", today=TODAY, day_first=True)


def test_parse_roster_day_first_argument_overrides_inference() -> None:
    data = "Name,Email,Hire Date\nAda Byrne,ada@example.com,03/04/2019\n"

    assert parse(data).rows[0].hire_date == date(2019, 4, 3)
    assert parse(data, day_first=False).rows[0].hire_date == date(2019, 3, 4)


def test_parse_roster_normalises_emails_names_and_lists() -> None:
    data = (
        "Name,Email,Manager,Languages,Tags,Avoid,Conflict Group\n"
        '"  Ada \u00a0 Byrne ",\uff21\uff24\uff21@Example.COM,"Bea Lin <BEA@example.com>",'
        '"English, Irish; French / german | english",M&A|Startup,mailto:Cy@Example.com,'
        "  CFO   race \n"
    )

    row = parse(data).rows[0]

    assert (row.name, row.email, row.manager_email) == (
        "Ada Byrne",
        "ada@example.com",
        "bea@example.com",
    )
    assert row.languages == ("English", "Irish", "French", "german")
    assert (row.tags, row.avoid, row.conflict_group) == (
        ("m&a", "startup"),
        ("cy@example.com",),
        "CFO race",
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("'=1+1", "''=1+1"),
        ("\tcmd", "'\tcmd"),
        ("'Ohana", "'Ohana"),
        ("O'Neill", "O'Neill"),
    ],
)
def test_guard_formula_and_clean_cell_are_inverse(value: str, cell: str) -> None:
    assert (guard_formula(value), clean_cell(cell)) == (cell, value.strip())
