"""The cohort's roster: import an HR export (preview, then all-or-nothing apply), edit, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.i18n import gettext, ngettext
from app.models import Cohort, Facilitator, Participant, Person, RosterImport, utcnow
from app.services.ops import record_event
from app.services.roster.csv_file import MAX_BYTES, ParsedRoster, RosterRow, parse_roster
from app.services.roster.people import (
    export_roster,
    get_participant,
    list_participants,
    remove_participant,
    update_participant,
)
from app.services.roster.profile import (
    ReadingChoices,
    checked_choices,
    get_profile,
    parse_options,
    remember_reading,
    set_pending_choices,
)

__all__ = [
    "ImportPreview",
    "RowChange",
    "UnacceptedWarnings",
    "apply_pending_import",
    "choose_pending_reading",
    "export_roster",
    "get_participant",
    "get_pending_import",
    "import_roster",
    "list_participants",
    "preview_import",
    "remap_pending_import",
    "remove_participant",
    "review_pending_import",
    "update_participant",
]


class UnacceptedWarnings(InvalidInput):
    """The file is valid but has warnings that have not been confirmed as read."""


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
    def warnings(self) -> list[Problem]:
        """What must be seen before applying (formula-like names, a guessed encoding)."""
        return self.parsed.warnings

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
        # Only a file that says which language a person reads changes it: a re-import without
        # that column (or with a blank cell) keeps the language chosen on the tablet.
        **({"language": row.language} if row.language is not None else {}),
    }


def _values_of_participant(p: Participant) -> dict[str, Any]:
    return {name: getattr(p, name) for name in (*COMPARED, "tenure_years", "language")}


def _differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    keys = list(COMPARED)
    if "language" in new:
        keys.append("language")
    # With a hire date the tenure is derived, so a later re-import of the same file is no change.
    if new["hire_date"] is None:
        keys.append("tenure_years")
    return {k: (old[k], new[k]) for k in keys if old[k] != new[k]}


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


def _parse(
    session: Session,
    cohort: Cohort,
    data: bytes,
    *,
    mapping: dict[str, str] | None,
    choices: ReadingChoices,
    today: date | None,
    max_bytes: int = MAX_BYTES,
) -> ParsedRoster:
    profile = get_profile(session, cohort=cohort)
    return parse_roster(
        data,
        mapping=mapping,
        today=today or date.today(),
        max_bytes=max_bytes,
        **parse_options(profile, choices),  # type: ignore[arg-type]
    )


def preview_import(
    session: Session,
    *,
    cohort: Cohort,
    data: bytes,
    mapping: dict[str, str] | None = None,
    filename: str = "",
    today: date | None = None,
    keep: bool = True,
    max_bytes: int = MAX_BYTES,
    date_format: str | None = None,
    encoding: str | None = None,
) -> ImportPreview:
    """Parse and validate a roster file and say what applying it would change.

    The file is read as this cohort's last import was (column mapping, date format, encoding)
    unless ``mapping``, ``date_format`` or ``encoding`` say otherwise. With ``keep`` the file
    is stored (valid or not) so that the facilitator can fix the reading without uploading
    again, and the confirm step applies exactly what was previewed, only if the roster has not
    changed in between.
    """
    choices = checked_choices(date_format=date_format, encoding=encoding)
    parsed = _parse(
        session, cohort, data, mapping=mapping, choices=choices, today=today, max_bytes=max_bytes
    )
    preview = _diff(session, cohort, parsed)
    if keep:
        assert cohort.id is not None
        pending = RosterImport(
            cohort_id=cohort.id,
            filename=filename[:255],
            data=data,
            mapping=dict(mapping or {}),
            date_format=choices.date_format,
            encoding=choices.encoding,
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
        raise NotFound(gettext("this upload has expired; upload the file again"))
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


def choose_pending_reading(
    session: Session,
    *,
    cohort: Cohort,
    import_id: int,
    date_format: str | None = None,
    encoding: str | None = None,
) -> RosterImport:
    """Set how a stored upload's dates ("dmy"/"mdy") or characters (an encoding) are read."""
    pending = get_pending_import(session, cohort=cohort, import_id=import_id)
    return set_pending_choices(session, pending=pending, date_format=date_format, encoding=encoding)


def review_pending_import(
    session: Session, *, cohort: Cohort, import_id: int, today: date | None = None
) -> ImportPreview:
    """Recompute the preview of a stored upload (the roster may have changed meanwhile)."""
    pending = get_pending_import(session, cohort=cohort, import_id=import_id)
    choices = ReadingChoices(pending.date_format, pending.encoding)
    parsed = _parse(
        session, cohort, pending.data, mapping=pending.mapping or None, choices=choices,
        today=today, max_bytes=max(len(pending.data), 1),
    )  # fmt: skip
    preview = _diff(session, cohort, parsed)
    preview.import_id = pending.id
    return preview


def _check_applicable(preview: ImportPreview, accept_warnings: bool) -> None:
    if not preview.valid:
        count = len(preview.problems)
        message = ngettext(
            "the roster file has %(num)s problem", "the roster file has %(num)s problems", count
        )
        raise InvalidInput(message, preview.problems)
    if preview.warnings and not accept_warnings:
        raise UnacceptedWarnings(
            gettext("read the warnings and confirm that you have checked them; nothing was saved"),
            preview.warnings,
        )


def apply_pending_import(
    session: Session,
    *,
    cohort: Cohort,
    import_id: int,
    actor: Facilitator | None = None,
    today: date | None = None,
    accept_warnings: bool = False,
) -> ImportPreview:
    """Apply a previewed upload, all or nothing; Conflict if the roster changed since preview.

    A file with warnings is applied only with ``accept_warnings`` (they have been seen).
    """
    pending = get_pending_import(session, cohort=cohort, import_id=import_id)
    if pending.base_roster_version != cohort.roster_version:
        raise Conflict(gettext("the roster changed since this preview; review the changes again"))
    preview = review_pending_import(session, cohort=cohort, import_id=import_id, today=today)
    _check_applicable(preview, accept_warnings)
    _apply(session, cohort, preview, actor)
    remember_reading(session, cohort=cohort, parsed=preview.parsed, explicit=pending.mapping)
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
    max_bytes: int = MAX_BYTES,
    date_format: str | None = None,
    encoding: str | None = None,
    accept_warnings: bool = False,
) -> ImportPreview:
    """Validate and (unless ``dry_run``) apply a roster file in one step (CLI and API).

    Applying a file with warnings needs ``accept_warnings``; a dry run shows them.
    """
    preview = preview_import(
        session,
        cohort=cohort,
        data=data,
        mapping=mapping,
        today=today,
        keep=False,
        max_bytes=max_bytes,
        date_format=date_format,
        encoding=encoding,
    )
    _check_applicable(preview, accept_warnings or dry_run)
    if not dry_run:
        _apply(session, cohort, preview, actor)
        remember_reading(session, cohort=cohort, parsed=preview.parsed, explicit=mapping or {})
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
