"""Development plans: a structured, versioned document per participant, saved like answers.

Every save names the version it was based on and carries an idempotency key: a retry returns
the stored result, a stale save is refused with the server copy (the tablet offers a merge).
Snapshots for "earlier versions" are kept per writing session (saves less than
``SNAPSHOT_WINDOW`` apart share one), so a morning of autosaves reads back as one version.

Plan-kind exercises feed the plan: each answered ``plan_goal`` prompt of the participant's
plan exercises becomes a goal draft when they choose "bring in my drafts" (never silently,
so nothing they wrote on the plan page is overwritten behind their back).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import N_, _, format_list, format_number
from app.models import Cohort, Participant, utcnow
from app.models.plans import PLAN_PARTS, Plan, PlanComment, PlanSaveReceipt, PlanVersion
from app.services import privacy
from app.services.library import program_of
from app.services.ops import record_event
from app.services.plans.checkins import SmallCount, held_checkins
from app.services.printing import Goal, PlanSection
from app.services.tablet import KEY_PATTERN

SNAPSHOT_WINDOW = timedelta(minutes=10)
MAX_GOALS = 3
TEXT_LIMIT = 4000
MAX_ACTIONS = 10
GOAL_TEXT_FIELDS = ("what", "why", "measure", "support")
GOAL_LABELS = {
    "what": N_("What I want to achieve"),
    "why": N_("Why it matters"),
    "measure": N_("How success will show"),
    "support": N_("What support I ask of my buddy"),
    "actions": N_("Actions"),
    "target_date": N_("Target date"),
}
"""The goal fields as the plan page labels them (source text: translate where shown)."""
PART_NAMES = {
    "aspiration": N_("My aspiration"),
    "strengths": N_("Strengths I will build on"),
    "obstacles": N_("What could get in the way"),
    "goals": N_("My goals"),
}
GOAL_ID = re.compile(r"^[a-z0-9]{1,16}$")


@dataclass(frozen=True, slots=True)
class PlanResult:
    """What the server holds after a plan save: the document and its version."""

    content: dict[str, Any]
    version: int
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form sent to the tablet and kept in the receipt."""
        return asdict(self)


class StalePlan(Conflict):
    """The save was based on an older version; ``server`` is the copy now stored."""

    def __init__(self, server: PlanResult) -> None:
        super().__init__("your plan was changed on another device; choose what to keep")
        self.server = server


def empty_plan() -> dict[str, Any]:
    """A plan with nothing written yet."""
    return {"aspiration": "", "goals": [], "strengths": "", "obstacles": ""}


def new_goal_id() -> str:
    """A short stable id, so comments and merges follow a goal when goals are reordered."""
    return secrets.token_hex(4)


def _text(value: Any, where: str, problems: list[Problem], field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(Problem(where, _("This must be text."), field))
        return ""
    if len(value) > TEXT_LIMIT:
        problems.append(
            Problem(
                where,
                _(
                    "This is %(length)s characters long; the limit is %(limit)s.",
                    length=format_number(len(value)),
                    limit=format_number(TEXT_LIMIT),
                ),
                field,
            )
        )
    return value


def _actions(value: Any, where: str, problems: list[Problem]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        problems.append(Problem(where, _("This must be a list of actions."), "actions"))
        return []
    actions = [a.strip() for a in value if a.strip()]
    if len(actions) > MAX_ACTIONS:
        problems.append(
            Problem(
                where,
                _(
                    "There are %(count)s actions; at most %(limit)s fit.",
                    count=len(actions),
                    limit=MAX_ACTIONS,
                ),
                "actions",
            )
        )
    for a in actions:
        _text(a, where, problems, "actions")
    return actions


def _field(number: int, name: str) -> str:
    """Where a goal's field is, in the reader's words: "Goal 2, Why it matters"."""
    # Translators: where a problem is in the plan, e.g. "Goal 2, Why it matters".
    return _("Goal %(number)s, %(field)s", number=number, field=_(GOAL_LABELS[name]))


def _goal(raw: Any, number: int, problems: list[Problem]) -> dict[str, Any]:
    where = _("Goal %(number)s", number=number)
    if not isinstance(raw, dict):
        problems.append(Problem(where, _("This must be a goal with its fields."), "goals"))
        return {}
    unknown = sorted(set(raw) - {"id", *GOAL_TEXT_FIELDS, "actions", "target_date"})
    if unknown:
        problems.append(
            Problem(
                where,
                _(
                    "This goal has fields a plan does not have: %(fields)s.",
                    fields=format_list(unknown),
                ),
                "goals",
            )
        )
    goal_id = raw.get("id") or new_goal_id()
    if not isinstance(goal_id, str) or not GOAL_ID.match(goal_id):
        problems.append(Problem(where, _("This goal has a malformed id."), "id"))
        goal_id = ""  # a list or an object as id must not reach the duplicate check below
    goal: dict[str, Any] = {"id": goal_id}
    for name in GOAL_TEXT_FIELDS:
        goal[name] = _text(raw.get(name), _field(number, name), problems, name)
    goal["actions"] = _actions(raw.get("actions"), _field(number, "actions"), problems)
    target = raw.get("target_date") or ""
    if target:
        try:
            date.fromisoformat(str(target))
        except ValueError:
            problems.append(
                Problem(
                    _field(number, "target_date"),
                    _(
                        "“%(value)s” is not a date like 2027-06-30.",
                        value=str(target)[:40],
                    ),
                    "target_date",
                )
            )
    goal["target_date"] = str(target)
    return goal


def clean_plan(content: Any) -> dict[str, Any]:
    """The plan in stored form, checked field by field (InvalidInput naming every fault)."""
    if not isinstance(content, dict):
        raise InvalidInput(
            _("the plan cannot be saved"), [Problem(_("Plan"), _("The plan must be a document."))]
        )
    problems: list[Problem] = []
    unknown = sorted(set(content) - set(PLAN_PARTS))
    if unknown:
        problems.append(
            Problem(
                _("Plan"),
                _("The plan has parts it does not know: %(parts)s.", parts=format_list(unknown)),
            )
        )
    clean: dict[str, Any] = {
        name: _text(content.get(name), _(PART_NAMES[name]), problems, name)
        for name in ("aspiration", "strengths", "obstacles")
    }
    goals = content.get("goals") or []
    if not isinstance(goals, list):
        problems.append(Problem(_(PART_NAMES["goals"]), _("The goals must be a list."), "goals"))
        goals = []
    if len(goals) > MAX_GOALS:
        problems.append(
            Problem(
                _(PART_NAMES["goals"]),
                _(
                    "The plan has %(count)s goals; a plan has one to %(limit)s.",
                    count=len(goals),
                    limit=MAX_GOALS,
                ),
                "goals",
            )
        )
    clean["goals"] = [_goal(g, n, problems) for n, g in enumerate(goals, start=1)]
    ids = [g["id"] for g in clean["goals"] if g.get("id")]
    if len(set(ids)) != len(ids):
        problems.append(Problem(_(PART_NAMES["goals"]), _("Two goals share one id."), "id"))
    if problems:
        raise InvalidInput(_("the plan cannot be saved"), problems)
    return {
        "aspiration": clean["aspiration"],
        "goals": clean["goals"],
        "strengths": clean["strengths"],
        "obstacles": clean["obstacles"],
    }


def has_content(content: dict[str, Any]) -> bool:
    """True when any part of the plan says something."""
    if any(str(content.get(k) or "").strip() for k in ("aspiration", "strengths", "obstacles")):
        return True
    return any(
        any(str(g.get(k) or "").strip() for k in (*GOAL_TEXT_FIELDS, "target_date"))
        or g.get("actions")
        for g in content.get("goals") or []
    )


def plan_row(session: Session, *, participant: Participant) -> Plan | None:
    """The participant's plan row, if they have one (callers read content via visibility)."""
    return session.exec(select(Plan).where(Plan.participant_id == participant.id)).first()


def _result(plan: Plan) -> PlanResult:
    return PlanResult(plan.content or empty_plan(), plan.version, plan.updated_at.isoformat())


def _receipt(session: Session, participant: Participant, key: str) -> PlanSaveReceipt | None:
    return session.exec(
        select(PlanSaveReceipt).where(
            PlanSaveReceipt.participant_id == participant.id, PlanSaveReceipt.idempotency_key == key
        )
    ).first()


def _snapshot(session: Session, plan: Plan, now: datetime) -> None:
    assert plan.id is not None
    last = session.exec(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id)
        .order_by(col(PlanVersion.version).desc())
    ).first()
    if last is not None and now - last.updated_at < SNAPSHOT_WINDOW:
        # One writing session, one snapshot: it follows the plan to its latest version.
        last.version, last.content, last.updated_at = plan.version, plan.content, now
        session.add(last)
    else:
        session.add(
            PlanVersion(
                plan_id=plan.id,
                version=plan.version,
                content=plan.content,
                created_at=now,
                updated_at=now,
            )
        )


def _write(session: Session, plan: Plan, content: dict[str, Any], now: datetime) -> None:
    plan.content = content
    plan.version += 1
    plan.started = plan.started or has_content(content)
    plan.updated_at = now
    session.add(plan)
    session.flush()
    _snapshot(session, plan, now)
    session.flush()


def ensure_plan(session: Session, *, participant: Participant) -> Plan:
    """The participant's plan row, created empty (version 0) when missing."""
    plan = plan_row(session, participant=participant)
    if plan is None:
        assert participant.id is not None
        plan = Plan(participant_id=participant.id, content=empty_plan())
        session.add(plan)
        session.flush()
    return plan


def save_plan(
    session: Session,
    *,
    participant: Participant,
    content: Any,
    base_version: int,
    idempotency_key: str,
    now: datetime | None = None,
) -> PlanResult:
    """Store the plan if ``base_version`` is current; a known key returns the stored result,
    a stale version raises StalePlan with the server copy."""
    if not KEY_PATTERN.match(idempotency_key):
        raise InvalidInput(
            _("the plan cannot be saved"),
            [
                Problem(
                    "idempotency_key",
                    _("The save key must be 8 to 100 letters, digits or -_.:"),
                    "idempotency_key",
                )
            ],
        )
    receipt = _receipt(session, participant, idempotency_key)
    if receipt is not None:
        return PlanResult(**receipt.result)
    cleaned = clean_plan(content)
    plan = ensure_plan(session, participant=participant)
    if base_version != plan.version:
        if plan.content == cleaned:
            return _result(plan)
        raise StalePlan(_result(plan))
    assert participant.id is not None
    try:
        with session.begin_nested():
            _write(session, plan, cleaned, now or utcnow())
            result = _result(plan)
            session.add(
                PlanSaveReceipt(
                    participant_id=participant.id,
                    idempotency_key=idempotency_key,
                    result=result.to_dict(),
                )
            )
            session.flush()
    except IntegrityError:
        # A concurrent retry with the same key stored its receipt first.
        receipt = _receipt(session, participant, idempotency_key)
        if receipt is None:
            raise
        return PlanResult(**receipt.result)
    return result


def set_shared_parts(session: Session, *, participant: Participant, parts: list[str]) -> list[str]:
    """Choose which parts of the plan the current buddy may read (any of PLAN_PARTS)."""
    unknown = [p for p in parts if p not in PLAN_PARTS]
    if unknown:
        raise InvalidInput(
            _("the choice cannot be saved"),
            [
                Problem(
                    "parts",
                    _("“%(part)s” is not a part of the plan.", part=p[:40]),
                    "parts",
                )
                for p in unknown
            ],
        )
    plan = ensure_plan(session, participant=participant)
    plan.shared_parts = [p for p in PLAN_PARTS if p in parts]
    session.add(plan)
    session.flush()
    # Part names only, never content: from now on it is knowable that the writer chose.
    record_event(
        session,
        actor=f"participant:{participant.id}",
        action="plan.sharing.set",
        object_type="plan",
        object_id=plan.id or "",
        cohort_id=participant.cohort_id,
        detail={"parts": list(plan.shared_parts)},
    )
    return list(plan.shared_parts)


def exercise_drafts(session: Session, *, participant: Participant) -> list[str]:
    """The participant's answered ``plan_goal`` prompts of plan exercises, in arc order."""
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    drafts: list[str] = []
    for bound in program_of(session, cohort=cohort):
        goal_prompts = [p.id for p in bound.spec.prompts if p.type == "plan_goal"]
        if bound.spec.kind != "plan" or not goal_prompts:
            continue
        answers = privacy.read_answers(
            session, viewer=participant, owner=participant, exercise=bound
        )
        for prompt_id in goal_prompts:
            answer = answers.get(prompt_id)
            if answer is not None and isinstance(answer.value, str) and answer.value.strip():
                drafts.append(answer.value.strip())
    return drafts


def import_exercise_drafts(session: Session, *, participant: Participant) -> PlanResult:
    """Add each exercise goal draft not already in the plan as a new goal (up to three)."""
    plan = ensure_plan(session, participant=participant)
    content = clean_plan(plan.content or empty_plan())
    known = {g["what"].strip() for g in content["goals"]}
    added = False
    for draft in exercise_drafts(session, participant=participant):
        if len(content["goals"]) >= MAX_GOALS:
            break
        if draft in known:
            continue
        known.add(draft)
        content["goals"].append(clean_plan({"goals": [{"what": draft}]})["goals"][0])
        added = True
    if added:
        _write(session, plan, content, utcnow())
    return _result(plan)


def add_plan_comment(
    session: Session, *, author: Participant, owner: Participant, part: str, text: str
) -> PlanComment:
    """A current buddy comments on a part the owner shared (NotFound for anyone else)."""
    view = privacy.read_plan(session, viewer=author, owner=owner)
    if view.access != "buddy" or view.plan_id is None or part not in view.parts:
        raise NotFound(privacy.PLAN_NOT_FOUND)
    text = text.strip()
    if not text or len(text) > TEXT_LIMIT:
        raise InvalidInput(
            _("the comment cannot be saved"),
            [
                Problem(
                    _("Comment"),
                    _(
                        "A comment must be 1 to %(limit)s characters long.",
                        limit=format_number(TEXT_LIMIT),
                    ),
                    "text",
                )
            ],
        )
    assert author.id is not None
    comment = PlanComment(plan_id=view.plan_id, author_id=author.id, part=part, text=text)
    session.add(comment)
    session.flush()
    return comment


def resolve_plan_comment(
    session: Session, *, owner: Participant, comment_id: int, resolved: bool = True
) -> None:
    """The plan's owner marks a comment on their plan as dealt with (or reopens it)."""
    plan = plan_row(session, participant=owner)
    comment = session.get(PlanComment, comment_id)
    if plan is None or comment is None or comment.plan_id != plan.id:
        raise NotFound(_("There is no such comment on your plan."))
    comment.resolved = resolved
    session.add(comment)
    session.flush()


def _goal_line(goal: dict[str, Any], owner: str) -> Goal:
    what = str(goal.get("what") or "")
    return Goal(
        what=f"{owner}: {what}" if owner else what,
        why=str(goal.get("why") or ""),
        actions=list(goal.get("actions") or []),
        measure=str(goal.get("measure") or ""),
        support=str(goal.get("support") or ""),
        target_date=str(goal.get("target_date") or ""),
    )


def workbook_plan(
    session: Session, *, owners: Sequence[Participant], edition: str, requester: privacy.Viewer
) -> PlanSection | None:
    """The plan a workbook prints, cleared by ``privacy.printable_plan``; a pair edition
    carries each member's shared parts, each line named after its owner."""
    named = len(owners) > 1
    texts: dict[str, list[str]] = {"aspiration": [], "strengths": [], "obstacles": []}
    goals: list[Goal] = []
    for owner in owners:
        parts = privacy.printable_plan(
            session, owner=owner, edition=edition, requester=requester, pair=owners
        )
        if not parts:
            continue
        label = owner.name if named else ""
        for key, lines in texts.items():
            text = str(parts.get(key) or "").strip()
            if text:
                lines.append(f"{label}: {text}" if label else text)
        goals += [_goal_line(g, label) for g in parts.get("goals") or []]
    if not goals and not any(texts.values()):
        return None
    return PlanSection(
        aspiration="\n\n".join(texts["aspiration"]),
        goals=goals,
        strengths="\n\n".join(texts["strengths"]),
        obstacles="\n\n".join(texts["obstacles"]),
    )


@dataclass(frozen=True, slots=True)
class PlanStateRow:
    """One participant's plan states for facilitators: flags, never content."""

    participant_id: int
    name: str
    started: bool
    shared: bool
    reviewed: bool


@dataclass(frozen=True, slots=True)
class PlansOverview:
    rows: list[PlanStateRow]
    started: int
    shared: int
    reviewed: int
    partnerships: dict[str, int]
    checkins_held: SmallCount
    """Check-ins the pairs held: a count for the organisation, never under five."""


def plans_overview(session: Session, *, cohort: Cohort) -> PlansOverview:
    """Counts of plans started, shared and reviewed, and partnerships by state; the query
    loads flags and part names only, so no plan text can reach the page."""
    from app.services.plans.partnership import partnership_counts

    people = session.exec(
        select(Participant.id, Participant.name)
        .where(Participant.cohort_id == cohort.id)
        .order_by(col(Participant.name), col(Participant.id))
    ).all()
    flags = {
        pid: (started, bool(shared))
        for pid, started, shared in session.exec(
            select(Plan.participant_id, Plan.started, Plan.shared_parts)
            .join(Participant, col(Participant.id) == col(Plan.participant_id))
            .where(Participant.cohort_id == cohort.id)
        ).all()
    }
    reviewed = set(
        session.exec(
            select(Plan.participant_id)
            .join(PlanComment, col(PlanComment.plan_id) == col(Plan.id))
            .join(Participant, col(Participant.id) == col(Plan.participant_id))
            .where(Participant.cohort_id == cohort.id)
        ).all()
    )
    rows = []
    for pid, name in people:
        assert pid is not None
        started, shared = flags.get(pid, (False, False))
        rows.append(PlanStateRow(pid, name, started, started and shared, pid in reviewed))
    counts = partnership_counts(session, cohort=cohort)
    return PlansOverview(
        rows,
        sum(r.started for r in rows),
        sum(r.shared for r in rows),
        sum(r.reviewed for r in rows),
        {s: counts.get(s, 0) for s in ("active", "paused", "ended")},
        held_checkins(session, cohort=cohort),
    )
