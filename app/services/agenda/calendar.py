"""Editing a cohort's calendar: day hours, breaks, lunch and fixed plenary blocks."""

from __future__ import annotations

import re
from datetime import time

from sqlmodel import Session, col, select

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import gettext as _
from app.models import Cohort
from app.models.agenda import AgendaBlock, AgendaDay
from app.services.agenda.checks import check_agenda_inputs
from app.services.agenda.store import BLOCK_KINDS, bump_version, load_days, materialise_day
from app.services.ops import record_event

_CLOCK = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def parse_clock(text: str, *, where: str, field: str) -> time:
    """Return the time written as ``HH:MM``, or raise InvalidInput naming the field."""
    match = _CLOCK.match(text or "")
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    problem = Problem(where, _("'%(value)s' is not a time like 09:30", value=text), field)
    raise InvalidInput(_("the time is not valid"), [problem])


def check_day_number(cohort: Cohort, day: int) -> None:
    """Raise InvalidInput unless ``day`` is one of the cohort's days."""
    if not 1 <= day <= cohort.days:
        message = _(
            "day %(day)s is not part of the programme (days 1-%(last)s)", day=day, last=cohort.days
        )
        raise InvalidInput(_("no such day"), [Problem(_("day %(day)s", day=day), message, "day")])


def set_day_hours(
    session: Session, *, cohort: Cohort, day: int, start: time, end: time, actor: str = "cli"
) -> AgendaDay:
    """Change when a day starts and ends, refusing hours that its blocks do not fit."""
    check_day_number(cohort, day)
    row = materialise_day(session, cohort=cohort, day=day)
    old = (row.start, row.end)
    row.start, row.end = start, end
    session.add(row)
    session.flush()
    try:
        _check_calendar(session, cohort=cohort, day=day)
    except InvalidInput:
        row.start, row.end = old
        session.add(row)
        session.flush()
        raise
    _changed(session, cohort, actor, "agenda.day", {"day": day})
    return row


def add_block(
    session: Session,
    *,
    cohort: Cohort,
    day: int,
    start: time,
    end: time,
    title: str,
    kind: str = "break",
    actor: str = "cli",
) -> AgendaBlock:
    """Add a break, lunch or fixed block to a day, refusing one that overlaps another."""
    check_day_number(cohort, day)
    problems = []
    title = title.strip()
    if not title or len(title) > 120:
        where = _("day %(day)s", day=day)
        problems.append(Problem(where, _("the title needs 1 to 120 characters"), "title"))
    if kind not in BLOCK_KINDS:
        listed = ", ".join(BLOCK_KINDS)
        message = _("kind must be one of: %(choices)s", choices=listed)
        problems.append(Problem(_("day %(day)s", day=day), message, "kind"))
    if problems:
        raise InvalidInput(_("the block is not valid"), problems)
    materialise_day(session, cohort=cohort, day=day)
    assert cohort.id is not None
    block = AgendaBlock(cohort_id=cohort.id, day=day, start=start, end=end, title=title, kind=kind)
    session.add(block)
    session.flush()
    try:
        _check_calendar(session, cohort=cohort, day=day)
    except InvalidInput:
        session.delete(block)
        session.flush()
        raise
    _changed(session, cohort, actor, "agenda.block.add", {"day": day, "kind": kind})
    return block


def remove_block(
    session: Session, *, cohort: Cohort, day: int, start: time, actor: str = "cli"
) -> None:
    """Delete the block that starts at ``start`` on ``day`` (blocks never overlap)."""
    check_day_number(cohort, day)
    materialise_day(session, cohort=cohort, day=day)
    block = next(
        (b for b in list_block_rows(session, cohort=cohort, day=day) if b.start == start), None
    )
    if block is None:
        raise NotFound(
            _("no block starts at %(time)s on day %(day)s", time=start.strftime("%H:%M"), day=day)
        )
    session.delete(block)
    session.flush()
    _changed(session, cohort, actor, "agenda.block.remove", {"day": day})


def list_block_rows(session: Session, *, cohort: Cohort, day: int) -> list[AgendaBlock]:
    """Return the stored blocks of one edited day (none for a day still on the default)."""
    return list(
        session.exec(
            select(AgendaBlock)
            .where(AgendaBlock.cohort_id == cohort.id, AgendaBlock.day == day)
            .order_by(col(AgendaBlock.start))
        ).all()
    )


def _check_calendar(session: Session, *, cohort: Cohort, day: int) -> None:
    plans = [d for d in load_days(session, cohort=cohort) if d.day == day]
    problems, _warnings = check_agenda_inputs(plans, [])
    whole = _("agenda")  # problems of the whole agenda, not of this day's calendar
    problems = [p for p in problems if p.where != whole]
    if problems:
        raise InvalidInput(_("the calendar change does not fit"), problems)


def _changed(
    session: Session, cohort: Cohort, actor: str, action: str, detail: dict[str, object]
) -> None:
    bump_version(session, cohort=cohort)
    record_event(
        session,
        actor=actor,
        action=action,
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail=detail,
    )
