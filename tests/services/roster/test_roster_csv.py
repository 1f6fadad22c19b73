"""Roster CSV import/export: real-looking HR exports in tests/data/roster, and every error."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import InvalidInput, Problem
from app.demo import DEMO_ROSTER_SIZE, read_demo_roster
from app.services.roster.csv_file import (
    EXPORT_HEADER,
    RosterRow,
    export_roster_csv,
    parse_roster_or_raise,
)
from tests.services.roster.corpus import TODAY, corpus, messages, parse

# --- the corpus -------------------------------------------------------------------------------


def test_parse_roster_reads_workday_export_with_quoted_newlines_and_us_dates() -> None:
    parsed = parse(corpus("workday_us.csv"))

    assert parsed.problems == []
    assert (parsed.encoding, parsed.delimiter, parsed.day_first) == ("utf-8", ",", False)
    assert parsed.ignored_columns == ["Employee ID", "Location"]
    assert parsed.mapping == {
        "Worker": "name",
        "Email - Work": "email",
        "Business Title": "title",
        "Management Level": "level",
        "Supervisory Organization": "function",
        "Country": "region",
        "Hire Date": "hire_date",
        "Manager Work Email": "manager",
        "Years of Service": "tenure",
    }
    assert [row.row_number for row in parsed.rows] == [2, 3, 5, 6]
    assert parsed.rows[1] == RosterRow(
        name="Marcus Webb",
        email="marcus.webb@contoso-example.com",
        title="Senior Manager, Customer Operations",
        level="5 Senior Manager",
        function="Customer Operations",
        region="United States of America",
        tenure_years=6.32,
        hire_date=date(2019, 3, 4),
        manager_email="rebecca.thornton@contoso-example.com",
    )
    assert parsed.rows[3].email == "priya.natarajan@contoso-example.com"
    assert parsed.rows[3].title == 'Manager, "Sales Excellence" Program'
    assert parsed.rows[0].hire_date == date(2014, 10, 23)


def test_parse_roster_reads_bamboohr_export_with_bom_first_last_and_manager_names() -> None:
    parsed = parse(corpus("bamboohr_bom.csv"))

    assert parsed.problems == []
    assert parsed.encoding == "utf-8-sig"
    assert parsed.ignored_columns == ["Employee #", "Division", "Employment Status"]
    assert [(row.name, row.manager_email) for row in parsed.rows] == [
        ("Kate O'Neill", None),
        ("Jonathan Reyes", "kate.oneill@harbor-example.com"),
        ("Aisha Bello", "jon.reyes@harbor-example.com"),
        ("Tom van der Berg", "kate.oneill@harbor-example.com"),
    ]
    assert [row.function for row in parsed.rows] == ["Operations"] * 3 + ["Finance"]
    assert parsed.rows[0].region == "Boston"


def test_parse_roster_reads_sap_semicolon_export_with_decimal_comma_tenure() -> None:
    parsed = parse(corpus("sap_semicolon_decimal_comma.csv"))

    assert parsed.problems == []
    assert parsed.delimiter == ";"
    assert parsed.ignored_columns == ["Personnel Number"]
    assert [(row.name, row.tenure_years, row.hire_date) for row in parsed.rows] == [
        ("Katrin Schneider", 12.5, None),
        ("Luc Dubois", 3.5, None),
        ("Giulia Rossi", 0.75, None),
    ]
    assert [row.languages for row in parsed.rows] == [
        ("Deutsch", "Englisch"),
        ("Français", "English"),
        ("Italiano", "English", "Deutsch"),
    ]
    assert [row.level for row in parsed.rows] == ["E14", "E12", "E11"]
    assert parsed.rows[1].region == "FR"


def test_parse_roster_reads_cp1252_export_with_accented_names() -> None:
    parsed = parse(corpus("excel_cp1252_accents.csv"))

    assert parsed.problems == []
    assert parsed.encoding == "cp1252"
    assert parsed.day_first is True
    assert [row.name for row in parsed.rows] == [
        "Élodie Marchand",
        "Søren Kjærgaard",
        "Jürgen Strauß",
        "Chiara D\u2019Angelo",
    ]
    assert parsed.rows[3].title == "Responsabile Vendite \u2013 Sud"
    assert [row.hire_date for row in parsed.rows] == [
        date(2016, 9, 15),
        date(2020, 2, 1),
        date(2011, 2, 28),
        date(2022, 5, 3),
    ]


def test_parse_roster_reads_excel_unicode_text_utf16le_tab_export() -> None:
    parsed = parse(corpus("excel_unicode_text_utf16le.txt"))

    assert parsed.problems == []
    assert (parsed.encoding, parsed.delimiter) == ("utf-16-le", "\t")
    assert parsed.rows[2] == RosterRow(
        name="Ahmed Al-Farsi",
        email="ahmed.alfarsi@litware-example.cn",
        level="M3",
        function="Quality",
        region="Middle East",
        tenure_years=6.0,
        manager_email="wang.fang@litware-example.cn",
        languages=("Arabic", "English"),
        tags=("m&a", "turnaround"),
        avoid=("olga.smirnova@litware-example.cn",),
        conflict_group="Plant Director Kazan",
    )
    assert [row.name for row in parsed.rows[:2]] == ["王芳", "Ольга Смирнова"]


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (lambda text: text.encode("utf-16-le"), "utf-16-le"),
        (lambda text: text.encode("utf-16-be"), "utf-16-be"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_parse_roster_detects_utf16_with_or_without_bom(encoded: object, encoding: str) -> None:
    text = corpus("workday_us.csv").decode("utf-8")

    parsed = parse(encoded(text))  # type: ignore[operator]

    assert (parsed.problems, parsed.encoding) == ([], encoding)
    assert parsed.rows == parse(corpus("workday_us.csv")).rows


def test_parse_roster_skips_report_title_lines_above_the_header() -> None:
    parsed = parse(corpus("report_with_title.csv"))

    assert parsed.problems == []
    assert parsed.header_row == 4
    assert [(row.row_number, row.hire_date) for row in parsed.rows] == [
        (5, date(2019, 3, 12)),
        (6, date(2021, 3, 4)),
        (7, date(2018, 7, 2)),
    ]


def test_parse_roster_reports_every_row_problem_with_row_column_and_message() -> None:
    parsed = parse(corpus("every_error.csv"))

    assert messages(parsed) == [
        "row 3, column Work Email: e-mail is missing",
        "row 4, column Work Email: 'cara@example' is not a valid e-mail address",
        "row 5, column Work Email: duplicate e-mail ada@example.com: rows 2 and 5",
        "row 6, column Manager: unknown manager 'Zoe Quinn': nobody in the file has that name;"
        " give the manager's e-mail instead",
        "row 7, column Manager: the manager is the person themself",
        "row 8, column Hire Date: 'next Tuesday' is neither a number of years nor a date"
        " (e.g. 3.5, 2019-03-12, 12/03/2019, 12 Mar 2019)",
        "row 9, column Hire Date: hire date 2026-01-15 is in the future",
        "row 10, column Business Title: value is 201 characters long; the limit is 200",
        "row 11, column Avoid: avoid entry 'Ada Byrne' is not an e-mail address",
        "row 12, column Name: name is missing",
        "row 13, column Manager: manager e-mail 'lee@' is not a valid address",
        "row 14, column Hire Date: tenure cannot be negative",
        "row 15, column Hire Date: '31/02/2020' is not a valid date (read as day/month/year)",
        "row 16, column Avoid: avoid lists the person themself",
        "row 19, column Manager: manager 'Pat Ross' matches more than one person (rows 17 and"
        " 18); give the manager's e-mail instead",
        "row 20, column Hire Date: a tenure of 120 is not plausible",
        "row 20, column Tags: value is 2182 characters long; the limit is 2000",
        "row 21: this row has 14 values but the header has 12 columns; is a value containing"
        " the delimiter missing its quotes?",
    ]
    assert [row.row_number for row in parsed.rows] == [2, 17, 18]
    assert parsed.is_valid is False


def test_problem_where_names_row_and_file_header() -> None:
    parsed = parse(corpus("every_error.csv"))

    first = parsed.problems[0]

    assert first == Problem("row 3, column Work Email", "e-mail is missing", "email")
    assert first.where == "row 3, column Work Email"


def test_parse_roster_or_raise_raises_with_all_problems_and_returns_valid_rosters() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_roster_or_raise(corpus("every_error.csv"), today=TODAY)

    assert caught.value.message == "the roster file has 18 problems"
    assert caught.value.problems == parse(corpus("every_error.csv")).problems
    assert len(parse_roster_or_raise(corpus("workday_us.csv"), today=TODAY).rows) == 4


# --- whole-file failures and limits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ["the file is empty"]),
        (b"\r\n,,,\r\n", ["the file is empty"]),
        (b"Name,Email\r\n,\r\n", ["row 1: there are no data rows below the header"]),
        (
            b"PK\x03\x04\x14\x00",
            ["this is an Excel workbook (.xlsx), not a CSV; save it as CSV first"],
        ),
        (b"Name,Email\x00\xff\x00\xfe", ["the file contains NUL bytes; it is not a text CSV file"]),
        (
            b'Name,Email\r\nAda,ada@example.com\r\n"Bea,bea@example.com\r\n',
            ["row 3: a quoted value is never closed; a closing quote is missing"],
        ),
        (
            b'Name,Email\r\n"Ada"x,ada@example.com\r\n',
            ["row 2: the row cannot be read as CSV (',' expected after '\"'); check its quotes"],
        ),
    ],
)
def test_parse_roster_refuses_unreadable_files(data: bytes, expected: list[str]) -> None:
    parsed = parse(data)

    assert (messages(parsed), parsed.rows) == (expected, [])


def test_parse_roster_limits_file_size() -> None:
    data = b"Name,Email\r\n" + b"Ada Byrne,ada@example.com\r\n" * 320_000

    assert messages(parse(data)) == ["the file is 8.2 MB; the limit is 8 MB"]
    assert messages(parse(data[:1000], max_bytes=500)) == [
        "the file is 1000 bytes; the limit is 500 bytes"
    ]


def test_parse_roster_takes_an_organisation_and_limits_rows() -> None:
    lines = [f"Person {n},p{n}@example.com" for n in range(20_001)]
    data = "Name,Email\n" + "\n".join(lines)

    assert len(parse("Name,Email\n" + "\n".join(lines[:10_000])).rows) == 10_000
    assert messages(parse(data)) == ["the file has more than 20000 rows; the limit is 20000"]
    assert len(parse(data, max_rows=20_001).rows) == 20_001
    assert messages(parse(data, max_rows=3)) == ["the file has more than 3 rows; the limit is 3"]


def test_parse_roster_limits_columns() -> None:
    header = ",".join(["Name", "Email", *(f"Extra {n}" for n in range(99))])
    data = f"{header},,,\nAda Byrne,ada@example.com\n"

    assert messages(parse(data)) == ["row 1: the header has 101 columns; the limit is 100"]
    assert messages(parse(data, max_columns=101)) == []


# --- export -----------------------------------------------------------------------------------


def test_export_roster_csv_neutralises_formulas() -> None:
    row = RosterRow(
        name='=HYPERLINK("http://evil.example","click")',
        email="ada@example.com",
        title="+1",
        level="-2",
        function="@SUM(A1:A9)",
        region="Ireland",
        tenure_years=3.5,
        tags=("=cmd", "m&a"),
    )

    exported = export_roster_csv([row])

    assert exported == (
        ",".join(EXPORT_HEADER) + "\r\n"
        '"\'=HYPERLINK(""http://evil.example"",""click"")",ada@example.com,\'+1,\'-2,'
        "'@SUM(A1:A9),Ireland,,3.5,,,'=cmd; m&a,,,\r\n"
    )
    assert parse(exported).rows == [row]


def test_export_roster_csv_round_trips_the_corpus() -> None:
    for name in ("workday_us.csv", "bamboohr_bom.csv", "excel_unicode_text_utf16le.txt"):
        rows = parse(corpus(name)).rows

        again = parse(export_roster_csv(rows))

        assert (again.problems, again.ignored_columns, again.rows) == ([], [], rows)


_words = st.text(alphabet="abcXYZ éß-=+@'&", min_size=1, max_size=12).map(
    lambda text: " ".join(text.split())
)
_optional = st.one_of(st.none(), _words.filter(bool))
_items = st.lists(
    st.text(alphabet="abcdéß&-=+ ", min_size=1, max_size=8).map(lambda t: " ".join(t.split())),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(
    name=_words.filter(bool),
    title=_optional,
    group=_optional,
    tenure=st.one_of(st.none(), st.integers(min_value=0, max_value=400).map(lambda n: n / 8)),
    languages=_items,
)
def test_export_then_import_gives_equal_rows(
    name: str,
    title: str | None,
    group: str | None,
    tenure: float | None,
    languages: list[str],
) -> None:
    unique: list[str] = []
    for item in languages:
        if item and item.casefold() not in {seen.casefold() for seen in unique}:
            unique.append(item)
    row = RosterRow(
        name=name,
        email="person@example.com",
        title=title,
        tenure_years=tenure,
        languages=tuple(unique),
        tags=tuple(item.lower() for item in unique),
        conflict_group=group,
    )

    assert parse(export_roster_csv([row])).rows == [row]


# --- demo roster ------------------------------------------------------------------------------


def test_demo_roster_parses_cleanly_with_26_people() -> None:
    parsed = parse(read_demo_roster())

    assert (parsed.problems, parsed.ignored_columns) == ([], [])
    assert len(parsed.rows) == DEMO_ROSTER_SIZE == 26
    emails = {row.email for row in parsed.rows}
    inside = [(row.name, row.manager_email) for row in parsed.rows if row.manager_email in emails]
    assert inside == [
        ("Isabela Ruiz", "diego.fernandez@ardenvale.example"),
        ("Jonas Eriksen", "sofia.lindqvist@ardenvale.example"),
    ]
    assert sum(1 for row in parsed.rows if row.avoid) == 2
    assert [row.name for row in parsed.rows if row.conflict_group] == [
        "Fatima Zahra Benali",
        "Olga Nowak",
    ]
    assert all("English" in row.languages for row in parsed.rows)
    assert {row.level for row in parsed.rows} == {"Manager", "Senior Manager", "Director"}
    assert len({row.region for row in parsed.rows}) == 24
