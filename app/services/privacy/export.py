"""What a participant's export of their own data holds, table by table: each exporter reads
only what the participant may read about themselves (``visibility`` decides)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.core.messages import texts
from app.models import (
    BuddyGroup,
    BuddyMember,
    Cohort,
    MailBounce,
    MailOptOut,
    OutboxMessage,
    PairingHistory,
    Participant,
    Person,
    SignInLink,
)
from app.models.plans import CheckIn, CheckInPlan, Partnership, PlanComment
from app.models.tablet import PairAgreement, SignInCard
from app.services.library import program_of
from app.services.privacy import visibility

Rows = list[dict[str, Any]]


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_participant(session: Session, p: Participant) -> dict[str, Any]:
    data = p.model_dump(exclude={"id", "cohort_id", "person_id"})
    return {k: _iso(v) if isinstance(v, date | datetime) else v for k, v in data.items()}


def export_person(session: Session, p: Participant) -> dict[str, Any]:
    person = session.get(Person, p.person_id)
    return {"email": person.email, "name": person.name} if person else {}


def export_answers(session: Session, p: Participant) -> Rows:
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


def export_plan(session: Session, p: Participant) -> dict[str, Any] | None:
    view = visibility.read_plan(session, viewer=p, owner=p)
    if view.plan_id is None:
        return None
    return {"version": view.version, "content": view.parts, "shared_parts": view.shared_parts}


def export_plan_versions(session: Session, p: Participant) -> Rows:
    return [
        {
            "version": v.version,
            "content": v.content,
            "created_at": _iso(v.created_at),
            "updated_at": _iso(v.updated_at),
        }
        for v in visibility.read_plan_versions(session, viewer=p, owner=p)
    ]


def export_comments(session: Session, p: Participant) -> dict[str, Rows]:
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


def groups_of(session: Session, p: Participant) -> list[int]:
    return list(
        session.exec(select(BuddyMember.group_id).where(BuddyMember.participant_id == p.id)).all()
    )


def export_notes(session: Session, p: Participant) -> Rows:
    return [
        {"checkin_date": _iso(n.checkin_date), "text": n.text}
        for n in visibility.read_checkin_notes(session, viewer=p, owner=p)
    ]


def export_steps(session: Session, p: Participant) -> Rows:
    rows: Rows = []
    for group in session.exec(
        select(BuddyGroup).where(col(BuddyGroup.id).in_(groups_of(session, p)))
    ).all():
        rows += [
            {
                "text": s.text,
                "written_by": s.created_by,
                "created_at": _iso(s.created_at),
                "done": s.done,
            }
            for s in visibility.read_agreed_steps(session, viewer=p, group=group)
        ]
    return rows


def export_checkin_plans(session: Session, p: Participant) -> Rows:
    return [
        {
            "rhythm": r.rhythm,
            "dates": r.dates,
            "proposed_by_me": r.proposed_by == p.id,
            "agreed_by_me": p.id in r.agreed_by,
        }
        for r in session.exec(
            select(CheckInPlan).where(col(CheckInPlan.group_id).in_(groups_of(session, p)))
        ).all()
    ]


def export_checkins(session: Session, p: Participant) -> Rows:
    return [
        {
            "series": c.series,
            "number": c.number,
            "day": _iso(c.day),
            "at": c.at.isoformat(timespec="minutes"),
            "state": c.state,
            "changed_by_me": c.changed_by == p.id,
        }
        for c in session.exec(
            select(CheckIn)
            .where(col(CheckIn.group_id).in_(groups_of(session, p)))
            .order_by(col(CheckIn.group_id), col(CheckIn.series), col(CheckIn.number))
        ).all()
    ]


def export_partnership(session: Session, p: Participant) -> Rows:
    return [
        {
            "state": r.state,
            "my_reason": r.reason if r.changed_by == p.id else "",
            "changed_at": _iso(r.changed_at),
        }
        for r in session.exec(
            select(Partnership).where(col(Partnership.group_id).in_(groups_of(session, p)))
        ).all()
    ]


def export_groups(session: Session, p: Participant) -> Rows:
    rows = []
    for group in session.exec(
        select(BuddyGroup).where(col(BuddyGroup.id).in_(groups_of(session, p)))
    ).all():
        names = [m.name for m in visibility.members_of(session, group=group) if m.id != p.id]
        rows.append(
            {
                "buddies": names,
                "state": group.state,
                "why_we_are_buddies": texts(group.participant_reasons),
            }
        )
    return rows


def export_agreements(session: Session, p: Participant) -> Rows:
    return [
        {"accepted_at": _iso(a.accepted_at)}
        for a in session.exec(
            select(PairAgreement).where(PairAgreement.participant_id == p.id)
        ).all()
    ]


def export_cards(session: Session, p: Participant) -> Rows:
    return [
        {
            "issued_at": _iso(c.issued_at),
            "expires_at": _iso(c.expires_at),
            "revoked_at": _iso(c.revoked_at),
        }
        for c in session.exec(select(SignInCard).where(SignInCard.participant_id == p.id)).all()
    ]


def export_links(session: Session, p: Participant) -> Rows:
    """The participant's personal sign-in links: purpose and dates (the token is kept nowhere)."""
    rows = session.exec(
        select(SignInLink).where(SignInLink.participant_id == p.id).order_by(col(SignInLink.id))
    ).all()
    return [
        {
            "purpose": link.purpose,
            "lands_on": link.next_path,
            "issued_at": _iso(link.issued_at),
            "expires_at": _iso(link.expires_at),
            "sent_at": _iso(link.sent_at),
            "used_at": _iso(link.used_at),
            "revoked_at": _iso(link.revoked_at),
        }
        for link in rows
    ]


def export_mail(session: Session, p: Participant) -> Rows:
    """Which mails were sent to the participant and how they fared (the kind, never a copy)."""
    return [
        {
            "kind": m.kind,
            "to": m.to_address,
            "state": m.state,
            "queued_at": _iso(m.created_at),
            "sent_at": _iso(m.sent_at),
        }
        for m in session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.participant_id == p.id)
            .order_by(col(OutboxMessage.id))
        ).all()
    ]


def export_mail_settings(session: Session, p: Participant) -> dict[str, Any]:
    bounced = session.get(MailBounce, p.email.lower()) is not None
    return {"reminders": session.get(MailOptOut, p.id) is None, "address_bounced": bounced}


def export_history(session: Session, p: Participant) -> Rows:
    rows = session.exec(
        select(PairingHistory).where(
            (col(PairingHistory.person_a_id) == p.person_id)
            | (col(PairingHistory.person_b_id) == p.person_id)
        )
    ).all()
    return [{"cohort_id": r.cohort_id, "created_at": _iso(r.created_at)} for r in rows]


def export_intake(session: Session, p: Participant) -> dict[str, Any] | None:
    view = visibility.read_intake(session, viewer=p, owner=p)
    if view.submitted_at is None:
        return None
    return {
        "offers": view.offers,
        "wants": view.wants,
        "languages": view.languages,
        "notes": view.notes,
        "submitted_at": _iso(view.submitted_at),
        "updated_at": _iso(view.updated_at),
    }


def export_intake_avoid(session: Session, p: Participant) -> Rows:
    # Only the requests the participant made: a request about them is someone else's secret.
    view = visibility.read_intake(session, viewer=p, owner=p)
    names = dict(
        session.exec(
            select(Participant.id, Participant.name).where(col(Participant.id).in_(view.avoid_ids))
        ).all()
    )
    return [{"rather_not_pair_with": names.get(i, "")} for i in view.avoid_ids]
