"""All tables, imported here so that Alembic and ``create_all`` see the whole metadata."""

from app.models.accounts import Facilitator, LoginAttempt, WebSession
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.cohorts import Cohort, CohortFacilitator, Participant, Person, RosterImport

__all__ = [
    "AuditEvent",
    "Cohort",
    "CohortFacilitator",
    "Facilitator",
    "LoginAttempt",
    "Participant",
    "Person",
    "RosterImport",
    "WebSession",
    "utcnow",
]
