"""Development plans and the partnership after the program: versioned plans, sharing with the
buddy, check-ins, private notes and shared next steps.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.plans.partnership import (
    REASON_LABELS,
    RHYTHMS,
    add_agreed_step,
    agree_rhythm,
    change_partnership,
    checkin_calendar,
    partnership_group_of,
    partnership_state,
    partnership_view,
    propose_rhythm,
    reason_labels,
    rhythm_labels,
    save_checkin_note,
    workbook_checkins,
)
from app.services.plans.service import (
    MAX_GOALS,
    StalePlan,
    add_plan_comment,
    exercise_drafts,
    import_exercise_drafts,
    plans_overview,
    resolve_plan_comment,
    save_plan,
    set_shared_parts,
    workbook_plan,
)

__all__ = [
    "MAX_GOALS",
    "REASON_LABELS",
    "RHYTHMS",
    "StalePlan",
    "add_agreed_step",
    "add_plan_comment",
    "agree_rhythm",
    "change_partnership",
    "checkin_calendar",
    "exercise_drafts",
    "import_exercise_drafts",
    "partnership_group_of",
    "partnership_state",
    "partnership_view",
    "plans_overview",
    "propose_rhythm",
    "reason_labels",
    "resolve_plan_comment",
    "rhythm_labels",
    "save_checkin_note",
    "save_plan",
    "set_shared_parts",
    "workbook_checkins",
    "workbook_plan",
]
