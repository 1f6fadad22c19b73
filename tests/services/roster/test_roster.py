"""Applying roster files to a cohort: preview, all-or-nothing, idempotent, diffs, conflicts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput
from app.demo import read_demo_roster
from app.models import Cohort, Participant, Person
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster

TODAY = date(2026, 11, 26)
HEADER = "Employee Name,Work Email,Management Level,Supervisory Organization,Country,Hire Date\n"
ANA = "Ana Silva,ana@example.com,Manager,Finance,Portugal,2019-03-01\n"
BEN = "Ben Okoro,ben@example.com,Manager,Sales,Nigeria,2015-06-15\n"
CHO = "Cho Min,cho@example.com,Director,Operations,Korea,2010-01-04\n"


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(session, name="Spring Intensive", start_date=date(2027, 3, 1))
    session.commit()
    return c


def _import(session: Session, cohort: Cohort, text: str, **kw: object) -> roster.ImportPreview:
    preview = roster.import_roster(session, cohort=cohort, data=text.encode(), today=TODAY, **kw)  # type: ignore[arg-type]
    session.commit()
    return preview


def test_import_adds_participants_and_people(session: Session, cohort: Cohort) -> None:
    preview = _import(session, cohort, HEADER + ANA + BEN)
    assert preview.summary() == {"added": 2, "updated": 0, "removed": 0, "unchanged": 0}
    people = roster.list_participants(session, cohort=cohort)
    assert [(p.name, p.email, p.function, p.region) for p in people] == [
        ("Ana Silva", "ana@example.com", "Finance", "Portugal"),
        ("Ben Okoro", "ben@example.com", "Sales", "Nigeria"),
    ]
    assert sorted(session.exec(select(Person.email)).all()) == [
        "ana@example.com",
        "ben@example.com",
    ]


def test_reimporting_the_same_file_changes_nothing(session: Session, cohort: Cohort) -> None:
    _import(session, cohort, HEADER + ANA + BEN)
    version = cohort.roster_version
    preview = roster.import_roster(
        session, cohort=cohort, data=(HEADER + ANA + BEN).encode(), today=date(2027, 2, 1)
    )
    assert preview.summary() == {"added": 0, "updated": 0, "removed": 0, "unchanged": 2}
    assert cohort.roster_version == version


def test_changed_file_shows_added_updated_and_removed(session: Session, cohort: Cohort) -> None:
    _import(session, cohort, HEADER + ANA + BEN)
    changed = HEADER + ANA.replace("Finance", "Legal") + CHO
    preview = roster.import_roster(
        session, cohort=cohort, data=changed.encode(), today=TODAY, dry_run=True
    )
    assert [c.email for c in preview.added] == ["cho@example.com"]
    assert [(c.email, c.changes) for c in preview.updated] == [
        ("ana@example.com", {"function": ("Finance", "Legal")})
    ]
    assert [c.email for c in preview.removed] == ["ben@example.com"]
    session.rollback()
    assert len(roster.list_participants(session, cohort=cohort)) == 2


def test_invalid_file_writes_nothing(session: Session, cohort: Cohort) -> None:
    _import(session, cohort, HEADER + ANA)
    broken = HEADER + BEN + "No Email,,Manager,Sales,Chile,2020-01-01\n" + CHO
    with pytest.raises(InvalidInput) as caught:
        roster.import_roster(session, cohort=cohort, data=broken.encode(), today=TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "row 3, column Work Email: e-mail is missing"
    ]
    session.rollback()
    assert [p.email for p in roster.list_participants(session, cohort=cohort)] == [
        "ana@example.com"
    ]


def test_preview_then_confirm_applies_what_was_previewed(session: Session, cohort: Cohort) -> None:
    preview = roster.preview_import(
        session, cohort=cohort, data=(HEADER + ANA).encode(), filename="hr.csv", today=TODAY
    )
    session.commit()
    assert roster.list_participants(session, cohort=cohort) == []
    assert preview.import_id is not None
    roster.apply_pending_import(session, cohort=cohort, import_id=preview.import_id, today=TODAY)
    session.commit()
    assert [p.email for p in roster.list_participants(session, cohort=cohort)] == [
        "ana@example.com"
    ]


def test_confirm_after_the_roster_changed_is_a_conflict(session: Session, cohort: Cohort) -> None:
    preview = roster.preview_import(
        session, cohort=cohort, data=(HEADER + ANA).encode(), today=TODAY
    )
    _import(session, cohort, HEADER + BEN)
    assert preview.import_id is not None
    with pytest.raises(Conflict):
        roster.apply_pending_import(session, cohort=cohort, import_id=preview.import_id)


def test_same_person_in_two_cohorts_is_one_person(session: Session, cohort: Cohort) -> None:
    other = cohorts.create_cohort(session, name="Autumn", start_date=date(2027, 9, 6))
    _import(session, cohort, HEADER + ANA)
    _import(session, other, HEADER + ANA.replace("ana@", "ANA@"))
    assert len(session.exec(select(Person)).all()) == 1
    assert len(session.exec(select(Participant)).all()) == 2


def test_export_neutralises_formulas_and_round_trips(session: Session, cohort: Cohort) -> None:
    _import(
        session,
        cohort,
        HEADER + '"=HYPERLINK(""http://x"")",eve@example.com,Manager,Sales,Peru,2020-01-01\n',
        accept_warnings=True,
    )
    text = roster.export_roster(session, cohort=cohort)
    assert "'=HYPERLINK" in text
    again = roster.import_roster(
        session, cohort=cohort, data=text.encode(), today=TODAY, dry_run=True
    )
    assert again.summary()["unchanged"] == 1


def test_demo_roster_imports_cleanly(session: Session, cohort: Cohort) -> None:
    preview = roster.import_roster(session, cohort=cohort, data=read_demo_roster(), today=TODAY)
    assert preview.summary()["added"] == 26
