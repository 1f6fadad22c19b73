"""The pair's shared list of next steps: write one down, tick it done, remove it.

Every member reads the list (through ``privacy.read_agreed_steps``) and may change it while
the partnership is active; nobody else ever reads a step, nor learns how many there are.
"""

from __future__ import annotations

from sqlmodel import Session

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import _, format_number
from app.models import Participant, utcnow
from app.models.plans import AgreedStep
from app.services.ops import record_event
from app.services.plans.pair import live_group

STEP_LIMIT = 2000


def add_agreed_step(session: Session, *, participant: Participant, text: str) -> AgreedStep:
    """Write down a next step the buddies agreed together (every member reads it)."""
    group = live_group(session, participant)
    text = text.strip()
    if not text or len(text) > STEP_LIMIT:
        raise InvalidInput(
            _("the step cannot be saved"),
            [
                Problem(
                    "step",
                    _(
                        "A step must be 1 to %(limit)s characters long.",
                        limit=format_number(STEP_LIMIT),
                    ),
                    "text",
                )
            ],
        )
    assert group.id is not None
    step = AgreedStep(group_id=group.id, text=text, created_by=participant.id)
    session.add(step)
    session.flush()
    return step


def _live_step(session: Session, participant: Participant, step_id: int) -> AgreedStep:
    group = live_group(session, participant)
    step = session.get(AgreedStep, step_id)
    if step is None or step.group_id != group.id:
        raise NotFound(_("no such step"))
    return step


def tick_step(
    session: Session, *, participant: Participant, step_id: int, done: bool = True
) -> AgreedStep:
    """Tick a step done (or open it again with ``done=False``)."""
    step = _live_step(session, participant, step_id)
    if done != (step.done_at is not None):
        step.done_at = utcnow() if done else None
        step.done_by = participant.id if done else None
        session.add(step)
        session.flush()
    return step


def remove_step(session: Session, *, participant: Participant, step_id: int) -> None:
    """Remove a step from the pair's list (the audit trail keeps only that one was removed)."""
    step = _live_step(session, participant, step_id)
    session.delete(step)
    session.flush()
    record_event(
        session,
        actor=f"participant:{participant.id}",
        action="partnership.step.removed",
        object_type="agreed_step",
        object_id=step_id,
        cohort_id=participant.cohort_id,
    )
