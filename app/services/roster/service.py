"""The cohort's roster: import an HR export (preview, then all-or-nothing apply), edit, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.models import Cohort, Facilitator, Participant, Person, RosterImport, utcnow
from app.services.ops import record_event
from app.services.roster.csv_file import ParsedRoster, RosterRow, export_roster_csv, parse_roster

COMPARED = (
    "name",
    "title",
    "level",
    "function",
    "region",
    "hire_date",
    "manager_email",
    "languages",
    "tags",
    "avoid",
    "conflict_group",
)


@dataclass(frozen=True, slots=True)
class RowChange:
    email: str
    name: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """field -> (old, new), for updates."""


@dataclass(slots=True)
class ImportPreview:
    """What applying the file would do; ``problems`` non-empty means it cannot be applied."""

    parsed: ParsedRoster
    added: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    import_id: int | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.parsed.problems

    @property
    def valid(self) -> bool:
        return not self.parsed.problems

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }


def _values_of_row(row: RosterRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "title": row.title or "",
        "level": row.level or "",
        "function": row.function or "",
        "region": row.region or "",
        "tenure_years": row.tenure_years,
        "hire_date": row.hire_date,
        "manager_email": row.manager_email or "",
        "languages": list(row.languages),
        "tags": list(row.tags),
        "avoid": list(row.avoid),
        "conflict_group": row.conflict_group or "",
    }


def _values_of_participant(p: Participant) -> dict[str, Any]:
    return {name: getattr(p, name) for name in (*COMPARED, "tenure_years")}


def _differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    keys = list(COMPARED)
    # With a hire date the tenure is derived, so a later re-import of the same file is no change.
    if new["hire_date"] is None:
        keys.append("tenure_years")
    return {k: (old[k], new[k]) for k in keys if old[k] != new[k]}


def list_participants(session: Session, *, cohort: Cohort) -> list[Participant]:
    """The cohort's participants by name."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.cohort_id == cohort.id)
            .order_by(col(Participant.name), col(Participant.email))
        ).all()
    )


def _diff(session: Session, cohort: Cohort, parsed: ParsedRoster) -> ImportPreview:
    preview = ImportPreview(parsed=parsed)
    if parsed.problems:
        return preview
    current = {p.email: p for p in list_participants(session, cohort=cohort)}
    seen: set[str] = set()
    for row in parsed.rows:
        seen.add(row.email)
        existing = current.get(row.email)
        if existing is None:
            preview.added.append(RowChange(row.email, row.name))
            continue
        changes = _differences(_values_of_participant(existing), _values_of_row(row))
        if changes:
            preview.updated.append(RowChange(row.email, row.name, changes))
        else:
            preview.unchanged += 1
    preview.removed = [
        RowChange(p.email, p.name) for email, p in sorted(current.items()) if email not in seen
    ]
    return preview


def preview_import(
    session: Session,
    *,
    cohort: Cohort,
    data: bytes,
    mapping: dict[str, str] | None = None,
    filename: str = "",
    today: date | None = None,
    keep: bool = True,
    max_bytes: int = 2_000_000,
) -> ImportPreview:
    """Parse and validate a roster file and say what applying it would change.

    With ``keep`` the file is stored (valid or not) so that the facilitator can fix the column
    mapping without uploading again, and the confirm step applies exactly what was previewed,
    only if the roster has not changed in between.
    """
    parsed = parse_roster(data, mapping=mapping, today=today or date.today(), max_bytes=max_bytes)
    preview = _diff(session, cohort, parsed)
    if keep:
        assert cohort.id is not None
        pending = RosterImport(
            cohort_id=cohort.id,
            filename=filename[:255],
            data=data,
            mapping=dict(mapping or {}),
            base_roster_version=cohort.roster_version,
        )
        session.add(pending)
        session.flush()
        preview.import_id = pending.id
    return preview


def get_pending_import(session: Session, *, cohort: Cohort, import_id: int) -> RosterImport:
    """A stored upload of this cohort awaiting confirmation."""
    pending = session.get(RosterImport, import_id)
    if pending is None or pending.cohort_id != cohort.id:
        raise NotFound("this upload has expired; upload the file again")
    return pending


def remap_pending_import(
    session: Session, *, cohort: Cohort, import_id: int, mapping: dict[str, str]
) -> RosterImport:
    """Set the explicit column mapping (header -> field) of a stored upload."""
    pending = get_pending_import(session, cohort=cohort, import_id=import_id)
    pending.mapping = {k: v for k, v in mapping.items() if v}
    session.add(pending)
    session.flush()
    return pending


def review_pending_import(
    session: Session, *, cohort: Cohort, import_id: int, today: date | None = None
) -> ImportPreview:
    """Recompute the preview of a stored upload (the roster may have changed meanwhile)."""
    pending = get_pending_import(session, cohort=cohort, import_id=import_id)
    parsed = parse_roster(
        pending.data, mapping=pending.mapping or None, today=today or date.today()
    )
    preview = _diff(session, cohort, parsed)
    preview.import_id = pending.id
    return preview


def apply_pending_import(
    session: Session,
    *,
    cohort: Cohort,
    import_id: int,
    actor: Facilitator | None = None,
    today: date | None = None,
) -> ImportPreview:
    """Apply a previewed upload, all or nothing; Conflict if the roster changed since preview."""
    pending = get_pending_import(session, cohort=cohort, import_id=import_id)
    if pending.base_roster_version != cohort.roster_version:
        raise Conflict("the roster changed since this preview; review the changes again")
    preview = review_pending_import(session, cohort=cohort, import_id=import_id, today=today)
    if not preview.valid:
        raise InvalidInput("the roster file has problems", preview.problems)
    _apply(session, cohort, preview, actor)
    session.delete(pending)
    session.flush()
    return preview


def import_roster(
    session: Session,
    *,
    cohort: Cohort,
    data: bytes,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    actor: Facilitator | None = None,
    today: date | None = None,
    max_bytes: int = 2_000_000,
) -> ImportPreview:
    """Validate and (unless ``dry_run``) apply a roster file in one step (CLI and API)."""
    preview = preview_import(
        session,
        cohort=cohort,
        data=data,
        mapping=mapping,
        today=today,
        keep=False,
        max_bytes=max_bytes,
    )
    if not preview.valid:
        raise InvalidInput(
            f"the roster file has {len(preview.problems)} problem(s)", preview.problems
        )
    if not dry_run:
        _apply(session, cohort, preview, actor)
    return preview


def _person_for(session: Session, email: str, name: str) -> Person:
    person = session.exec(select(Person).where(Person.email == email)).first()
    if person is None:
        person = Person(email=email, name=name)
        session.add(person)
        session.flush()
    elif person.name != name:
        person.name = name
        session.add(person)
    return person


def _apply(
    session: Session, cohort: Cohort, preview: ImportPreview, actor: Facilitator | None
) -> None:
    if not preview.has_changes:
        return
    assert cohort.id is not None
    by_email = {p.email: p for p in list_participants(session, cohort=cohort)}
    rows = {row.email: row for row in preview.parsed.rows}
    for change in preview.added:
        row = rows[change.email]
        person = _person_for(session, row.email, row.name)
        assert person.id is not None
        session.add(
            Participant(
                cohort_id=cohort.id, person_id=person.id, email=row.email, **_values_of_row(row)
            )
        )
    for change in preview.updated:
        participant = by_email[change.email]
        for name, value in _values_of_row(rows[change.email]).items():
            setattr(participant, name, value)
        participant.updated_at = utcnow()
        _person_for(session, participant.email, participant.name)
        session.add(participant)
    for change in preview.removed:
        session.delete(by_email[change.email])
    cohort.roster_version += 1
    session.add(cohort)
    session.flush()
    record_event(
        session,
        actor=f"facilitator:{actor.id}" if actor else "cli",
        action="roster.import",
        object_type="cohort",
        object_id=cohort.id,
        cohort_id=cohort.id,
        detail=preview.summary(),
    )


def get_participant(session: Session, *, cohort: Cohort, participant_id: int) -> Participant:
    """A participant of this cohort (NotFound for any other id)."""
    participant = session.get(Participant, participant_id)
    if participant is None or participant.cohort_id != cohort.id:
        raise NotFound("no such participant")
    return participant


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
        problems.append(Problem("name", "is required", "name"))
    for key in ("title", "level", "function", "region", "conflict_group"):
        if len(str(values.get(key, ""))) > 200:
            problems.append(Problem(key.replace("_", " "), "is longer than 200 characters", key))
    manager = str(values.get("manager_email", "")).strip().lower()
    if manager and ("@" not in manager or manager == participant.email):
        problems.append(
            Problem("manager e-mail", "must be another person's e-mail address", "manager_email")
        )
    avoid = [a.strip().lower() for a in values.get("avoid", []) if a.strip()]
    for a in avoid:
        if "@" not in a:
            problems.append(Problem("avoid", f"'{a}' is not an e-mail address", "avoid"))
    tenure = values.get("tenure_years")
    if tenure is not None and not 0 <= float(tenure) <= 70:
        problems.append(Problem("tenure", "must be between 0 and 70 years", "tenure_years"))
    if problems:
        raise InvalidInput("the participant cannot be saved", problems)
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
        )
        for i, p in enumerate(list_participants(session, cohort=cohort), start=2)
    ]
    return export_roster_csv(rows)
