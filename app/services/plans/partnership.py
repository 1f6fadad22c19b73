"""The partnership after the program: a check-in rhythm, private notes, agreed next steps,
and pausing or ending it.

Either buddy may pause or end the partnership with a neutral reason; the reason is kept for
the one who gave it, and the others learn only "paused" or "ended". Ending it also ends the
buddy group, so every read of the other's answers and plan stops at once (the cone of
silence treats them as former buddies).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import (
    N_,
    _,
    format_date,
    format_list,
    format_number,
    ngettext,
    use_locale,
)
from app.models import BuddyGroup, BuddyMember, Cohort, Participant, utcnow
from app.models.plans import (
    PARTNERSHIP_REASONS,
    AgreedStep,
    CheckInNote,
    CheckInPlan,
    Partnership,
)
from app.services import privacy
from app.services.agenda import IcsItem, build_checkin_ics
from app.services.cohorts import cohort_end_date
from app.services.ops import record_event
from app.services.printing import CheckInLine
from app.services.tablet import participant_language

RHYTHMS: dict[str, str] = {
    "30-60-90": N_("After 30, 60 and 90 days"),
    "monthly-6": N_("Every month for six months"),
    "six-weekly": N_("Every six weeks for six months"),
    "quarterly-4": N_("Every quarter for a year"),
}
"""The check-in rhythms (source text: translate with :func:`rhythm_labels` where shown)."""
REASON_LABELS: dict[str, str] = {
    "completed": N_("We did what we set out to do"),
    "no_time": N_("I do not have the time now"),
    "new_role": N_("My work has changed"),
    "prefer_not_to_say": N_("I prefer not to say"),
}
"""Why a member pauses or ends (source text: translate with :func:`reason_labels`)."""


def rhythm_labels() -> dict[str, str]:
    """The check-in rhythms in the reader's language."""
    return {key: _(label) for key, label in RHYTHMS.items()}


def reason_labels() -> dict[str, str]:
    """The reasons for pausing or ending, in the reader's language."""
    return {key: _(label) for key, label in REASON_LABELS.items()}


STEP_LIMIT = 2000
NOTE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class PartnershipView:
    """The partnership as one member sees it: the reason only if they gave it themselves."""

    group_id: int
    buddy_names: list[str]
    state: str
    my_reason: str
    rhythm: str
    dates: list[date]
    agreed: bool
    agreed_by_me: bool
    proposed_by_me: bool
    notes: dict[date, str]
    steps: list[privacy.StepView]


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


def partnership_group_of(session: Session, *, participant: Participant) -> BuddyGroup:
    """The participant's latest published or ended buddy group (NotFound when none)."""
    group = session.exec(
        select(BuddyGroup)
        .join(BuddyMember, col(BuddyMember.group_id) == col(BuddyGroup.id))
        .where(
            BuddyMember.participant_id == participant.id,
            BuddyGroup.cohort_id == participant.cohort_id,
            col(BuddyGroup.state).in_(("published", "ended")),
        )
        .order_by(col(BuddyGroup.id).desc())
    ).first()
    if group is None:
        raise NotFound(_("You have no buddy yet."))
    return group


def _row(session: Session, group: BuddyGroup) -> Partnership | None:
    return session.get(Partnership, group.id)


def partnership_state(session: Session, *, group: BuddyGroup) -> str:
    """active, paused or ended (a group ended by the facilitators counts as ended)."""
    row = _row(session, group)
    if group.state == "ended" or (row is not None and row.state == "ended"):
        return "ended"
    return row.state if row is not None else "active"


def _members(session: Session, group: BuddyGroup) -> list[Participant]:
    return privacy.members_of(session, group=group)


def _live_group(session: Session, participant: Participant) -> BuddyGroup:
    group = partnership_group_of(session, participant=participant)
    state = partnership_state(session, group=group)
    if state != "active":
        if state == "paused":
            raise Conflict(_("The partnership is paused."))
        raise Conflict(_("The partnership has ended."))
    return group


def propose_rhythm(session: Session, *, participant: Participant, rhythm: str) -> CheckInPlan:
    """Propose a check-in rhythm for the group; the proposer agrees, the others confirm."""
    group = _live_group(session, participant)
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    assert group.id is not None
    assert participant.id is not None
    dates = [d.isoformat() for d in checkin_dates(rhythm, start=cohort_end_date(cohort))]
    row = session.get(CheckInPlan, group.id) or CheckInPlan(group_id=group.id, rhythm=rhythm)
    row.rhythm, row.dates = rhythm, dates
    row.proposed_by, row.agreed_by, row.updated_at = participant.id, [participant.id], utcnow()
    session.add(row)
    session.flush()
    return row


def agree_rhythm(session: Session, *, participant: Participant) -> CheckInPlan:
    """Agree to the rhythm a buddy proposed."""
    group = _live_group(session, participant)
    row = session.get(CheckInPlan, group.id)
    if row is None:
        raise NotFound(_("No rhythm has been proposed yet."))
    assert participant.id is not None
    if participant.id not in row.agreed_by:
        row.agreed_by = [*row.agreed_by, participant.id]
        session.add(row)
        session.flush()
    return row


def _agreed(session: Session, group: BuddyGroup, row: CheckInPlan | None) -> bool:
    members = {p.id for p in _members(session, group)}
    return row is not None and members <= set(row.agreed_by)


def partnership_view(session: Session, *, participant: Participant) -> PartnershipView:
    """Everything the check-in page shows this member (never another member's notes)."""
    group = partnership_group_of(session, participant=participant)
    assert group.id is not None
    state = partnership_state(session, group=group)
    row = _row(session, group)
    plan = session.get(CheckInPlan, group.id)
    mine = row is not None and row.changed_by == participant.id
    notes = {
        n.checkin_date: n.text
        for n in privacy.read_checkin_notes(session, viewer=participant, owner=participant)
    }
    return PartnershipView(
        group_id=group.id,
        buddy_names=[p.name for p in _members(session, group) if p.id != participant.id],
        state=state,
        my_reason=row.reason if mine and row is not None else "",
        rhythm=plan.rhythm if plan else "",
        dates=[date.fromisoformat(d) for d in plan.dates] if plan else [],
        agreed=_agreed(session, group, plan),
        agreed_by_me=plan is not None and participant.id in plan.agreed_by,
        proposed_by_me=plan is not None and plan.proposed_by == participant.id,
        notes=notes,
        steps=privacy.read_agreed_steps(session, viewer=participant, group=group),
    )


def save_checkin_note(
    session: Session, *, participant: Participant, checkin_date: date, text: str
) -> CheckInNote:
    """Keep a private note for one check-in (only its writer ever reads it)."""
    group = partnership_group_of(session, participant=participant)
    if len(text) > NOTE_LIMIT:
        raise InvalidInput(
            _("the note cannot be saved"),
            [
                Problem(
                    format_date(checkin_date, "long"),
                    _(
                        "A note can hold at most %(limit)s characters.",
                        limit=format_number(NOTE_LIMIT),
                    ),
                    "text",
                )
            ],
        )
    assert participant.id is not None
    assert group.id is not None
    row = session.exec(
        select(CheckInNote).where(
            CheckInNote.participant_id == participant.id,
            CheckInNote.group_id == group.id,
            CheckInNote.checkin_date == checkin_date,
        )
    ).first()
    if row is None:
        row = CheckInNote(
            participant_id=participant.id, group_id=group.id, checkin_date=checkin_date
        )
    row.text, row.updated_at = text, utcnow()
    session.add(row)
    session.flush()
    return row


def add_agreed_step(session: Session, *, participant: Participant, text: str) -> AgreedStep:
    """Write down a next step the buddies agreed together (every member reads it)."""
    group = _live_group(session, participant)
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


def change_partnership(
    session: Session, *, participant: Participant, state: str, reason: str = ""
) -> str:
    """Pause, resume (active) or end the partnership; returns the new state."""
    group = partnership_group_of(session, participant=participant)
    current = partnership_state(session, group=group)
    if current == "ended":
        raise Conflict(_("The partnership has ended."))
    if state not in ("active", "paused", "ended"):
        raise InvalidInput(
            _("unknown state"),
            [Problem("state", _("Choose to resume, pause or end the partnership."), "state")],
        )
    if state != "active" and reason not in PARTNERSHIP_REASONS:
        raise InvalidInput(
            _("choose a reason"),
            [Problem("reason", _("Choose one of the reasons offered."), "reason")],
        )
    assert group.id is not None
    row = _row(session, group) or Partnership(group_id=group.id)
    row.state, row.reason = state, reason if state != "active" else ""
    row.changed_by, row.changed_at = participant.id, utcnow()
    session.add(row)
    if state == "ended":
        # The buddies become former buddies: reading each other's answers and plans stops.
        group.state, group.end_reason, group.ended_at = "ended", "completed", utcnow()
        session.add(group)
    session.flush()
    record_event(
        session,
        actor=f"participant:{participant.id}",
        action=f"partnership.{state}",
        object_type="buddy_group",
        object_id=group.id,
        cohort_id=group.cohort_id,
    )
    return state


def checkin_calendar(session: Session, *, participant: Participant, prodid_host: str) -> bytes:
    """The agreed check-ins as calendar events, for any member to download."""
    group = partnership_group_of(session, participant=participant)
    if partnership_state(session, group=group) == "ended":
        raise NotFound(_("The partnership has ended."))
    plan = session.get(CheckInPlan, group.id)
    if plan is None or not _agreed(session, group, plan):
        raise NotFound(_("You have not agreed on a check-in rhythm yet."))
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    # The calendar speaks the language of the member who downloads it.
    language = participant_language(session, participant)
    with use_locale(language):
        names = format_list([p.name for p in _members(session, group)])
        total = len(plan.dates)
        rhythm = _(RHYTHMS[plan.rhythm])
        items = [
            IcsItem(
                uid_key=f"checkin-{group.id}-{n}",
                # Translators: a calendar event's title; names are the buddies' names.
                title=_("Buddy check-in %(number)s: %(names)s", number=n, names=names),
                # Translators: rhythm is e.g. "After 30, 60 and 90 days".
                description=ngettext(
                    "Check-in %(number)s of %(num)s (%(rhythm)s).",
                    "Check-in %(number)s of %(num)s (%(rhythm)s).",
                    total,
                    number=n,
                    rhythm=rhythm,
                ),
                day_date=date.fromisoformat(d),
                start=None,
                end=None,
            )
            for n, d in enumerate(plan.dates, start=1)
        ]
        calendar_name = _("Buddy check-ins: %(names)s", names=names)
    return build_checkin_ics(
        calendar_name,
        f"{cohort.slug}-pair-{group.id}",
        cohort.timezone,
        items,
        prodid_host=prodid_host,
        language=language,
    )


def partnership_counts(session: Session, *, cohort: Cohort) -> Counter[str]:
    """How many published or ended groups are active, paused or ended (never why)."""
    groups = session.exec(
        select(BuddyGroup).where(
            BuddyGroup.cohort_id == cohort.id, col(BuddyGroup.state).in_(("published", "ended"))
        )
    ).all()
    return Counter(partnership_state(session, group=g) for g in groups)


def workbook_checkins(
    session: Session, *, owners: Sequence[Participant], edition: str, requester: privacy.Viewer
) -> list[CheckInLine]:
    """The agreed check-in dates a workbook prints (dates and rhythm only, never notes):
    for a member's own download, or a facilitator's export when every owner chose printing."""
    if edition == "blank" or not owners:
        return []
    if isinstance(requester, Participant):
        if requester.id not in {o.id for o in owners}:
            return []
    elif not all(o.print_answers for o in owners):
        return []
    try:
        group = partnership_group_of(session, participant=owners[0])
    except NotFound:
        return []
    plan = session.get(CheckInPlan, group.id)
    if plan is None or partnership_state(session, group=group) == "ended":
        return []
    total = len(plan.dates)
    rhythm = _(RHYTHMS[plan.rhythm])
    return [
        CheckInLine(
            date_label=format_date(date.fromisoformat(d), "long"),
            note=ngettext(
                "Check-in %(number)s of %(num)s (%(rhythm)s)",
                "Check-in %(number)s of %(num)s (%(rhythm)s)",
                total,
                number=n,
                rhythm=rhythm,
            ),
        )
        for n, d in enumerate(plan.dates, start=1)
    ]
