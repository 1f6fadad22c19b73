"""The cone of silence: the one policy that decides every read of answer and plan content,
the participant's data export, erasure and the retention purge.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.privacy.data_rights import (
    check_admin,
    erase_participant,
    export_my_data,
    purge_cohort_content,
    purge_due,
    purgeable_cohorts,
)
from app.services.privacy.visibility import (
    PLAN_NOT_FOUND,
    BuddyAnswers,
    StepView,
    Viewer,
    audience_label,
    buddies_of,
    current_group_of,
    members_of,
    participant_for,
    printable_answers,
    printable_plan,
    read_agreed_steps,
    read_answers,
    read_checkin_notes,
    read_plan,
    read_plan_comments,
    read_plan_versions,
    shared_with,
)

__all__ = [
    "PLAN_NOT_FOUND",
    "BuddyAnswers",
    "StepView",
    "Viewer",
    "audience_label",
    "buddies_of",
    "check_admin",
    "current_group_of",
    "erase_participant",
    "export_my_data",
    "members_of",
    "participant_for",
    "printable_answers",
    "printable_plan",
    "purge_cohort_content",
    "purge_due",
    "purgeable_cohorts",
    "read_agreed_steps",
    "read_answers",
    "read_checkin_notes",
    "read_plan",
    "read_plan_comments",
    "read_plan_versions",
    "shared_with",
]
