"""The cohort overview at a glance: roster, pairs, agenda and progress as counts and states.

Everything here is a count or a status; nothing reads what a participant wrote (progress
comes from the board, which counts answered flags only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import Session

from app.models import Cohort
from app.services import matching, plans, roster, tablet
from app.services.agenda import get_agenda, participant_now


@dataclass(frozen=True, slots=True)
class RosterCard:
    participants: int
    excluded: int


@dataclass(frozen=True, slots=True)
class PairsCard:
    published: int
    proposed: int
    trios: int
    without_buddy: int
    checkins_held: plans.SmallCount
    """Check-ins held after the program (never shown for fewer than five)."""


@dataclass(frozen=True, slots=True)
class AgendaCard:
    built: bool
    exercises: int
    conflicts: int
    off_their_day: int
    now_title: str | None
    next_title: str | None
    next_start: time | None
    next_day: int | None


@dataclass(frozen=True, slots=True)
class ProgressCard:
    exercises: int
    done: int
    possible: int
    started_people: int
    agreements_accepted: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    roster: RosterCard
    pairs: PairsCard
    agenda: AgendaCard
    progress: ProgressCard


def cohort_dashboard(session: Session, *, cohort: Cohort, now: datetime) -> Dashboard:
    """Return the cohort's overview: counts and states only, never what anyone wrote."""
    people = roster.list_participants(session, cohort=cohort)
    in_pool = [p for p in people if not p.excluded]
    groups = matching.list_groups(session, cohort=cohort)
    grouped = {p.id for g in groups for p in g.members}
    pairs = PairsCard(
        published=sum(g.group.state == "published" for g in groups),
        proposed=sum(g.group.state == "proposed" for g in groups),
        trios=sum(len(g.members) == 3 for g in groups),
        without_buddy=sum(p.id not in grouped for p in in_pool),
        checkins_held=plans.held_checkins(session, cohort=cohort),
    )
    view = get_agenda(session, cohort=cohort)
    info = participant_now(session, cohort=cohort, now=now) if view.built else None
    upcoming = info.next if info else None
    agenda_card = AgendaCard(
        built=view.built,
        exercises=sum(1 for d in view.days for e in d.entries if e.exercise_id),
        conflicts=len(view.conflicts),
        off_their_day=len(view.notes),
        now_title=info.current.title if info and info.current else None,
        next_title=upcoming.title if upcoming else None,
        next_start=upcoming.start if upcoming else None,
        next_day=upcoming.day if upcoming else None,
    )
    board = tablet.progress_board(session, cohort=cohort)
    progress_card = ProgressCard(
        exercises=len(board.columns),
        done=sum(board.done),
        possible=len(board.columns) * len(board.rows),
        started_people=sum(
            any(s in ("in_progress", "done") for s in r.statuses) for r in board.rows
        ),
        agreements_accepted=sum(r.agreement == "accepted" for r in board.rows),
    )
    return Dashboard(
        RosterCard(len(people), len(people) - len(in_pool)), pairs, agenda_card, progress_card
    )
