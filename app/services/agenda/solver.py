"""Pure agenda solver: place a cohort's exercises around breaks on its days with CP-SAT."""

from __future__ import annotations

import math
import time as clock
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ortools.sat.python import cp_model

from app.core.errors import InvalidInput, Problem
from app.core.i18n import format_number
from app.core.i18n import gettext as _
from app.services.agenda.checks import check_agenda_inputs, validate_placement
from app.services.agenda.pack import (
    block_length,
    day_miss_warnings,
    fixed_only,
    moved_block,
    pack_left,
    settle_breaks,
    soft_warnings,
)
from app.services.agenda.types import (
    AgendaExercise,
    AgendaSolution,
    Block,
    DayPlan,
    Pin,
    Placed,
    exercise_minutes,
    format_slot,
    free_segments,
    minutes_of,
    time_of,
)

__all__ = [
    "AgendaExercise",
    "AgendaSolution",
    "Block",
    "DayPlan",
    "Pin",
    "Placed",
    "check_agenda_inputs",
    "solve_agenda",
    "validate_placement",
]

# Objective weights. A missed preferred day outweighs a phase inversion, which outweighs any
# amount of moved coffee breaks, which outweighs any imbalance or idle time a four-day
# programme can produce: a break moves only so that an exercise keeps its day or its phase.
WEIGHT_PREFERRED_DAY = 10_000
WEIGHT_PHASE_INVERSION = 2_000
WEIGHT_BREAK_MOVE_PER_MIN = 5
BREAK_WINDOW_MIN = 30
MIN_SECOND_SOLVE_S = 0.3
WEIGHT_BALANCE_PER_MIN = 4
WEIGHT_COMPACT_PER_MIN = 1
_DAY = 1440


def solve_agenda(
    days: Sequence[DayPlan],
    exercises: Sequence[AgendaExercise],
    *,
    pins: Sequence[Pin] = (),
    has_trio: bool = False,
    time_limit_s: float = 3.0,
    gap_minutes: int = 0,
) -> AgendaSolution:
    """Place every exercise once within the hard constraints, or raise InvalidInput saying why."""
    started = clock.perf_counter()
    problems, warnings = check_agenda_inputs(days, exercises, pins=pins, has_trio=has_trio)
    if gap_minutes < 0:
        problems.append(Problem(_("agenda"), _("the gap between items cannot be negative"), "gap"))
    if problems:
        raise InvalidInput(_("the agenda cannot be built"), problems)
    recorder = _FirstSolution(started)
    # Breaks stay where the facilitator put them unless moving one lets an exercise keep its
    # planned day: only then, and only in the time left, is a second model with coffee breaks
    # free to move solved; it replaces the first when it misses fewer days.
    model = AgendaModel(
        days, exercises, pins=pins, has_trio=has_trio, gap=gap_minutes, float_breaks=False
    )
    model.add_objective()
    status = model.solve(time_limit_s, recorder)
    fixed_misses = _misses(model, status, exercises)
    left = time_limit_s - (clock.perf_counter() - started)
    if fixed_misses[0] and left >= MIN_SECOND_SOLVE_S:
        floating = AgendaModel(days, exercises, pins=pins, has_trio=has_trio, gap=gap_minutes)
        floating.add_objective()
        floating_status = floating.solve(left, recorder)
        if _misses(floating, floating_status, exercises) < fixed_misses:
            model, status = floating, floating_status
    elapsed = clock.perf_counter() - started
    if status == cp_model.INFEASIBLE:
        raise InvalidInput(
            _("the agenda cannot be built"), diagnose_infeasible(model, time_limit_s)
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        message = _(
            "no agenda was found within %(seconds)s s; allow more time, or remove pins and "
            "prerequisites",
            seconds=format_number(time_limit_s),
        )
        raise InvalidInput(_("the agenda cannot be built"), [Problem(_("agenda"), message)])
    items = model.placements()
    solved_days = settle_breaks(days, model.solved_days(), items)
    warnings.extend(soft_warnings(items, exercises))
    if status != cp_model.OPTIMAL:
        warnings.append(_("the time limit ended the search; this agenda is valid but may improve"))
    return AgendaSolution(
        items=items,
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective=round(model.solver.objective_value),
        warnings=warnings,
        first_solution_s=recorder.first_s if recorder.first_s is not None else elapsed,
        best_solution_s=recorder.best_s if recorder.best_s is not None else elapsed,
        solve_s=elapsed,
        days=solved_days,
    )


def _misses(
    model: AgendaModel, status: int, exercises: Sequence[AgendaExercise]
) -> tuple[float, int]:
    """Count the missed days, then the phase inversions, of a solve; no solution misses all."""
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return math.inf, 0
    items = model.placements()
    days = len(day_miss_warnings(items, exercises))
    return days, len(soft_warnings(items, exercises)) - days


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Record when the first and the last improving solution arrived."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first_s: float | None = None
        self.best_s: float | None = None

    def on_solution_callback(self) -> None:
        self.best_s = clock.perf_counter() - self.started
        if self.first_s is None:
            self.first_s = self.best_s


class AgendaModel:
    """The CP-SAT model of one agenda; constraint groups can be dropped to find a culprit."""

    def __init__(
        self,
        days: Sequence[DayPlan],
        exercises: Sequence[AgendaExercise],
        *,
        pins: Sequence[Pin],
        has_trio: bool,
        gap: int,
        use_pins: bool = True,
        skip_pin: str | None = None,
        use_after: bool = True,
        skip_edge: tuple[str, str] | None = None,
        float_breaks: bool = True,
    ) -> None:
        self.days, self.exercises, self.pins = list(days), list(exercises), list(pins)
        self.float_breaks = float_breaks
        self.moved: list[tuple[int, Block, cp_model.IntVar]] = []
        self.has_trio, self.gap = has_trio, gap
        self.skip_edge = skip_edge if use_after else ("*", "*")
        self.length = {e.id: exercise_minutes(e, has_trio=has_trio) for e in exercises}
        self.grid = _grid(self.days, self.length.values(), pins, gap)
        self.model = cp_model.CpModel()
        self.solver = cp_model.CpSolver()
        self.present: dict[tuple[str, int], cp_model.IntVar] = {}
        self.starts: dict[tuple[str, int], cp_model.IntVar] = {}
        self.local: dict[str, cp_model.IntVar] = {}
        self.glob: dict[str, cp_model.LinearExpr] = {}
        self._add_days()
        if use_pins:
            self._add_pins(skip_pin)
        if use_after:
            self._add_after(skip_edge)

    def relaxed(self, **drop: object) -> AgendaModel:
        """Return the same agenda without some constraints (``use_pins``, ``skip_edge`` ...)."""
        return AgendaModel(
            self.days,
            self.exercises,
            pins=self.pins,
            has_trio=self.has_trio,
            gap=self.gap,
            **drop,  # type: ignore[arg-type]
        )

    def _u(self, minutes: int) -> int:
        return minutes // self.grid

    def _add_days(self) -> None:
        m, gap = self.model, self._u(self.gap)
        per_day: dict[int, list[cp_model.IntervalVar]] = {d.day: [] for d in self.days}
        for d in self.days:
            per_day[d.day] += self._add_blocks(d)
        lo = min(self._u(minutes_of(d.start)) for d in self.days)
        hi = max(self._u(minutes_of(d.end)) for d in self.days)
        for e in self.exercises:
            size = self._u(self.length[e.id])
            local = m.new_int_var(lo, hi, f"local_{e.id}")
            day_no = []
            for d in self.days:
                # A coffee break can make room by moving, so only the fixed blocks cut the day
                # into stretches here; the no-overlap below keeps every exercise off the breaks.
                fits = [
                    (self._u(a), self._u(b) - size)
                    for a, b in free_segments(fixed_only(d))
                    if b - a >= self.length[e.id]
                ]
                p = m.new_bool_var(f"p_{e.id}_{d.day}")
                if not fits:
                    m.add(p == 0)
                    fits = [(self._u(minutes_of(d.start)), self._u(minutes_of(d.start)))]
                s = m.new_int_var_from_domain(
                    cp_model.Domain.from_intervals(fits), f"s_{e.id}_{d.day}"
                )
                per_day[d.day].append(m.new_optional_fixed_size_interval_var(s, size + gap, p, ""))
                m.add(local == s).only_enforce_if(p)
                self.present[e.id, d.day], self.starts[e.id, d.day] = p, s
                day_no.append((d.day - 1) * self._u(_DAY) * p)
            m.add_exactly_one(self.present[e.id, d.day] for d in self.days)
            self.local[e.id] = local
            self.glob[e.id] = sum(day_no) + local
        for intervals in per_day.values():
            m.add_no_overlap(intervals)

    def _add_blocks(self, d: DayPlan) -> list[cp_model.IntervalVar]:
        """Lunch and fixed blocks stay put; a coffee break may move a little, keeping its order."""
        m, intervals = self.model, []
        day_lo, day_hi = self._u(minutes_of(d.start)), self._u(minutes_of(d.end))
        previous_end: cp_model.LinearExpr | int | None = None
        for block in sorted(d.breaks, key=lambda b: minutes_of(b.start)):
            start, size = self._u(minutes_of(block.start)), self._u(block_length(block))
            if block.kind == "break" and self.float_breaks:
                window = self._u(BREAK_WINDOW_MIN)
                lo, hi = max(day_lo, start - window), min(day_hi - size, start + window)
                var = m.new_int_var(min(lo, start), max(hi, start), "")
                self.moved.append((d.day, block, var))
                intervals.append(m.new_fixed_size_interval_var(var, size, ""))
                begin: cp_model.LinearExpr | int = var
            else:
                intervals.append(m.new_fixed_size_interval_var(start, size, ""))
                begin = start
            both_fixed = isinstance(begin, int) and isinstance(previous_end, int)
            if previous_end is not None and not both_fixed:
                m.add(begin >= previous_end)
            previous_end = begin + size
        return intervals

    def _add_pins(self, skip: str | None) -> None:
        for pin in self.pins:
            if pin.exercise_id != skip:
                self.model.add(self.present[pin.exercise_id, pin.day] == 1)
                self.model.add(
                    self.starts[pin.exercise_id, pin.day] == self._u(minutes_of(pin.start))
                )

    def _add_after(self, skip: tuple[str, str] | None) -> None:
        for e in self.exercises:
            for before in e.after:
                if (e.id, before) != skip:
                    self.model.add(
                        self.glob[e.id] >= self.glob[before] + self._u(self.length[before])
                    )

    def add_objective(self) -> None:
        """Add the soft goals: preferred day, monotone phases, balanced and compact days."""
        m, terms = self.model, []
        day_numbers = {d.day for d in self.days}
        for e in self.exercises:
            if e.preferred_day in day_numbers:
                terms.append(WEIGHT_PREFERRED_DAY * (1 - self.present[e.id, e.preferred_day]))
        ordered = _ordered_pairs(self.exercises)
        for a in self.exercises:
            for b in self.exercises:
                if a.phase_rank < b.phase_rank and (b.id, a.id) not in ordered:
                    if (a.id, b.id) in ordered:
                        continue
                    inverted = m.new_bool_var(f"inv_{a.id}_{b.id}")
                    m.add(self.glob[b.id] >= self.glob[a.id]).only_enforce_if(~inverted)
                    terms.append(WEIGHT_PHASE_INVERSION * inverted)
        for _day, block, var in self.moved:
            shift = m.new_int_var(0, self._u(BREAK_WINDOW_MIN), "")
            m.add_abs_equality(shift, var - self._u(minutes_of(block.start)))
            terms.append(WEIGHT_BREAK_MOVE_PER_MIN * self.grid * shift)
        # Minimising each day's finish proves optimal far faster than a sum of starts; the idle
        # gaps it leaves before the last item are closed afterwards by ``_pack_left``.
        for d in self.days:
            finish = m.new_int_var(self._u(minutes_of(d.start)), self._u(minutes_of(d.end)), "")
            for e in self.exercises:
                end = self.starts[e.id, d.day] + self._u(self.length[e.id])
                m.add(finish >= end).only_enforce_if(self.present[e.id, d.day])
            terms.append(WEIGHT_COMPACT_PER_MIN * self.grid * finish)
        if len(self.days) > 1:
            total = sum(self._u(v) for v in self.length.values())
            top, low = m.new_int_var(0, total, "max_load"), m.new_int_var(0, total, "min_load")
            for d in self.days:
                load = sum(
                    self._u(self.length[e.id]) * self.present[e.id, d.day] for e in self.exercises
                )
                m.add(top >= load)
                m.add(low <= load)
            terms.append(WEIGHT_BALANCE_PER_MIN * self.grid * (top - low))
        m.minimize(sum(terms))

    def solve(
        self, time_limit_s: float, callback: cp_model.CpSolverSolutionCallback | None = None
    ) -> int:
        """Run CP-SAT within the time limit and return its status."""
        self.solver.parameters.max_time_in_seconds = time_limit_s
        self.solver.parameters.random_seed = 7
        return int(self.solver.solve(self.model, callback))

    def placements(self) -> list[Placed]:
        """Return the solved placements sorted by day and start."""
        pinned = {p.exercise_id for p in self.pins}
        items = []
        for e in self.exercises:
            for d in self.days:
                if self.solver.boolean_value(self.present[e.id, d.day]):
                    start = self.solver.value(self.starts[e.id, d.day]) * self.grid
                    end = start + self.length[e.id]
                    items.append(Placed(e.id, d.day, time_of(start), time_of(end), e.id in pinned))
        items.sort(key=lambda p: (p.day, p.start, p.exercise_id))
        return pack_left(items, self.solved_days(), self.gap)

    def solved_days(self) -> list[DayPlan]:
        """Return the days with their coffee breaks where the solver put them."""
        at = {(day, block): self.solver.value(var) * self.grid for day, block, var in self.moved}
        return [
            replace(d, breaks=[moved_block(b, at.get((d.day, b))) for b in d.breaks])
            for d in self.days
        ]


def _grid(days: Sequence[DayPlan], lengths: Iterable[int], pins: Sequence[Pin], gap: int) -> int:
    values = [_DAY, gap, *lengths]
    for d in days:
        values += [minutes_of(d.start), minutes_of(d.end)]
        values += [minutes_of(t) for b in d.breaks for t in (b.start, b.end)]
    values += [minutes_of(p.start) for p in pins]
    return math.gcd(*values) or 1


def _ordered_pairs(exercises: Sequence[AgendaExercise]) -> set[tuple[str, str]]:
    """Return (earlier, later) pairs implied by the prerequisites, transitively."""
    direct = {e.id: set(e.after) for e in exercises}
    pairs: set[tuple[str, str]] = set()
    for e in exercises:
        seen, stack = set(), list(direct[e.id])
        while stack:
            b = stack.pop()
            if b not in seen and b in direct:
                seen.add(b)
                stack.extend(direct[b])
        pairs.update((b, e.id) for b in seen)
    return pairs


def diagnose_infeasible(model: AgendaModel, time_limit_s: float) -> list[Problem]:
    """Name the pin or prerequisite whose removal makes the agenda feasible, if one does."""
    deadline = clock.perf_counter() + max(time_limit_s, 1.0)

    def feasible(candidate: AgendaModel) -> bool | None:
        left = deadline - clock.perf_counter()
        if left <= 0:
            return None
        status = candidate.solve(min(left, 1.0))
        if status == cp_model.INFEASIBLE:
            return False
        return True if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    titles = {e.id: e.title for e in model.exercises}
    if model.pins and feasible(model.relaxed(use_pins=False)):
        for pin in model.pins:
            if feasible(model.relaxed(skip_pin=pin.exercise_id)):
                slot = format_slot(pin.day, minutes_of(pin.start))
                message = _(
                    "the pin for '%(title)s' (%(slot)s) leaves no room for the other exercises "
                    "and prerequisites; move or remove it",
                    title=titles[pin.exercise_id],
                    slot=slot,
                )
                return [Problem(_("pin %(id)s", id=pin.exercise_id), message, "start")]
        listed = ", ".join(
            f"'{titles[p.exercise_id]}' ({format_slot(p.day, minutes_of(p.start))})"
            for p in model.pins
        )
        message = _(
            "the pins together leave no room for the other exercises: %(pins)s", pins=listed
        )
        return [Problem(_("agenda"), message, "pins")]
    edges = [(e.id, b) for e in model.exercises for b in e.after]
    if edges and feasible(model.relaxed(use_after=False)):
        for edge in edges:
            if feasible(model.relaxed(skip_edge=edge)):
                message = _(
                    "'%(title)s' must come after '%(before)s', and with the pins, breaks and "
                    "other prerequisites there is no room for that order",
                    title=titles[edge[0]],
                    before=titles[edge[1]],
                )
                return [Problem(_("exercise %(id)s", id=edge[0]), message, "after")]
        message = _("the prerequisites together cannot be met around the pins and breaks")
        return [Problem(_("agenda"), message, "after")]
    message = _(
        "the exercises cannot be packed into the free stretches between breaks and fixed "
        "blocks; shorten or remove an exercise, or shorten a break"
    )
    return [Problem(_("agenda"), message, "exercises")]
