"""Cohorts: create, edit, list what a facilitator may see, their dates and who runs them.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.cohorts.service import (
    MAX_DAYS,
    cohort_end_date,
    count_participants,
    create_cohort,
    get_cohort,
    list_cohorts,
    update_cohort,
)

__all__ = [
    "MAX_DAYS",
    "cohort_end_date",
    "count_participants",
    "create_cohort",
    "get_cohort",
    "list_cohorts",
    "update_cohort",
]
