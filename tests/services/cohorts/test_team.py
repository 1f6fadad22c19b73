"""A cohort's team: leads and co-facilitators, who may lead, and the last lead staying."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import AuditEvent, Cohort, Facilitator
from app.services import accounts, cohorts
from tests.conftest import make_facilitator


def _cohort(session: Session, lead: Facilitator) -> Cohort:
    return cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1), actor=lead)


def _team(session: Session, cohort: Cohort) -> list[tuple[str, str]]:
    return [(m.facilitator.email, m.role) for m in cohorts.list_team(session, cohort=cohort)]


def test_the_creator_leads_and_others_join_as_co_facilitators(session: Session) -> None:
    lea = make_facilitator(session, "lea@example.com")
    cole = make_facilitator(session, "cole@example.com")
    spring = _cohort(session, lea)

    cohorts.add_to_team(session, cohort=spring, facilitator=cole, role="co-facilitator", actor=lea)

    assert _team(session, spring) == [
        ("lea@example.com", "lead"),
        ("cole@example.com", "co-facilitator"),
    ]
    assert cohorts.may_lead(session, cohort=spring, viewer=lea)
    assert not cohorts.may_lead(session, cohort=spring, viewer=cole)
    with pytest.raises(Forbidden):
        cohorts.check_lead(session, cohort=spring, viewer=cole)
    assert [c.slug for c in cohorts.list_cohorts(session, viewer=cole)] == [spring.slug]


def test_admins_and_the_command_line_may_lead_any_cohort(session: Session) -> None:
    lea = make_facilitator(session, "lea@example.com")
    ada = make_facilitator(session, "ada@example.com", admin=True)
    spring = _cohort(session, lea)

    assert cohorts.may_lead(session, cohort=spring, viewer=ada)
    assert cohorts.may_lead(session, cohort=spring, viewer=None)
    assert cohorts.team_role(session, cohort=spring, viewer=ada) is None


def test_the_last_lead_can_be_neither_demoted_nor_removed(session: Session) -> None:
    lea = make_facilitator(session, "lea@example.com")
    cole = make_facilitator(session, "cole@example.com")
    spring = _cohort(session, lea)
    cohorts.add_to_team(session, cohort=spring, facilitator=cole, role="co-facilitator")

    with pytest.raises(Conflict, match="at least one lead"):
        cohorts.change_team_role(session, cohort=spring, facilitator=lea, role="co-facilitator")
    with pytest.raises(Conflict, match="at least one lead"):
        cohorts.remove_from_team(session, cohort=spring, facilitator=lea)

    cohorts.change_team_role(session, cohort=spring, facilitator=cole, role="lead")
    cohorts.remove_from_team(session, cohort=spring, facilitator=lea)
    assert _team(session, spring) == [("cole@example.com", "lead")]


def test_a_team_change_that_makes_no_sense_is_refused(session: Session) -> None:
    lea = make_facilitator(session, "lea@example.com")
    cole = make_facilitator(session, "cole@example.com")
    spring = _cohort(session, lea)

    with pytest.raises(InvalidInput) as bad_role:
        cohorts.add_to_team(session, cohort=spring, facilitator=cole, role="boss")
    with pytest.raises(Conflict, match="already on the team"):
        cohorts.add_to_team(session, cohort=spring, facilitator=lea, role="lead")
    with pytest.raises(NotFound):
        cohorts.remove_from_team(session, cohort=spring, facilitator=cole)
    accounts.deactivate_facilitator(session, facilitator=cole)
    with pytest.raises(Conflict, match="deactivated"):
        cohorts.add_to_team(session, cohort=spring, facilitator=cole, role="co-facilitator")

    assert [p.field for p in bad_role.value.problems] == ["role"]
    assert _team(session, spring) == [("lea@example.com", "lead")]


def test_team_changes_are_audited_with_ids_and_the_role(session: Session) -> None:
    lea = make_facilitator(session, "lea@example.com")
    cole = make_facilitator(session, "cole@example.com")
    spring = _cohort(session, lea)

    cohorts.add_to_team(session, cohort=spring, facilitator=cole, role="co-facilitator", actor=lea)
    cohorts.change_team_role(session, cohort=spring, facilitator=cole, role="lead", actor=lea)
    cohorts.remove_from_team(session, cohort=spring, facilitator=cole, actor=lea)

    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.action).startswith("cohort.team."))
    ).all()
    assert [(e.actor, e.action, e.object_id, e.cohort_id, e.detail) for e in events] == [
        (
            f"facilitator:{lea.id}",
            "cohort.team.assign",
            str(cole.id),
            spring.id,
            {"role": "co-facilitator"},
        ),
        (f"facilitator:{lea.id}", "cohort.team.role", str(cole.id), spring.id, {"role": "lead"}),
        (f"facilitator:{lea.id}", "cohort.team.unassign", str(cole.id), spring.id, {}),
    ]
