"""The days a check-in rhythm suggests: counted from the program's last day, on working days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from app.core.errors import InvalidInput, Problem
from app.core.i18n import _


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working_day(day: date) -> date:
    """``day``, or the Monday after it when it falls on a Saturday or a Sunday."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def checkin_dates(rhythm: str, *, start: date) -> list[date]:
    """The check-in dates of a rhythm counted from the program's last day, each moved to the
    next working day when it would fall on a weekend (check-ins happen at work)."""
    if rhythm == "30-60-90":
        days = [start + timedelta(days=n) for n in (30, 60, 90)]
    elif rhythm == "monthly-6":
        days = [_add_months(start, n) for n in range(1, 7)]
    elif rhythm == "six-weekly":
        days = [start + timedelta(weeks=6 * n) for n in range(1, 5)]
    elif rhythm == "quarterly-4":
        days = [_add_months(start, 3 * n) for n in range(1, 5)]
    else:
        raise InvalidInput(
            _("unknown rhythm"),
            [Problem("rhythm", _("Choose one of the rhythms offered."), "rhythm")],
        )
    return [working_day(d) for d in days]
