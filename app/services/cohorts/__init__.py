"""Cohorts: create, edit, list what a facilitator may see, their dates, and their team (who
runs them, as lead or co-facilitator, and what each role may do).

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.cohorts.service import (
    MAX_DAYS,
    assign_facilitator,
    cohort_end_date,
    count_participants,
    create_cohort,
    get_cohort,
    list_cohorts,
    update_cohort,
)
from app.services.cohorts.team import (
    CO_FACILITATOR,
    LEAD,
    TeamMember,
    add_to_team,
    change_team_role,
    check_lead,
    list_team,
    may_lead,
    remove_from_team,
    team_role,
)

__all__ = [
    "CO_FACILITATOR",
    "LEAD",
    "MAX_DAYS",
    "TeamMember",
    "add_to_team",
    "assign_facilitator",
    "change_team_role",
    "check_lead",
    "cohort_end_date",
    "count_participants",
    "create_cohort",
    "get_cohort",
    "list_cohorts",
    "list_team",
    "may_lead",
    "remove_from_team",
    "team_role",
    "update_cohort",
]
