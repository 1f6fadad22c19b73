"""The partnership after the program: a check-in rhythm, private notes, agreed next steps,
and pausing or ending it.

Either buddy may pause or end the partnership with a neutral reason; the reason is kept for
the one who gave it, and the others learn only "paused" or "ended". Ending it also ends the
buddy group, so every read of the other's answers and plan stops at once (the cone of
silence treats them as former buddies).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

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
from app.models import BuddyGroup, Cohort, Participant, utcnow
from app.models.plans import PARTNERSHIP_REASONS, CheckIn, CheckInNote, CheckInPlan, Partnership
from app.services import privacy
from app.services.agenda import build_checkin_ics
from app.services.cohorts import cohort_end_date
from app.services.ops import record_event
from app.services.plans.checkins import (
    checkin_items,
    cohort_today,
    group_checkins,
    series_is_over,
    start_series,
)
from app.services.plans.dates import checkin_dates
from app.services.plans.pair import (
    live_group,
    members,
    partnership_group_of,
    partnership_row,
    partnership_state,
)
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
    # Neutral on purpose: buddies whose roles now compete need not say so.
    "roles_overlap": N_("Our roles now overlap too much to speak freely"),
    "prefer_not_to_say": N_("I prefer not to say"),
}
"""Why a member pauses or ends (source text: translate with :func:`reason_labels`)."""


def rhythm_labels() -> dict[str, str]:
    """The check-in rhythms in the reader's language."""
    return {key: _(label) for key, label in RHYTHMS.items()}


def reason_labels() -> dict[str, str]:
    """The reasons for pausing or ending, in the reader's language."""
    return {key: _(label) for key, label in REASON_LABELS.items()}


NOTE_LIMIT = 20_000
DEFAULT_TIME = time(10, 0)


@dataclass(frozen=True, slots=True)
class PartnershipView:
    """The partnership as one member sees it: the reason only if they gave it themselves."""

    group_id: int
    buddy_names: list[str]
    state: str
    my_reason: str
    rhythm: str
    at: time
    proposal: list[date]
    """The dates of a rhythm proposed but not yet agreed by everyone."""
    dates: list[date]
    """Every check-in day, agreed or proposed (the private notes are kept by day)."""
    checkins: list[CheckInRow]
    agreed: bool
    agreed_by_me: bool
    proposed_by_me: bool
    can_renew: bool
    notes: dict[date, str]
    steps: list[privacy.StepView]


def _started(session: Session, group: BuddyGroup, series: int) -> bool:
    return (
        session.exec(
            select(CheckIn.id).where(CheckIn.group_id == group.id, CheckIn.series == series)
        ).first()
        is not None
    )


def propose_rhythm(
    session: Session,
    *,
    participant: Participant,
    rhythm: str,
    at: time = DEFAULT_TIME,
    now: datetime | None = None,
) -> CheckInPlan:
    """Propose a check-in rhythm for the group; the proposer agrees, the others confirm.

    Once the agreed check-ins have all passed, a new proposal renews the rhythm: the next
    series, counted from the last check-in (or today, when that is later).
    """
    group = live_group(session, participant)
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    assert group.id is not None
    assert participant.id is not None
    today = cohort_today(cohort, now=now or utcnow())
    row = session.get(CheckInPlan, group.id) or CheckInPlan(group_id=group.id, rhythm=rhythm)
    start = max(cohort_end_date(cohort), today)
    if _started(session, group, row.series):
        if not series_is_over(session, group=group, today=today):
            raise Conflict(
                _("Your check-ins are still running: renew the rhythm after the last one.")
            )
        last = max(c.day for c in group_checkins(session, group=group))
        row.series, start = row.series + 1, max(last, today)
    dates = [d.isoformat() for d in checkin_dates(rhythm, start=start)]
    row.rhythm, row.dates, row.at = rhythm, dates, at.replace(second=0, microsecond=0)
    row.proposed_by, row.agreed_by, row.updated_at = participant.id, [participant.id], utcnow()
    session.add(row)
    session.flush()
    _start_if_agreed(session, group, row, cohort)
    return row


def _start_if_agreed(session: Session, group: BuddyGroup, row: CheckInPlan, cohort: Cohort) -> None:
    if _agreed(session, group, row):
        start_series(session, group=group, plan=row, cohort=cohort)


def agree_rhythm(session: Session, *, participant: Participant) -> CheckInPlan:
    """Agree to the rhythm a buddy proposed; once everyone has, its check-ins are made."""
    group = live_group(session, participant)
    row = session.get(CheckInPlan, group.id)
    if row is None:
        raise NotFound(_("No rhythm has been proposed yet."))
    assert participant.id is not None
    if participant.id not in row.agreed_by:
        row.agreed_by = [*row.agreed_by, participant.id]
        session.add(row)
        session.flush()
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    _start_if_agreed(session, group, row, cohort)
    return row


def _agreed(session: Session, group: BuddyGroup, row: CheckInPlan | None) -> bool:
    ids = {p.id for p in members(session, group)}
    return row is not None and ids <= set(row.agreed_by)


@dataclass(frozen=True, slots=True)
class CheckInRow:
    """One check-in on the partnership page: when, and whether the pair met."""

    id: int
    series: int
    number: int
    day: date
    at: time
    state: str


def partnership_view(
    session: Session, *, participant: Participant, now: datetime | None = None
) -> PartnershipView:
    """Everything the check-in page shows this member (never another member's notes)."""
    group = partnership_group_of(session, participant=participant)
    assert group.id is not None
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    state = partnership_state(session, group=group)
    row = partnership_row(session, group)
    plan = session.get(CheckInPlan, group.id)
    mine = row is not None and row.changed_by == participant.id
    notes = {
        n.checkin_date: n.text
        for n in privacy.read_checkin_notes(session, viewer=participant, owner=participant)
    }
    checkins = [
        CheckInRow(c.id or 0, c.series, c.number, c.day, c.at, c.state)
        for c in group_checkins(session, group=group)
    ]
    pending = plan is not None and not _started(session, group, plan.series)
    proposal = [date.fromisoformat(d) for d in plan.dates] if plan and pending else []
    today = cohort_today(cohort, now=now or utcnow())
    return PartnershipView(
        group_id=group.id,
        buddy_names=[p.name for p in members(session, group) if p.id != participant.id],
        state=state,
        my_reason=row.reason if mine and row is not None else "",
        rhythm=plan.rhythm if plan else "",
        at=plan.at if plan else DEFAULT_TIME,
        proposal=proposal,
        dates=sorted({c.day for c in checkins} | set(proposal)),
        checkins=checkins,
        agreed=plan is not None and not pending,
        agreed_by_me=plan is not None and participant.id in plan.agreed_by,
        proposed_by_me=plan is not None and plan.proposed_by == participant.id,
        can_renew=state == "active"
        and bool(checkins)
        and not pending
        and series_is_over(session, group=group, today=today),
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
    row = partnership_row(session, group) or Partnership(group_id=group.id)
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
    """The agreed check-ins as calendar events, for any member to download: the same UID and
    SEQUENCE as the reminder mails' invitations, so either updates the other in place."""
    group = partnership_group_of(session, participant=participant)
    if partnership_state(session, group=group) == "ended":
        raise NotFound(_("The partnership has ended."))
    checkins = group_checkins(session, group=group)
    if not checkins:
        raise NotFound(_("You have not agreed on a check-in rhythm yet."))
    cohort = session.get(Cohort, group.cohort_id)
    assert cohort is not None
    # The calendar speaks the language of the member who downloads it.
    language = participant_language(session, participant)
    with use_locale(language):
        items = checkin_items(session, group=group, checkins=checkins, cohort=cohort)
        names = format_list([p.name for p in members(session, group)])
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
    rows = group_checkins(session, group=group)
    if plan is None or not rows or partnership_state(session, group=group) == "ended":
        return []
    # The latest series the pair agreed (a renewal still waiting for agreement is not printed).
    checkins = [c for c in rows if c.series == rows[-1].series]
    total = len(checkins)
    rhythm = _(RHYTHMS[plan.rhythm])
    return [
        CheckInLine(
            date_label=format_date(c.day, "long"),
            note=ngettext(
                "Check-in %(number)s of %(num)s (%(rhythm)s)",
                "Check-in %(number)s of %(num)s (%(rhythm)s)",
                total,
                number=c.number,
                rhythm=rhythm,
            ),
        )
        for c in checkins
    ]
