"""Personal data rights: a participant's export of everything about them, erasure of a
participant, and the purge of a cohort's content after the retention period.

``REGISTRY`` names every table that holds participant data and says how it is exported and
erased (or, with a reason, why it is not). A test walks the metadata and fails when a table
with a participant or person reference is missing here, so a new table cannot slip past.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import N_, format_date
from app.core.i18n import gettext as _
from app.core.messages import Message
from app.models import (
    AuditEvent,
    BuddyGroup,
    BuddyMember,
    Cohort,
    LoginAttempt,
    MailBounce,
    MailOptOut,
    OutboxMessage,
    PairingHistory,
    Participant,
    ParticipantPin,
    Person,
    SignInLink,
    WebSession,
)
from app.models.intake import IntakeAnswer, IntakeAvoid
from app.models.plans import (
    AgreedStep,
    CheckIn,
    CheckInNote,
    CheckInPlan,
    Partnership,
    Plan,
    PlanComment,
    PlanSaveReceipt,
    PlanVersion,
)
from app.models.tablet import Answer, PairAgreement, SaveReceipt, SignInCard
from app.services.accounts import login_throttle_prefix
from app.services.cohorts import cohort_end_date
from app.services.ops import record_event
from app.services.privacy.export import (
    export_agreements,
    export_answers,
    export_cards,
    export_checkin_plans,
    export_checkins,
    export_comments,
    export_groups,
    export_history,
    export_intake,
    export_intake_avoid,
    export_links,
    export_mail,
    export_mail_settings,
    export_notes,
    export_participant,
    export_partnership,
    export_person,
    export_plan,
    export_plan_versions,
    export_steps,
    groups_of,
)
from app.services.roster import forget_uploads_mentioning

Rows = list[dict[str, Any]]
Exporter = Callable[[Session, Participant], Any]
Eraser = Callable[[Session, Participant], int]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How one table's rows about a participant are exported and erased.

    A string instead of a function is the reason the table is deliberately left out.
    ``content`` marks what participants wrote: the retention purge removes exactly that.
    """

    section: str
    export: Exporter | str
    erase: Eraser | str
    content: bool = False


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _count(session: Session, statement: Any) -> int:
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


# ---- erasers: each removes one table's rows about the participant ---------------------------


def _plan_ids(session: Session, p: Participant) -> list[int]:
    return [
        i
        for i in session.exec(select(Plan.id).where(Plan.participant_id == p.id)).all()
        if i is not None
    ]


def _erase_comments(session: Session, p: Participant) -> int:
    return _count(
        session,
        delete(PlanComment).where(
            (col(PlanComment.author_id) == p.id)
            | col(PlanComment.plan_id).in_(_plan_ids(session, p))
        ),
    )


def _erase_versions(session: Session, p: Participant) -> int:
    return _count(
        session, delete(PlanVersion).where(col(PlanVersion.plan_id).in_(_plan_ids(session, p)))
    )


def _by_participant(model: Any, column: str = "participant_id") -> Eraser:
    def erase(session: Session, p: Participant) -> int:
        return _count(session, delete(model).where(getattr(model, column) == p.id))

    return erase


def _erase_steps(session: Session, p: Participant) -> int:
    # Steps the buddy wrote stay theirs; only the mark that she ticked one goes.
    ticked = _count(
        session, update(AgreedStep).where(col(AgreedStep.done_by) == p.id).values(done_by=None)
    )
    return ticked + _count(session, delete(AgreedStep).where(col(AgreedStep.created_by) == p.id))


def _erase_checkins(session: Session, p: Participant) -> int:
    # The pair's appointments stay for the buddy; who moved or held one does not.
    return _count(
        session, update(CheckIn).where(col(CheckIn.changed_by) == p.id).values(changed_by=None)
    )


def _erase_checkin_plans(session: Session, p: Participant) -> int:
    changed = 0
    for row in session.exec(
        select(CheckInPlan).where(col(CheckInPlan.group_id).in_(groups_of(session, p)))
    ).all():
        row.agreed_by = [i for i in row.agreed_by if i != p.id]
        row.proposed_by = None if row.proposed_by == p.id else row.proposed_by
        session.add(row)
        changed += 1
    return changed


def _erase_partnership(session: Session, p: Participant) -> int:
    return _count(
        session,
        update(Partnership)
        .where(col(Partnership.changed_by) == p.id)
        .values(changed_by=None, reason=""),
    )


def _erase_history(session: Session, p: Participant) -> int:
    others = _other_participations(session, p)
    condition = (col(PairingHistory.person_a_id) == p.person_id) | (
        col(PairingHistory.person_b_id) == p.person_id
    )
    if others:
        condition = condition & (col(PairingHistory.cohort_id) == p.cohort_id)
    return _count(session, delete(PairingHistory).where(condition))


def _others_seen_by(session: Session, p: Participant) -> list[Participant]:
    """Roster rows that may name ``p``: the cohort's, and every cohort's once no other
    participation of the person is left to need the address."""
    query = select(Participant).where(Participant.id != p.id)
    if _other_participations(session, p):
        query = query.where(Participant.cohort_id == p.cohort_id)
    return list(session.exec(query).all())


def _other_participations(session: Session, p: Participant) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Participant)
            .where(Participant.person_id == p.person_id, Participant.id != p.id)
        ).one()
    )


def _erase_participant(session: Session, p: Participant) -> int:
    # Other people's rows keep the address as their manager or someone to avoid; a pending
    # roster upload keeps the whole row in its file, in whatever encoding it came.
    email = p.email.lower()
    for other in _others_seen_by(session, p):
        avoid = [a for a in other.avoid if a.lower() != email]
        manager = "" if other.manager_email.lower() == email else other.manager_email
        if (manager, avoid) != (other.manager_email, other.avoid):
            other.manager_email, other.avoid = manager, avoid
            session.add(other)
    forget_uploads_mentioning(session, texts=[p.email, p.name])
    return _count(session, delete(Participant).where(col(Participant.id) == p.id))


def _former(match: re.Match[str]) -> str:
    return "A former participant" if match.start() == 0 else "a former participant"


FORMER = N_("a former participant")


def _without(value: Any, names: re.Pattern[str]) -> Any:
    """A stored message value with every mention of the person replaced (lists too)."""
    if isinstance(value, str):
        return Message(FORMER).to_json() if names.fullmatch(value.strip()) else value
    if isinstance(value, dict) and "list" in value:
        return {**value, "list": [_without(v, names) for v in value["list"]]}
    return value


def _scrub(reason: str, names: re.Pattern[str]) -> str:
    if isinstance(reason, Message):
        args = {k: _without(v, names) for k, v in reason.args.items()}
        return reason if args == reason.args else reason.replace_args(**args)
    # A reason stored as finished English text (before reasons were stored as messages).
    return names.sub(_former, reason)


def _erase_group_mentions(session: Session, p: Participant) -> int:
    """Rewrite the cohort's pairing reasons that name the participant (in their own groups,
    the wording for the buddies may use the first name alone)."""

    def pattern(*texts: str) -> re.Pattern[str]:
        words = [rf"(?<!\w){re.escape(t.strip())}(?!\w)" for t in texts if t.strip()]
        return re.compile("|".join(words), re.IGNORECASE)

    anywhere = pattern(p.email, p.name)
    in_own = pattern(p.email, p.name, p.name.split()[0] if p.name.split() else "")
    own = set(groups_of(session, p))
    changed = 0
    for group in session.exec(select(BuddyGroup).where(BuddyGroup.cohort_id == p.cohort_id)):
        names = in_own if group.id in own else anywhere
        reasons = [_scrub(r, names) for r in group.reasons]
        shared = [_scrub(r, names) for r in group.participant_reasons]
        if _stored(reasons, shared) != _stored(group.reasons, group.participant_reasons):
            group.reasons, group.participant_reasons = reasons, shared
            session.add(group)
            changed += 1
    return changed


def _stored(*lists: list[str]) -> list[list[Any]]:
    # Messages compare by their English text; what is stored is their id and values.
    return [[r.to_json() if isinstance(r, Message) else r for r in rs] for rs in lists]


def _erase_login_attempts(session: Session, p: Participant) -> int:
    # A participant who typed their address at the facilitator sign-in left it in the throttle.
    return _count(
        session,
        delete(LoginAttempt).where(
            col(LoginAttempt.key).startswith(login_throttle_prefix(p.email), autoescape=True)
        ),
    )


def _erase_intake_avoid(session: Session, p: Participant) -> int:
    # Both ways: the requests they made, and those made about them (which name them by id).
    return _count(
        session,
        delete(IntakeAvoid).where(
            (col(IntakeAvoid.participant_id) == p.id) | (col(IntakeAvoid.avoided_id) == p.id)
        ),
    )


def _erase_bounce(session: Session, p: Participant) -> int:
    # Keyed by address, not by participant: kept while another participation uses it.
    if _other_participations(session, p):
        return 0
    return _count(session, delete(MailBounce).where(col(MailBounce.address) == p.email.lower()))


def _erase_person(session: Session, p: Participant) -> int:
    if _other_participations(session, p):
        return 0
    return _count(session, delete(Person).where(col(Person.id) == p.person_id))


REGISTRY: dict[str, Coverage] = {
    # Order matters for erasure: rows that point at others go first.
    "plan_comment": Coverage("plan_comments", export_comments, _erase_comments, content=True),
    "plan_version": Coverage("plan_versions", export_plan_versions, _erase_versions, content=True),
    "plan_save_receipt": Coverage(
        "",
        "a copy of plan versions already exported",
        _by_participant(PlanSaveReceipt),
        content=True,
    ),
    "plan": Coverage("plan", export_plan, _by_participant(Plan), content=True),
    "checkin_note": Coverage(
        "checkin_notes", export_notes, _by_participant(CheckInNote), content=True
    ),
    "agreed_step": Coverage("agreed_steps", export_steps, _erase_steps, content=True),
    "checkin_plan": Coverage("checkin_plans", export_checkin_plans, _erase_checkin_plans),
    "checkin": Coverage("checkins", export_checkins, _erase_checkins),
    "partnership": Coverage("partnership", export_partnership, _erase_partnership),
    "save_receipt": Coverage(
        "", "a copy of the answers already exported", _by_participant(SaveReceipt), content=True
    ),
    "answer": Coverage("answers", export_answers, _by_participant(Answer), content=True),
    "intake_answer": Coverage("intake", export_intake, _by_participant(IntakeAnswer), content=True),
    "intake_avoid": Coverage(
        "intake_avoid", export_intake_avoid, _erase_intake_avoid, content=True
    ),
    "signin_card": Coverage("signin_cards", export_cards, _by_participant(SignInCard)),
    "signin_link": Coverage("signin_links", export_links, _by_participant(SignInLink)),
    "web_session": Coverage(
        "", "sign-in tokens: secrets, not information about the person", _by_participant(WebSession)
    ),
    "participant_pin": Coverage(
        "", "a keyed hash of the PIN: a secret, not information", _by_participant(ParticipantPin)
    ),
    "pair_agreement": Coverage("agreements", export_agreements, _by_participant(PairAgreement)),
    "buddy_group": Coverage(
        "", "exported with buddy_member (the reasons given to the pair)", _erase_group_mentions
    ),
    "buddy_member": Coverage("buddy_groups", export_groups, _by_participant(BuddyMember)),
    "outbox_message": Coverage("mail", export_mail, _by_participant(OutboxMessage)),
    "mail_opt_out": Coverage("mail_settings", export_mail_settings, _by_participant(MailOptOut)),
    "mail_bounce": Coverage("", "exported with mail_settings (address_bounced)", _erase_bounce),
    "login_attempt": Coverage(
        "", "throttle counters, kept minutes: nothing the person wrote", _erase_login_attempts
    ),
    "pairing_history": Coverage("pairing_history", export_history, _erase_history),
    "participant": Coverage("participant", export_participant, _erase_participant),
    "person": Coverage("person", export_person, _erase_person),
}
EXCLUDED: dict[str, str] = {
    "audit_event": "ids and actions only; erasure rewrites the person's ids to a pseudonym",
}


def export_my_data(session: Session, *, participant: Participant) -> dict[str, Any]:
    """Everything stored about the participant, as JSON-ready data (never a buddy's private
    notes or unshared plan parts)."""
    data: dict[str, Any] = {"format": "tandem-my-data/1"}
    for coverage in REGISTRY.values():
        if callable(coverage.export):
            data[coverage.section] = coverage.export(session, participant)
    data["links"] = {"workbook_pdf": "/p/workbook.pdf", "pair_workbook_pdf": "/p/workbook/pair.pdf"}
    return data


def pseudonym(person_id: int, *, secret: str) -> str:
    """A stable id for an erased person: keyed so nobody can test a guess without the secret."""
    digest = hmac.new(secret.encode(), str(person_id).encode(), hashlib.sha256).hexdigest()
    return f"erased-{digest[:24]}"


def erase_participant(
    session: Session, *, participant: Participant, secret: str, actor: str
) -> dict[str, int]:
    """Delete everything about the participant; the audit trail keeps only a pseudonym."""
    assert participant.id is not None
    alias = pseudonym(participant.person_id, secret=secret)
    counts = {
        table: c.erase(session, participant) for table, c in REGISTRY.items() if callable(c.erase)
    }
    me = f"participant:{participant.id}"
    session.execute(update(AuditEvent).where(col(AuditEvent.actor) == me).values(actor=alias))
    session.execute(
        update(AuditEvent)
        .where(
            col(AuditEvent.object_type) == "participant",
            col(AuditEvent.object_id) == str(participant.id),
        )
        .values(object_id=alias)
    )
    session.expunge(participant)
    record_event(
        session,
        actor=actor,
        action="participant.erase",
        object_type="person",
        object_id=alias,
        cohort_id=participant.cohort_id,
        detail={"rows": sum(counts.values())},
    )
    return counts


def purge_due(cohort: Cohort, *, retention_days: int) -> date:
    """The first day a cohort's content may be purged."""
    return cohort_end_date(cohort) + timedelta(days=retention_days + 1)


def purgeable_cohorts(session: Session, *, today: date, retention_days: int) -> list[Cohort]:
    """Cohorts whose retention period after their last day is over."""
    return [
        c
        for c in session.exec(select(Cohort).order_by(col(Cohort.start_date))).all()
        if purge_due(c, retention_days=retention_days) <= today
    ]


def purge_cohort_content(
    session: Session,
    *,
    cohort: Cohort,
    today: date,
    retention_days: int,
    actor: str,
    dry_run: bool = False,
) -> dict[str, int]:
    """Delete what the cohort's participants wrote once retention is over (Conflict before);
    ``dry_run`` only counts. The roster and the pairs stay for the facilitators' records."""
    due = purge_due(cohort, retention_days=retention_days)
    if due > today:
        raise Conflict(
            _(
                "the content of %(cohort)s is kept until %(date)s",
                cohort=cohort.name,
                date=format_date(due),
            )
        )
    people = session.exec(select(Participant).where(Participant.cohort_id == cohort.id)).all()
    counts = {table: 0 for table, c in REGISTRY.items() if c.content}
    with session.begin_nested() as nested:
        for person in people:
            for table in counts:
                eraser = REGISTRY[table].erase
                assert callable(eraser)
                counts[table] += eraser(session, person)
        if dry_run:
            nested.rollback()
    if not dry_run:
        record_event(
            session,
            actor=actor,
            action="cohort.purge",
            object_type="cohort",
            object_id=cohort.id or "",
            cohort_id=cohort.id,
            detail={"rows": sum(counts.values())},
        )
    return counts


def confirm_erasure(participant: Participant, *, confirm: str) -> None:
    """Refuse an erasure unless the participant's e-mail address was typed to confirm it:
    nothing can bring the data back."""
    if confirm.strip().lower() != participant.email.lower():
        raise InvalidInput(
            _("Nothing was erased."),
            [
                Problem(
                    _("confirm"),
                    _("type the participant's e-mail address to confirm"),
                    "confirm",
                )
            ],
        )


def check_admin(viewer: object) -> None:
    """Erasure and purges are for admins: anyone else is told the page does not exist."""
    if not getattr(viewer, "is_admin", False):
        raise NotFound(_("not found"))
