"""The participant's consent to printing, in words that match what the print policy does.

What a facilitator's export may carry is decided in ``visibility.printable_answers``,
``printable_pair_answers`` and ``printable_plan``; this module says it to the participant
before they consent, records the choice, and makes taking it back reach the files already
exported. The words here and the rules there change together.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from app.core.config import Settings
from app.core.i18n import format_list
from app.core.i18n import gettext as _
from app.models import Cohort, Participant
from app.services.ops import job_dir, list_jobs, record_event
from app.services.privacy import visibility

FILLED_EDITIONS = ("participant", "pair")


@dataclass(frozen=True, slots=True)
class PrintTerms:
    """What the facilitators may print for one participant, and what they never may."""

    allowed: bool
    printed: list[str]
    never: list[str]


def _listed(labels: Sequence[object]) -> str:
    return format_list([str(label) for label in labels])


def print_terms(session: Session, *, participant: Participant) -> PrintTerms:
    """The consent as it stands for this participant today (their plan's sharing included)."""
    plan = visibility.read_plan(session, viewer=participant, owner=participant)
    shared = [visibility.PLAN_PART_LABELS[p] for p in plan.shared_parts]
    plan_line = (
        _(
            "The parts of your development plan you share with your buddy: %(parts)s.",
            parts=_listed(shared),
        )
        if shared
        else _("Nothing from your development plan: you share no part of it with your buddy yet.")
    )
    return PrintTerms(
        allowed=participant.print_answers,
        printed=[
            _("Your answers to the questions marked “You and your buddy”."),
            plan_line,
            _("The dates of the check-ins you and your buddy agreed."),
            _(
                "In your pair's workbook: the questions you and your buddy have both answered, "
                "your answer beside your buddy's if your buddy allows printing too."
            ),
        ],
        never=[
            _("Answers to questions marked “Only you”, such as your letter to yourself."),
            _("The parts of your plan you keep to yourself, and the comments on your plan."),
            _("Your private check-in notes."),
        ],
    )


def set_print_consent(
    session: Session, *, participant: Participant, allow: bool, settings: Settings
) -> int:
    """Record whether facilitators may print what this participant shared with their buddy.

    Taking consent back also deletes the cohort's filled exports already made, since they may
    hold this participant's words; returns how many files were deleted.
    """
    participant.print_answers = allow
    session.add(participant)
    removed = 0 if allow else _forget_filled_exports(session, participant, settings)
    session.flush()
    record_event(
        session,
        actor=f"participant:{participant.id}",
        action="print_consent.set",
        object_type="participant",
        object_id=participant.id or "",
        cohort_id=participant.cohort_id,
        detail={"allow": allow, "files_deleted": removed},
    )
    return removed


def _forget_filled_exports(session: Session, participant: Participant, settings: Settings) -> int:
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    removed = 0
    for job in list_jobs(session, cohort=cohort, limit=10_000):
        if job.id is None or job.params.get("edition") not in FILLED_EDITIONS:
            continue
        folder = job_dir(settings, job.id)
        if folder.exists():
            removed += sum(1 for _ in folder.iterdir())
            shutil.rmtree(folder, ignore_errors=True)
        if job.files:
            job.files = []
            job.message = (
                "These files were deleted because a participant took back their consent to "
                "printing. Export again to print the workbooks as they are now."
            )
            session.add(job)
    return removed


def workbook_privacy_note(
    *, edition: str, owners: Sequence[Participant], requester: visibility.Viewer
) -> str:
    """The inside cover's sentence about the facilitators, true for this very copy.

    The pair edition's sentence is the same whoever prints it: the pair's book must not
    differ between the buddies' downloads and a print made with their consent.
    """
    if edition == "blank":
        return _("Facilitators see whether an exercise is done, never what you write.")
    if edition == "pair":
        return _(
            "Facilitators see whether an exercise is done. They print your words only if you "
            "allowed it, and then only what you shared with each other."
        )
    if isinstance(requester, Participant):
        return _(
            "Facilitators see whether an exercise is done, never what you wrote. They print "
            "your answers only if you allow it, and then only what you shared with your buddy."
        )
    own_copy = _("The copy you download on the tablet holds everything you wrote.")
    if not any(o.print_answers for o in owners):
        said = _(
            "Facilitators see whether an exercise is done, never what you wrote: they printed "
            "this copy without your answers."
        )
        return f"{said} {own_copy}"
    said = _(
        "The facilitators printed this copy because you allowed it: it holds only what you "
        "shared with your buddy, never your answers marked “Only you”, your letter to "
        "yourself or the parts of your plan you keep to yourself."
    )
    return f"{said} {own_copy}"
