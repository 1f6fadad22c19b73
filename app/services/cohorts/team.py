"""A cohort's team: which facilitators run it, and in which role.

The lead (and any admin) manages the team and does what cannot be undone — publishing the
pairs, ending a published pairing, taking people off the roster; a co-facilitator runs the
room and edits. A cohort keeps at least one lead once it has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from app.core.i18n import gettext as _
from app.core.i18n import pgettext
from app.models import Cohort, CohortFacilitator, Facilitator
from app.models.cohorts import TEAM_ROLES
from app.services.ops import record_event

LEAD, CO_FACILITATOR = TEAM_ROLES


@dataclass(frozen=True, slots=True)
class TeamMember:
    facilitator: Facilitator
    role: str


def list_team(session: Session, *, cohort: Cohort) -> list[TeamMember]:
    """The cohort's facilitators, leads first, then by name."""
    rows = session.exec(
        select(Facilitator, CohortFacilitator.role)
        .join(CohortFacilitator, col(CohortFacilitator.facilitator_id) == col(Facilitator.id))
        .where(CohortFacilitator.cohort_id == cohort.id)
    ).all()
    members = [TeamMember(f, role) for f, role in rows]
    return sorted(members, key=lambda m: (m.role != LEAD, m.facilitator.name.lower()))


def team_role(session: Session, *, cohort: Cohort, viewer: Facilitator | None) -> str | None:
    """The viewer's role in the cohort's team (None when not on it)."""
    if viewer is None:
        return None
    row = session.get(CohortFacilitator, (cohort.id, viewer.id))
    return row.role if row else None


def may_lead(session: Session, *, cohort: Cohort, viewer: Facilitator | None) -> bool:
    """True for an admin, the CLI (no viewer) or the cohort's lead."""
    if viewer is None or viewer.is_admin:
        return True
    return team_role(session, cohort=cohort, viewer=viewer) == LEAD


def check_lead(session: Session, *, cohort: Cohort, viewer: Facilitator | None) -> None:
    """Forbidden unless the viewer may do what only the cohort's lead or an admin may do."""
    if not may_lead(session, cohort=cohort, viewer=viewer):
        raise Forbidden(_("Only the cohort's lead or an admin may do this."))


def add_to_team(
    session: Session,
    *,
    cohort: Cohort,
    facilitator: Facilitator,
    role: str,
    actor: Facilitator | None = None,
) -> TeamMember:
    """Put an active facilitator on the cohort's team in ``role``."""
    _check_role(role)
    if not facilitator.active:
        raise Conflict(_("%(email)s is deactivated", email=facilitator.email))
    if session.get(CohortFacilitator, (cohort.id, facilitator.id)) is not None:
        raise Conflict(
            _(
                "%(email)s is already on the team; change their role instead",
                email=facilitator.email,
            )
        )
    assert cohort.id is not None
    assert facilitator.id is not None
    session.add(CohortFacilitator(cohort_id=cohort.id, facilitator_id=facilitator.id, role=role))
    session.flush()
    _record(session, actor, "cohort.team.assign", cohort, facilitator, role)
    return TeamMember(facilitator, role)


def change_team_role(
    session: Session,
    *,
    cohort: Cohort,
    facilitator: Facilitator,
    role: str,
    actor: Facilitator | None = None,
) -> TeamMember:
    """Make a team member the lead or a co-facilitator; the last lead stays lead."""
    _check_role(role)
    row = _member(session, cohort, facilitator)
    if row.role == role:
        return TeamMember(facilitator, role)
    if row.role == LEAD:
        _keep_a_lead(session, cohort)
    row.role = role
    session.add(row)
    session.flush()
    _record(session, actor, "cohort.team.role", cohort, facilitator, role)
    return TeamMember(facilitator, role)


def remove_from_team(
    session: Session,
    *,
    cohort: Cohort,
    facilitator: Facilitator,
    actor: Facilitator | None = None,
) -> None:
    """Take a facilitator off the cohort's team; the last lead stays."""
    row = _member(session, cohort, facilitator)
    if row.role == LEAD:
        _keep_a_lead(session, cohort)
    session.delete(row)
    session.flush()
    _record(session, actor, "cohort.team.unassign", cohort, facilitator, None)


def _check_role(role: str) -> None:
    if role not in TEAM_ROLES:
        raise InvalidInput(
            _("the team was not changed"),
            [
                Problem(
                    pgettext("form field", "role"),
                    _("must be lead or co-facilitator"),
                    "role",
                )
            ],
        )


def _member(session: Session, cohort: Cohort, facilitator: Facilitator) -> CohortFacilitator:
    row = session.get(CohortFacilitator, (cohort.id, facilitator.id))
    if row is None:
        raise NotFound(_("%(email)s is not on this cohort's team", email=facilitator.email))
    return row


def _keep_a_lead(session: Session, cohort: Cohort) -> None:
    leads = session.exec(
        select(func.count())
        .select_from(CohortFacilitator)
        .where(CohortFacilitator.cohort_id == cohort.id, CohortFacilitator.role == LEAD)
    ).one()
    if leads <= 1:
        raise Conflict(_("a cohort keeps at least one lead: make someone else lead first"))


def _record(
    session: Session,
    actor: Facilitator | None,
    action: str,
    cohort: Cohort,
    facilitator: Facilitator,
    role: str | None,
) -> None:
    record_event(
        session,
        actor=f"facilitator:{actor.id}" if actor is not None else "cli",
        action=action,
        object_type="facilitator",
        object_id=facilitator.id or "",
        cohort_id=cohort.id,
        detail={"role": role} if role else None,
    )
