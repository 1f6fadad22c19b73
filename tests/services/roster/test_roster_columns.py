"""Roster columns: header aliases, explicit mappings and the header problems they report."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.errors import InvalidInput
from app.services.roster.csv_file import (
    FIELDS,
    RosterRow,
    detect_columns,
    parse_mapping_args,
)
from tests.services.roster.corpus import corpus, messages, parse


def test_parse_roster_requires_email_and_name_columns() -> None:
    parsed = parse(corpus("unmapped_headers.csv"))

    columns = "Full Legal Nm, Login, Grade Code, Dept, Nation, Joined, Boss Login"
    assert messages(parsed) == [
        f"row 1: no e-mail column found (columns: {columns}); map one to email",
        f"row 1: no name column found (columns: {columns}); map one to name, or map "
        "first_name and last_name",
    ]
    assert parsed.rows == []


def test_parse_roster_applies_explicit_mapping() -> None:
    mapping = parse_mapping_args(
        [
            "Full Legal Nm=name",
            "login=email",
            "Grade Code=level",
            "Dept=function",
            "Nation=region",
            "Joined=hire_date",
            "Boss Login=manager",
        ]
    )

    parsed = parse(corpus("unmapped_headers.csv"), mapping=mapping)

    assert parsed.problems == []
    assert parsed.ignored_columns == []
    assert parsed.rows[1] == RosterRow(
        name="Ben Okoye",
        email="ben.okoye@example.com",
        level="M1",
        function="Finance",
        region="Nigeria",
        tenure_years=4.32,
        hire_date=date(2021, 3, 4),
        manager_email="ada.byrne@example.com",
    )


def test_parse_roster_explicit_mapping_overrides_aliases() -> None:
    data = "Name,Email,Country,Location\nAda Byrne,ada@example.com,Ireland,Dublin Docklands\n"

    parsed = parse(data, mapping={"Location": "region", "Country": "ignore"})

    assert parsed.rows[0].region == "Dublin Docklands"
    assert parsed.ignored_columns == ["Country"]


def test_parse_roster_reports_bad_explicit_mapping() -> None:
    data = "Name,Email,Login\nAda Byrne,ada@example.com,ada\n"

    parsed = parse(data, mapping={"Mail": "email", "Login": "emial"})

    assert messages(parsed) == [
        "row 1: the mapping names column 'Mail', which is not in the header",
        "row 1, column Login: unknown field 'emial' in the mapping; use one of "
        + ", ".join(FIELDS),
    ]


def test_parse_roster_reports_two_columns_mapped_to_one_field() -> None:
    data = "Name,Email,Login\nAda Byrne,ada@example.com,ada@example.com\n"

    parsed = parse(data, mapping={"Email": "email", "Login": "email"})

    assert messages(parsed) == [
        "row 1: columns Email and Login are both mapped to email; map only one"
    ]


def test_parse_roster_reports_a_repeated_header() -> None:
    data = "Name,Email,E-mail\nAda Byrne,ada@example.com,ada@other.example\n"

    parsed = parse(data)

    assert messages(parsed) == [
        "row 1, column E-mail: this header appears more than once; rename one of the columns"
    ]


def test_parse_roster_lists_unnamed_columns_with_data_as_ignored() -> None:
    data = "Name,Email,,Notes\nAda Byrne,ada@example.com,x,likes tea\n"

    parsed = parse(data)

    assert parsed.problems == []
    assert parsed.ignored_columns == ["Notes", "column C (no header)"]


def test_parse_roster_merges_several_list_columns() -> None:
    data = "Name,Email,Language 1,Languages\nAda Byrne,ada@example.com,English,Irish / english\n"

    parsed = parse(data, mapping={"Language 1": "languages"})

    assert parsed.rows[0].languages == ("English", "Irish")


def test_detect_columns_returns_headers_and_suggested_mapping() -> None:
    headers, suggested = detect_columns(corpus("sap_semicolon_decimal_comma.csv"))

    assert headers[:4] == ["Personnel Number", "Last Name", "First Name", "E-Mail Address"]
    assert suggested["E-Mail Address"] == "email"
    assert "Personnel Number" not in suggested
    assert detect_columns(corpus("unmapped_headers.csv"))[1] == {}


def test_detect_columns_raises_for_unreadable_files() -> None:
    with pytest.raises(InvalidInput) as caught:
        detect_columns(b"PK\x03\x04 binary")

    assert [str(problem) for problem in caught.value.problems] == [
        "this is an Excel workbook (.xlsx), not a CSV; save it as CSV first"
    ]


def test_parse_mapping_args_normalises_field_names() -> None:
    assert parse_mapping_args(["Work Mail=email", "Rivals = Conflict-Group", "a=b=tags"]) == {
        "Work Mail": "email",
        "Rivals": "conflict_group",
        "a=b": "tags",
    }


def test_parse_mapping_args_reports_every_bad_option() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_mapping_args(["Mail", "Boss=supervisor", "=email"])

    assert [str(problem) for problem in caught.value.problems] == [
        '--map Mail: expected "Header=field", e.g. "Work Mail=email"',
        f"--map Boss=supervisor: unknown field 'supervisor'; use one of {', '.join(FIELDS)}",
        '--map =email: expected "Header=field", e.g. "Work Mail=email"',
    ]


def test_fields_describe_every_mapping_target() -> None:
    assert list(FIELDS) == [
        "name", "first_name", "preferred_name", "last_name", "email", "title", "level",
        "function", "region", "hire_date", "tenure", "manager", "languages", "language", "tags",
        "avoid", "conflict_group", "ignore",
    ]  # fmt: skip
    assert all(FIELDS.values())
