"""The people on a cohort's roster: list, edit one, take one off, export them all."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import N_, gettext
from app.models import Cohort, Facilitator, Participant, utcnow
from app.services.ops import record_event
from app.services.roster.csv_file import RosterRow, export_roster_csv
from app.services.roster.reading_language import parse_reading_language


def list_participants(session: Session, *, cohort: Cohort) -> list[Participant]:
    """The cohort's participants by name."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.cohort_id == cohort.id)
            .order_by(col(Participant.name), col(Participant.email))
        ).all()
    )


def get_participant(session: Session, *, cohort: Cohort, participant_id: int) -> Participant:
    """A participant of this cohort (NotFound for any other id)."""
    participant = session.get(Participant, participant_id)
    if participant is None or participant.cohort_id != cohort.id:
        raise NotFound(gettext("no such participant"))
    return participant


# Translators: fields of the participant form, named where a problem is.
_LABELS = {
    "title": N_("title"),
    "level": N_("level"),
    "function": N_("function"),
    "region": N_("region"),
    "conflict_group": N_("conflict group"),
}


def update_participant(
    session: Session,
    *,
    cohort: Cohort,
    participant: Participant,
    values: dict[str, Any],
    actor: Facilitator | None = None,
) -> Participant:
    """Edit one participant's roster attributes, validated like an imported row."""
    known = {p.email for p in list_participants(session, cohort=cohort)}
    problems: list[Problem] = []
    name = " ".join(str(values.get("name", "")).split())
    if not name:
        problems.append(Problem(gettext("name"), gettext("is required"), "name"))
    for key in ("title", "level", "function", "region", "conflict_group"):
        if len(str(values.get(key, ""))) > 200:
            label = gettext(_LABELS[key])
            problems.append(Problem(label, gettext("is longer than 200 characters"), key))
    manager = str(values.get("manager_email", "")).strip().lower()
    if manager and ("@" not in manager or manager == participant.email):
        problems.append(
            Problem(
                gettext("manager e-mail"),
                gettext("must be another person's e-mail address"),
                "manager_email",
            )
        )
    avoid = [a.strip().lower() for a in values.get("avoid", []) if a.strip()]
    for a in avoid:
        if "@" not in a:
            message = gettext("'%(value)s' is not an e-mail address", value=a)
            problems.append(Problem(gettext("avoid"), message, "avoid"))
    tenure = values.get("tenure_years")
    if tenure is not None and not 0 <= float(tenure) <= 70:
        problems.append(
            Problem(gettext("tenure"), gettext("must be between 0 and 70 years"), "tenure_years")
        )
    language = _language_of(values, problems)
    if problems:
        raise InvalidInput(gettext("the participant cannot be saved"), problems)
    if language is not None:
        participant.language = language
    participant.name = name
    for key in ("title", "level", "function", "region", "conflict_group"):
        setattr(participant, key, str(values.get(key, "")).strip())
    participant.manager_email = manager
    participant.languages = [x.strip() for x in values.get("languages", []) if x.strip()]
    participant.tags = [x.strip() for x in values.get("tags", []) if x.strip()]
    participant.avoid = avoid
    participant.tenure_years = float(tenure) if tenure is not None else None
    participant.updated_at = utcnow()
    session.add(participant)
    cohort.roster_version += 1
    session.add(cohort)
    session.flush()
    record_event(
        session,
        actor=f"facilitator:{actor.id}" if actor else "cli",
        action="participant.update",
        object_type="participant",
        object_id=participant.id or "",
        cohort_id=cohort.id,
        detail={"known_avoid": sum(1 for a in avoid if a in known)},
    )
    return participant


def _language_of(values: dict[str, Any], problems: list[Problem]) -> str | None:
    """The reading language the form sets ("" = the cohort's), or None when it does not say."""
    if "language" not in values:
        return None
    text = str(values.get("language") or "").strip()
    if not text:
        return ""
    try:
        return parse_reading_language(text)
    except ValueError as exc:
        problems.append(Problem(gettext("language"), str(exc), "language"))
        return None


def remove_participant(
    session: Session, *, cohort: Cohort, participant: Participant, actor: Facilitator | None = None
) -> None:
    """Take a participant off the roster (their person and history stay)."""
    session.delete(participant)
    cohort.roster_version += 1
    session.add(cohort)
    session.flush()
    record_event(
        session,
        actor=f"facilitator:{actor.id}" if actor else "cli",
        action="participant.remove",
        object_type="participant",
        object_id=participant.id or "",
        cohort_id=cohort.id,
    )


def export_roster(session: Session, *, cohort: Cohort) -> str:
    """The roster as CSV, safe to open in a spreadsheet (formula injection neutralised)."""
    rows = [
        RosterRow(
            row_number=i,
            name=p.name,
            email=p.email,
            title=p.title or None,
            level=p.level or None,
            function=p.function or None,
            region=p.region or None,
            tenure_years=p.tenure_years,
            hire_date=p.hire_date,
            manager_email=p.manager_email or None,
            languages=tuple(p.languages),
            tags=tuple(p.tags),
            avoid=tuple(p.avoid),
            conflict_group=p.conflict_group or None,
            language=p.language or None,
        )
        for i, p in enumerate(list_participants(session, cohort=cohort), start=2)
    ]
    return export_roster_csv(rows)
