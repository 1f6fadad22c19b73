"""The four days: the calendar (hours, breaks, fixed blocks), the CP-SAT solver that places
the exercises, hand edits with conflicts shown at once, the live run of show and iCalendar.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from typing import TYPE_CHECKING

from app.services.agenda.build import agenda_to_json, build_agenda, get_agenda
from app.services.agenda.calendar import (
    add_block,
    parse_clock,
    remove_block,
    set_day_hours,
)
from app.services.agenda.checks import validate_placement
from app.services.agenda.edit import (
    add_exercise,
    move_item,
    remove_exercise,
    set_pinned,
)
from app.services.agenda.export import build_cohort_ics, build_participant_ics
from app.services.agenda.ics import IcsItem, build_checkin_ics, load_zone, to_local
from app.services.agenda.run import (
    NowInfo,
    NowItem,
    OtherDate,
    RunAction,
    RunView,
    act_on_run,
    follow_participant,
    participant_cohort,
    participant_now,
    view_run_of_show,
)
from app.services.agenda.run_of_show import ShowItem
from app.services.agenda.store import day_date, follow_version
from app.services.agenda.types import AgendaExercise, Block, DayPlan, Pin

__all__ = [
    "AgendaExercise",
    "Block",
    "DayPlan",
    "IcsItem",
    "NowInfo",
    "NowItem",
    "OtherDate",
    "Pin",
    "RunAction",
    "RunView",
    "ShowItem",
    "act_on_run",
    "add_block",
    "add_exercise",
    "agenda_to_json",
    "build_agenda",
    "build_checkin_ics",
    "build_cohort_ics",
    "build_participant_ics",
    "day_date",
    "follow_participant",
    "follow_version",
    "get_agenda",
    "load_zone",
    "move_item",
    "parse_clock",
    "participant_cohort",
    "participant_now",
    "remove_block",
    "remove_exercise",
    "set_day_hours",
    "set_pinned",
    "solve_agenda",
    "to_local",
    "validate_placement",
    "view_run_of_show",
]

if TYPE_CHECKING:
    from app.services.agenda.solver import solve_agenda


def __getattr__(name: str) -> object:
    # The solver imports OR-Tools (and pandas through it): only code that solves pays for it.
    if name == "solve_agenda":
        from app.services.agenda.solver import solve_agenda

        return solve_agenda
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
