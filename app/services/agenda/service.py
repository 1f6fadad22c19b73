"""A cohort's agenda: build it with the solver, edit it by hand with conflicts shown at once.

This module is the front door every surface imports: building and viewing
(``agenda_build``), hand edits (``agenda_edit``), the calendar (``agenda_calendar``), iCalendar
export (``agenda_export``), and the run of show with what a tablet shows now (``agenda_run``).
"""

from __future__ import annotations

from app.services.agenda.build import (
    AgendaView,
    BuildResult,
    DayView,
    Entry,
    agenda_to_json,
    build_agenda,
    get_agenda,
)
from app.services.agenda.calendar import add_block, parse_clock, remove_block, set_day_hours
from app.services.agenda.edit import add_exercise, move_item, remove_exercise, set_pinned
from app.services.agenda.export import build_cohort_ics, build_participant_ics
from app.services.agenda.run import (
    RUN_ACTIONS,
    LogLine,
    NowInfo,
    NowItem,
    OtherDate,
    RunAction,
    RunView,
    act_on_run,
    follow_participant,
    participant_cohort,
    participant_now,
    programme_day,
    view_run_of_show,
)
from app.services.agenda.store import follow_version

__all__ = [
    "RUN_ACTIONS",
    "AgendaView",
    "BuildResult",
    "DayView",
    "Entry",
    "LogLine",
    "NowInfo",
    "NowItem",
    "OtherDate",
    "RunAction",
    "RunView",
    "act_on_run",
    "add_block",
    "add_exercise",
    "agenda_to_json",
    "build_agenda",
    "build_cohort_ics",
    "build_participant_ics",
    "follow_participant",
    "follow_version",
    "get_agenda",
    "move_item",
    "parse_clock",
    "participant_cohort",
    "participant_now",
    "programme_day",
    "remove_block",
    "remove_exercise",
    "set_day_hours",
    "set_pinned",
    "view_run_of_show",
]
