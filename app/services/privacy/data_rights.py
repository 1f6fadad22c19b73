"""Personal data rights: a participant's export of everything about them, erasure of a
participant, and the purge of a cohort's content after the retention period.

``REGISTRY`` names every table that holds participant data and says how it is exported and
erased (or, with a reason, why it is not). A test walks the metadata and fails when a table
with a participant or person reference is missing here, so a new table cannot slip past.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.core.errors import Conflict, NotFound
from app.models import (
    AuditEvent,
    BuddyGroup,
    BuddyMember,
    Cohort,
    PairingHistory,
    Participant,
    ParticipantPin,
    Person,
    RosterImport,
    WebSession,
)
from app.models.plans import (
    AgreedStep,
    CheckInNote,
    CheckInPlan,
    Partnership,
    Plan,
    PlanComment,
    PlanSaveReceipt,
    PlanVersion,
)
from app.models.tablet import Answer, PairAgreement, SaveReceipt, SignInCard
from app.services.cohorts import cohort_end_date
from app.services.library import program_of
from app.services.ops import record_event
from app.services.privacy import visibility

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


# ---- exporters: each reads only what the participant may read about themselves ------------


def _export_participant(session: Session, p: Participant) -> dict[str, Any]:
    data = p.model_dump(exclude={"id", "cohort_id", "person_id"})
    return {k: _iso(v) if isinstance(v, date | datetime) else v for k, v in data.items()}


def _export_person(session: Session, p: Participant) -> dict[str, Any]:
    person = session.get(Person, p.person_id)
    return {"email": person.email, "name": person.name} if person else {}


def _export_answers(session: Session, p: Participant) -> Rows:
    cohort = session.get(Cohort, p.cohort_id)
    assert cohort is not None
    rows = []
    for bound in program_of(session, cohort=cohort, include_unselected=True):
        answers = visibility.read_answers(session, viewer=p, owner=p, exercise=bound)
        rows += [
            {"exercise_id": bound.spec.id, "prompt_id": k, "value": a.value, "version": a.version}
            for k, a in sorted(answers.items())
        ]
    return rows


def _export_plan(session: Session, p: Participant) -> dict[str, Any] | None:
    view = visibility.read_plan(session, viewer=p, owner=p)
    if view.plan_id is None:
        return None
    return {"version": view.version, "content": view.parts, "shared_parts": view.shared_parts}


def _export_plan_versions(session: Session, p: Participant) -> Rows:
    return [
        {
            "version": v.version,
            "content": v.content,
            "created_at": _iso(v.created_at),
            "updated_at": _iso(v.updated_at),
        }
        for v in visibility.read_plan_versions(session, viewer=p, owner=p)
    ]


def _export_comments(session: Session, p: Participant) -> dict[str, Rows]:
    received = [
        {
            "from": c.author_name,
            "part": c.part,
            "text": c.text,
            "resolved": c.resolved,
            "created_at": _iso(c.created_at),
        }
        for c in visibility.read_plan_comments(session, viewer=p, owner=p)
    ]
    written = [
        {"part": c.part, "text": c.text, "resolved": c.resolved, "created_at": _iso(c.created_at)}
        for c in session.exec(
            select(PlanComment).where(PlanComment.author_id == p.id).order_by(col(PlanComment.id))
        ).all()
    ]
    return {"written": written, "received": received}


def _groups(session: Session, p: Participant) -> list[int]:
    return list(
        session.exec(select(BuddyMember.group_id).where(BuddyMember.participant_id == p.id)).all()
    )


def _export_notes(session: Session, p: Participant) -> Rows:
    return [
        {"checkin_date": _iso(n.checkin_date), "text": n.text}
        for n in visibility.read_checkin_notes(session, viewer=p, owner=p)
    ]


def _export_steps(session: Session, p: Participant) -> Rows:
    rows: Rows = []
    for group in session.exec(
        select(BuddyGroup).where(col(BuddyGroup.id).in_(_groups(session, p)))
    ).all():
        rows += [
            {"text": s.text, "written_by": s.created_by, "created_at": _iso(s.created_at)}
            for s in visibility.read_agreed_steps(session, viewer=p, group=group)
        ]
    return rows


def _export_checkin_plans(session: Session, p: Participant) -> Rows:
    return [
        {
            "rhythm": r.rhythm,
            "dates": r.dates,
            "proposed_by_me": r.proposed_by == p.id,
            "agreed_by_me": p.id in r.agreed_by,
        }
        for r in session.exec(
            select(CheckInPlan).where(col(CheckInPlan.group_id).in_(_groups(session, p)))
        ).all()
    ]


def _export_partnership(session: Session, p: Participant) -> Rows:
    return [
        {
            "state": r.state,
            "my_reason": r.reason if r.changed_by == p.id else "",
            "changed_at": _iso(r.changed_at),
        }
        for r in session.exec(
            select(Partnership).where(col(Partnership.group_id).in_(_groups(session, p)))
        ).all()
    ]


def _export_groups(session: Session, p: Participant) -> Rows:
    rows = []
    for group in session.exec(
        select(BuddyGroup).where(col(BuddyGroup.id).in_(_groups(session, p)))
    ).all():
        names = [m.name for m in visibility.members_of(session, group=group) if m.id != p.id]
        rows.append(
            {
                "buddies": names,
                "state": group.state,
                "why_we_are_buddies": list(group.participant_reasons),
            }
        )
    return rows


def _export_agreements(session: Session, p: Participant) -> Rows:
    return [
        {"accepted_at": _iso(a.accepted_at)}
        for a in session.exec(
            select(PairAgreement).where(PairAgreement.participant_id == p.id)
        ).all()
    ]


def _export_cards(session: Session, p: Participant) -> Rows:
    return [
        {
            "issued_at": _iso(c.issued_at),
            "expires_at": _iso(c.expires_at),
            "revoked_at": _iso(c.revoked_at),
        }
        for c in session.exec(select(SignInCard).where(SignInCard.participant_id == p.id)).all()
    ]


def _export_history(session: Session, p: Participant) -> Rows:
    rows = session.exec(
        select(PairingHistory).where(
            (col(PairingHistory.person_a_id) == p.person_id)
            | (col(PairingHistory.person_b_id) == p.person_id)
        )
    ).all()
    return [{"cohort_id": r.cohort_id, "created_at": _iso(r.created_at)} for r in rows]


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
    return _count(session, delete(AgreedStep).where(col(AgreedStep.created_by) == p.id))


def _erase_checkin_plans(session: Session, p: Participant) -> int:
    changed = 0
    for row in session.exec(
        select(CheckInPlan).where(col(CheckInPlan.group_id).in_(_groups(session, p)))
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
    others = session.exec(
        select(func.count())
        .select_from(Participant)
        .where(Participant.person_id == p.person_id, Participant.id != p.id)
    ).one()
    condition = (col(PairingHistory.person_a_id) == p.person_id) | (
        col(PairingHistory.person_b_id) == p.person_id
    )
    if others:
        condition = condition & (col(PairingHistory.cohort_id) == p.cohort_id)
    return _count(session, delete(PairingHistory).where(condition))


def _erase_participant(session: Session, p: Participant) -> int:
    # The pending roster uploads of the cohort may still carry their row in the raw CSV.
    for upload in session.exec(
        select(RosterImport).where(RosterImport.cohort_id == p.cohort_id)
    ).all():
        if p.email.lower().encode() in upload.data.lower():
            session.delete(upload)
    return _count(session, delete(Participant).where(col(Participant.id) == p.id))


def _erase_person(session: Session, p: Participant) -> int:
    others = session.exec(
        select(func.count()).select_from(Participant).where(Participant.person_id == p.person_id)
    ).one()
    if others:
        return 0
    return _count(session, delete(Person).where(col(Person.id) == p.person_id))


REGISTRY: dict[str, Coverage] = {
    # Order matters for erasure: rows that point at others go first.
    "plan_comment": Coverage("plan_comments", _export_comments, _erase_comments, content=True),
    "plan_version": Coverage("plan_versions", _export_plan_versions, _erase_versions, content=True),
    "plan_save_receipt": Coverage(
        "",
        "a copy of plan versions already exported",
        _by_participant(PlanSaveReceipt),
        content=True,
    ),
    "plan": Coverage("plan", _export_plan, _by_participant(Plan), content=True),
    "checkin_note": Coverage(
        "checkin_notes", _export_notes, _by_participant(CheckInNote), content=True
    ),
    "agreed_step": Coverage("agreed_steps", _export_steps, _erase_steps, content=True),
    "checkin_plan": Coverage("checkin_plans", _export_checkin_plans, _erase_checkin_plans),
    "partnership": Coverage("partnership", _export_partnership, _erase_partnership),
    "save_receipt": Coverage(
        "", "a copy of the answers already exported", _by_participant(SaveReceipt), content=True
    ),
    "answer": Coverage("answers", _export_answers, _by_participant(Answer), content=True),
    "signin_card": Coverage("signin_cards", _export_cards, _by_participant(SignInCard)),
    "web_session": Coverage(
        "", "sign-in tokens: secrets, not information about the person", _by_participant(WebSession)
    ),
    "participant_pin": Coverage(
        "", "a keyed hash of the PIN: a secret, not information", _by_participant(ParticipantPin)
    ),
    "pair_agreement": Coverage("agreements", _export_agreements, _by_participant(PairAgreement)),
    "buddy_member": Coverage("buddy_groups", _export_groups, _by_participant(BuddyMember)),
    "pairing_history": Coverage("pairing_history", _export_history, _erase_history),
    "participant": Coverage("participant", _export_participant, _erase_participant),
    "person": Coverage("person", _export_person, _erase_person),
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
        raise Conflict(f"the content of {cohort.name} is kept until {due.isoformat()}")
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


def check_admin(viewer: object) -> None:
    """Erasure and purges are for admins: anyone else is told the page does not exist."""
    if not getattr(viewer, "is_admin", False):
        raise NotFound("not found")
