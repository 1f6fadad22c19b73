"""How a roster file is read: date order, encoding, formula-like values, remembered per cohort."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.core.errors import InvalidInput
from app.models import Cohort, RosterProfile
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster
from app.services.roster.columns import suggest_field
from app.services.roster.csv_file import parse_roster
from app.services.roster.preview import describe_preview

TODAY = date(2026, 11, 26)
HEADER = "Name,Email,Level,Hire Date,Pool Label\n"
ANA = "Ana Silva,ana@example.com,M3,11/03/2016,CFO Europe\n"
BEN = "Ben Okoro,ben@example.com,M3,05/05/2019,CFO Europe\n"


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(session, name="Spring Intensive", start_date=date(2027, 3, 1))
    session.commit()
    return c


def _messages(error: InvalidInput) -> list[str]:
    return [str(p) for p in error.problems]


# --- dates -------------------------------------------------------------------------------------


def test_ambiguous_dates_block_the_import_until_the_format_is_chosen(
    session: Session, cohort: Cohort
) -> None:
    data = (HEADER + ANA + BEN).encode()
    with pytest.raises(InvalidInput) as caught:
        roster.import_roster(session, cohort=cohort, data=data, today=TODAY)
    assert _messages(caught.value) == [
        "row 2, column Hire Date: \u201c11/03/2016\u201d can be 11 March 2016 (day first) or "
        "3 November 2016 (month first); choose the file's date format"
    ]
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []

    roster.import_roster(session, cohort=cohort, data=data, today=TODAY, date_format="mm/dd/yyyy")
    session.commit()
    assert [p.hire_date for p in roster.list_participants(session, cohort=cohort)] == [
        date(2016, 11, 3),
        date(2019, 5, 5),
    ]


def test_a_date_that_reads_one_way_only_decides_the_files_format() -> None:
    text = HEADER + ANA + "Cho Min,cho@example.com,M2,25/12/2015,\n"
    parsed = parse_roster(text, today=TODAY)
    assert parsed.problems == []
    assert parsed.date_format == "dmy"
    assert [row.hire_date for row in parsed.rows] == [date(2016, 3, 11), date(2015, 12, 25)]


def test_the_date_format_is_remembered_for_the_cohorts_next_import(
    session: Session, cohort: Cohort
) -> None:
    data = (HEADER + ANA + BEN).encode()
    roster.import_roster(session, cohort=cohort, data=data, today=TODAY, date_format="dmy")
    session.commit()
    again = roster.import_roster(session, cohort=cohort, data=data, today=TODAY, dry_run=True)
    assert again.summary() == {"added": 0, "updated": 0, "removed": 0, "unchanged": 2}
    assert again.parsed.dates is not None
    assert again.parsed.dates.source == "cohort"


def test_an_unknown_date_format_is_a_clear_error(session: Session, cohort: Cohort) -> None:
    with pytest.raises(InvalidInput) as caught:
        roster.import_roster(
            session, cohort=cohort, data=(HEADER + ANA).encode(), date_format="yyyy"
        )
    assert _messages(caught.value) == ["--date-format yyyy: use dd/mm/yyyy or mm/dd/yyyy"]


# --- the column mapping, remembered ------------------------------------------------------------


def test_reimporting_the_same_file_keeps_the_mapping_and_changes_nothing(
    session: Session, cohort: Cohort
) -> None:
    data = (HEADER + ANA + BEN).encode()
    roster.import_roster(
        session,
        cohort=cohort,
        data=data,
        today=TODAY,
        date_format="dmy",
        mapping={"Pool Label": "conflict_group"},
    )
    session.commit()
    assert [p.conflict_group for p in roster.list_participants(session, cohort=cohort)] == [
        "CFO Europe",
        "CFO Europe",
    ]

    again = roster.import_roster(session, cohort=cohort, data=data, today=TODAY, dry_run=True)

    assert again.summary() == {"added": 0, "updated": 0, "removed": 0, "unchanged": 2}
    assert again.updated == []
    profile = session.get(RosterProfile, cohort.id)
    assert profile is not None
    assert (profile.mapping, profile.date_format) == (
        {
            "Name": "name",
            "Email": "email",
            "Level": "level",
            "Hire Date": "hire_date",
            "Pool Label": "conflict_group",
        },
        "dmy",
    )


def test_a_remembered_mapping_leaves_columns_the_file_lacks_alone(
    session: Session, cohort: Cohort
) -> None:
    roster.import_roster(
        session,
        cohort=cohort,
        data=(HEADER + ANA).encode(),
        today=TODAY,
        date_format="dmy",
        mapping={"Pool Label": "conflict_group"},
    )
    session.commit()
    other = "Name,Work Mail\nAna Silva,ana@example.com\n"
    preview = roster.import_roster(
        session, cohort=cohort, data=other.encode(), today=TODAY, dry_run=True,
        mapping={"Work Mail": "email"},
    )  # fmt: skip
    assert preview.problems == []
    assert preview.parsed.mapping == {"Name": "name", "Work Mail": "email"}


@pytest.mark.parametrize(
    "header",
    [
        "Succession Pool",
        "Talent Pool",
        "Succession Slate",
        "Successor For",
        "Successor to",
        "Succession Pool (Role)",
    ],
)
def test_succession_headers_read_as_the_conflict_group(header: str) -> None:
    assert suggest_field(header) == "conflict_group"
    parsed = parse_roster(f"Name,Email,{header}\nAna,ana@example.com,CFO Europe\n", today=TODAY)
    assert parsed.rows[0].conflict_group == "CFO Europe"


# --- encodings ---------------------------------------------------------------------------------

MIXED = (
    "Name,Email\nJürgen Strauß,jurgen@example.com\n".encode()
    + b"Jos\xe9 Pe\xf1a,jose@example.com\n"
)


def test_invalid_utf8_is_never_read_silently_as_cp1252(session: Session, cohort: Cohort) -> None:
    with pytest.raises(InvalidInput) as caught:
        roster.import_roster(session, cohort=cohort, data=MIXED, today=TODAY)
    assert _messages(caught.value) == [
        "the file is not valid UTF-8, and it does not read cleanly as Windows text either, so "
        "names would come out garbled; choose the file's encoding below",
        "row 3, column Name: \u201cJos\ufffd Pe\ufffda\u201d holds bytes that are not valid "
        "UTF-8 (Unicode)",
    ]
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []


def test_a_chosen_encoding_that_cannot_read_the_file_names_the_cell() -> None:
    parsed = parse_roster(b"Name,Email\nAna \x81,ana@example.com\n", encoding="cp1252")
    assert [str(p) for p in parsed.problems] == [
        "the file cannot be read as Windows Western European (cp1252); choose another "
        "encoding below",
        "row 2, column Name: \u201cAna \ufffd\u201d holds bytes that are not valid Windows "
        "Western European (cp1252)",
    ]


def test_a_guessed_cp1252_file_says_so_and_the_right_encoding_can_be_chosen(
    session: Session, cohort: Cohort
) -> None:
    polish = "Name,Email\nŁukasz Wójcik,lukasz@example.com\n".encode("cp1250")
    guessed = parse_roster(polish, today=TODAY)
    assert guessed.problems == []
    assert (guessed.encoding, guessed.encoding_status) == ("cp1252", "guessed")
    assert [str(w) for w in guessed.warnings] == [
        "the file is not UTF-8, so it was read as Windows Western European (cp1252), the usual "
        "encoding of Excel on Windows; check the names below (such as row 2: £ukasz Wójcik) and "
        "choose another encoding if they look wrong"
    ]
    options = {o.name: o.sample for o in describe_preview(guessed).encoding_options}
    assert (options["cp1252"], options["cp1250"]) == ("£ukasz Wójcik", "Łukasz Wójcik")
    with pytest.raises(roster.UnacceptedWarnings):
        roster.import_roster(session, cohort=cohort, data=polish, today=TODAY)

    roster.import_roster(session, cohort=cohort, data=polish, today=TODAY, encoding="cp1250")
    session.commit()
    assert [p.name for p in roster.list_participants(session, cohort=cohort)] == ["Łukasz Wójcik"]
    again = roster.import_roster(session, cohort=cohort, data=polish, today=TODAY, dry_run=True)
    assert (again.parsed.encoding_status, again.warnings, again.summary()["unchanged"]) == (
        "remembered",
        [],
        1,
    )


# --- formula-like values -----------------------------------------------------------------------

FORMULAS = (
    "Name,Email,Title\n"
    '"=HYPERLINK(""http://evil.example/x"",""Ana"")",ana@example.com,Manager\n'
    "Ben Okoro,ben@example.com,@SUM(A1:A9)\n"
    "Cho Min,cho@example.com,-\n"
)


def test_formula_like_values_are_warned_about_per_row_and_column(
    session: Session, cohort: Cohort
) -> None:
    preview = roster.import_roster(
        session, cohort=cohort, data=FORMULAS.encode(), today=TODAY, dry_run=True
    )
    assert [w.where for w in preview.warnings] == ["row 2, column Name", "row 3, column Title"]
    assert preview.warnings[1].message == (
        "\u201c@SUM(A1:A9)\u201d starts with \u201c@\u201d like a spreadsheet formula; it will "
        "be imported, shown and printed exactly as written, as plain text. Check that this is "
        "really what belongs here"
    )
    with pytest.raises(roster.UnacceptedWarnings):
        roster.import_roster(session, cohort=cohort, data=FORMULAS.encode(), today=TODAY)
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []

    roster.import_roster(
        session, cohort=cohort, data=FORMULAS.encode(), today=TODAY, accept_warnings=True
    )
    session.commit()
    assert [(p.name, p.title) for p in roster.list_participants(session, cohort=cohort)] == [
        ('=HYPERLINK("http://evil.example/x","Ana")', "Manager"),
        ("Ben Okoro", "@SUM(A1:A9)"),
        ("Cho Min", "-"),
    ]
