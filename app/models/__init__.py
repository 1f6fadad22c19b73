"""All tables, imported here so that Alembic and ``create_all`` see the whole metadata."""

from app.models import agenda, links, plans, tablet  # noqa: F401  (tables registered on import)
from app.models.accounts import (
    Facilitator,
    LoginAttempt,
    ParticipantPin,
    PasswordLink,
    WebSession,
)
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.cohorts import (
    Cohort,
    CohortFacilitator,
    Participant,
    Person,
    RosterImport,
    RosterProfile,
)
from app.models.intake import IntakeAnswer, IntakeAvoid
from app.models.jobs import Job
from app.models.links import SignInLink
from app.models.mail import MailBounce, MailOptOut, OutboxMessage
from app.models.matching import BuddyGroup, BuddyMember, PairingHistory
from app.models.program import CohortExercise

__all__ = [
    "AuditEvent",
    "BuddyGroup",
    "BuddyMember",
    "Cohort",
    "CohortExercise",
    "CohortFacilitator",
    "Facilitator",
    "IntakeAnswer",
    "IntakeAvoid",
    "Job",
    "LoginAttempt",
    "MailBounce",
    "MailOptOut",
    "OutboxMessage",
    "PairingHistory",
    "Participant",
    "ParticipantPin",
    "PasswordLink",
    "Person",
    "RosterImport",
    "RosterProfile",
    "SignInLink",
    "WebSession",
    "utcnow",
]
