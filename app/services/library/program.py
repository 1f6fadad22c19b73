"""A cohort's program: the exercises it runs, frozen as snapshots of the library.

Binding copies each exercise's full content into the database, so that editing or deleting a
YAML file never changes or orphans the prompts and answers of a running or finished cohort.
Newer library versions are adopted only when a facilitator asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.core.i18n import current_language
from app.models import Cohort, CohortExercise, utcnow
from app.services.library.loader import (
    ExerciseSpec,
    Library,
    load_library,
    snapshot_of,
    spec_from_snapshot,
)
from app.services.library.translations import language_code, localized
from app.services.ops import record_event


@dataclass(frozen=True, slots=True)
class BoundExercise:
    row: CohortExercise
    spec: ExerciseSpec

    def shown_in(self, language: str | None) -> ExerciseSpec:
        """The frozen exercise as a reader of ``language`` sees it (see ``localized``)."""
        return localized(self.spec, language)


@dataclass(frozen=True, slots=True)
class LibraryUpdate:
    exercise_id: str
    title: str
    bound_version: int
    library_version: int
    removed: bool = False


@lru_cache(maxsize=8)
def _cached_library(dirs: tuple[Path, ...], stamp: tuple[tuple[str, float], ...]) -> Library:
    return load_library(list(dirs))


def current_library(dirs: Sequence[Path]) -> Library:
    """The library in ``dirs``, re-read only when a file there changed (raises InvalidInput)."""
    stamp = tuple(
        sorted((str(p), p.stat().st_mtime) for d in dirs if d.is_dir() for p in d.glob("*.y*ml"))
    )
    return _cached_library(tuple(dirs), stamp)


def bind_program(
    session: Session,
    *,
    cohort: Cohort,
    library: Library,
    exercise_ids: Sequence[str] | None = None,
) -> list[BoundExercise]:
    """Snapshot the chosen exercises (default: the whole arc) into the cohort.

    Exercises already bound keep their snapshot; exercises no longer chosen are unselected,
    never deleted, so answers written to them stay readable.
    """
    chosen = [library.get(i) for i in exercise_ids] if exercise_ids is not None else None
    wanted = {s.id for s in (chosen if chosen is not None else library.ordered())}
    existing = {r.exercise_id: r for r in _rows(session, cohort)}
    assert cohort.id is not None
    for position, spec in enumerate(library.ordered()):
        row = existing.get(spec.id)
        if spec.id not in wanted:
            if row is not None and row.selected:
                row.selected = False
                session.add(row)
            continue
        if row is None:
            session.add(
                CohortExercise(
                    cohort_id=cohort.id,
                    exercise_id=spec.id,
                    version=spec.version,
                    content_hash=spec.content_hash,
                    spec=snapshot_of(spec),
                    position=position,
                )
            )
        else:
            row.selected = True
            row.position = position
            session.add(row)
    session.flush()
    record_event(
        session,
        actor="system",
        action="program.bind",
        object_type="cohort",
        object_id=cohort.id,
        cohort_id=cohort.id,
        detail={"exercises": len(wanted)},
    )
    return program_of(session, cohort=cohort)


_SPECS: dict[str, ExerciseSpec] = {}


def _spec(row: CohortExercise) -> ExerciseSpec:
    # A snapshot never changes under its content hash: validate each one once per process,
    # not on every autosave.
    key = f"{row.exercise_id}:{row.content_hash}"
    spec = _SPECS.get(key)
    if spec is None:
        spec = spec_from_snapshot(row.spec)
        if len(_SPECS) > 2048:
            _SPECS.clear()
        _SPECS[key] = spec
    return spec


def _rows(session: Session, cohort: Cohort) -> list[CohortExercise]:
    return list(
        session.exec(
            select(CohortExercise)
            .where(CohortExercise.cohort_id == cohort.id)
            .order_by(col(CohortExercise.position), col(CohortExercise.exercise_id))
        ).all()
    )


def program_of(
    session: Session, *, cohort: Cohort, include_unselected: bool = False
) -> list[BoundExercise]:
    """The cohort's exercises in arc order, from their snapshots (never from the YAML)."""
    return [
        BoundExercise(row, _spec(row))
        for row in _rows(session, cohort)
        if row.selected or include_unselected
    ]


def bound_exercise(session: Session, *, cohort: Cohort, exercise_id: str) -> BoundExercise:
    """One exercise of the cohort's program, by its id (NotFound otherwise)."""
    row = session.exec(
        select(CohortExercise).where(
            CohortExercise.cohort_id == cohort.id, CohortExercise.exercise_id == exercise_id
        )
    ).first()
    if row is None:
        raise NotFound("no such exercise in this cohort's program")
    return BoundExercise(row, _spec(row))


def _snapshot_title(row: CohortExercise) -> str:
    """The bound exercise's title in the reader's language, straight from the stored JSON."""
    translations = row.spec.get("translations")
    if isinstance(translations, dict):
        block = translations.get(language_code(current_language()))
        title = block.get("title") if isinstance(block, dict) else None
        if isinstance(title, str):
            return title
    return str(row.spec.get("title", row.exercise_id))


def library_updates(session: Session, *, cohort: Cohort, library: Library) -> list[LibraryUpdate]:
    """Bound exercises whose library version has changed or that the library no longer has."""
    updates = []
    for row in _rows(session, cohort):
        spec = library.exercises.get(row.exercise_id)
        title = _snapshot_title(row)
        if spec is None:
            updates.append(LibraryUpdate(row.exercise_id, title, row.version, 0, removed=True))
        elif spec.content_hash != row.content_hash:
            updates.append(LibraryUpdate(row.exercise_id, title, row.version, spec.version))
    return updates


def adopt_updates(
    session: Session, *, cohort: Cohort, library: Library, exercise_ids: Sequence[str]
) -> list[str]:
    """Replace the snapshots of ``exercise_ids`` with the library's current versions."""
    adopted = []
    rows = {r.exercise_id: r for r in _rows(session, cohort)}
    for exercise_id in exercise_ids:
        row = rows.get(exercise_id)
        spec = library.exercises.get(exercise_id)
        if row is None or spec is None or spec.content_hash == row.content_hash:
            continue
        row.spec = snapshot_of(spec)
        row.version = spec.version
        row.content_hash = spec.content_hash
        row.bound_at = utcnow()
        session.add(row)
        adopted.append(exercise_id)
    session.flush()
    if adopted:
        record_event(
            session,
            actor="system",
            action="program.adopt",
            object_type="cohort",
            object_id=cohort.id or "",
            cohort_id=cohort.id,
            detail={"exercises": adopted},
        )
    return adopted
