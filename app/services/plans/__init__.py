"""Development plans and the partnership after the program: versioned plans, sharing with the
buddy, check-ins as appointments (moved, held, reminded by mail with a calendar invitation),
private notes, shared next steps, renewing or ending the partnership.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.plans.checkins import (
    MIN_GROUP,
    CheckInPage,
    SmallCount,
    checkin_page,
    checkin_state_labels,
    held_checkins,
    mark_held,
    move_checkin,
)
from app.services.plans.pair import partnership_group_of, partnership_state
from app.services.plans.partnership import (
    REASON_LABELS,
    RHYTHMS,
    agree_rhythm,
    change_partnership,
    checkin_calendar,
    partnership_view,
    propose_rhythm,
    reason_labels,
    rhythm_labels,
    save_checkin_note,
    workbook_checkins,
)
from app.services.plans.reminders import ReminderSweep, reminder_due, send_checkin_reminders
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
from app.services.plans.steps import add_agreed_step, remove_step, tick_step

__all__ = [
    "MAX_GOALS",
    "MIN_GROUP",
    "REASON_LABELS",
    "RHYTHMS",
    "CheckInPage",
    "ReminderSweep",
    "SmallCount",
    "StalePlan",
    "add_agreed_step",
    "add_plan_comment",
    "agree_rhythm",
    "change_partnership",
    "checkin_calendar",
    "checkin_page",
    "checkin_state_labels",
    "exercise_drafts",
    "held_checkins",
    "import_exercise_drafts",
    "mark_held",
    "move_checkin",
    "partnership_group_of",
    "partnership_state",
    "partnership_view",
    "plans_overview",
    "propose_rhythm",
    "reason_labels",
    "reminder_due",
    "remove_step",
    "resolve_plan_comment",
    "rhythm_labels",
    "save_checkin_note",
    "save_plan",
    "send_checkin_reminders",
    "set_shared_parts",
    "tick_step",
    "workbook_checkins",
    "workbook_plan",
]
