"""A cohort's program is a snapshot: later edits of the YAML change nothing until adopted."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from app.core.config import SHIPPED_LIBRARY
from app.models import Cohort
from app.services.cohorts import service as cohorts
from app.services.library import program
from app.services.library.loader import load_library


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1))
    session.commit()
    return c


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    target = tmp_path / "exercises"
    shutil.copytree(SHIPPED_LIBRARY, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def test_binding_snapshots_the_whole_arc_by_default(session: Session, cohort: Cohort) -> None:
    library = load_library([SHIPPED_LIBRARY])
    bound = program.bind_program(session, cohort=cohort, library=library)
    assert [b.spec.id for b in bound] == [s.id for s in library.ordered()]
    assert all(b.row.content_hash == b.spec.content_hash for b in bound)


def test_later_yaml_edit_does_not_change_a_bound_cohort(
    session: Session, cohort: Cohort, library_dir: Path
) -> None:
    program.bind_program(session, cohort=cohort, library=load_library([library_dir]))
    session.commit()
    agreement = library_dir / "buddy-agreement.yaml"
    text = agreement.read_text()
    original_title = program.bound_exercise(
        session, cohort=cohort, exercise_id="buddy-agreement"
    ).spec.title
    agreement.write_text(text.replace(f"title: {original_title}", "title: Something else"))
    edited = load_library([library_dir])
    assert edited.get("buddy-agreement").title == "Something else"
    again = program.bound_exercise(session, cohort=cohort, exercise_id="buddy-agreement")
    assert again.spec.title == original_title
    updates = program.library_updates(session, cohort=cohort, library=edited)
    assert [u.exercise_id for u in updates] == ["buddy-agreement"]
    assert program.adopt_updates(
        session, cohort=cohort, library=edited, exercise_ids=["buddy-agreement"]
    ) == ["buddy-agreement"]
    adopted = program.bound_exercise(session, cohort=cohort, exercise_id="buddy-agreement")
    assert adopted.spec.title == "Something else"


def test_deleted_yaml_file_leaves_the_snapshot_readable(
    session: Session, cohort: Cohort, library_dir: Path
) -> None:
    library = load_library([library_dir])
    program.bind_program(session, cohort=cohort, library=library)
    session.commit()
    victim = library.ordered()[-1].id
    (library_dir / f"{victim}.yaml").unlink()
    smaller = load_library([library_dir])
    assert program.bound_exercise(session, cohort=cohort, exercise_id=victim).spec.id == victim
    updates = program.library_updates(session, cohort=cohort, library=smaller)
    assert [(u.exercise_id, u.removed) for u in updates] == [(victim, True)]


def test_unchoosing_an_exercise_keeps_its_snapshot(session: Session, cohort: Cohort) -> None:
    library = load_library([SHIPPED_LIBRARY])
    program.bind_program(session, cohort=cohort, library=library)
    first = library.ordered()[0].id
    rest = [s.id for s in library.ordered()[1:]]
    bound = program.bind_program(session, cohort=cohort, library=library, exercise_ids=rest)
    assert first not in [b.spec.id for b in bound]
    everything = program.program_of(session, cohort=cohort, include_unselected=True)
    assert first in [b.spec.id for b in everything]


TRANSLATED = Path(__file__).parents[2] / "data" / "library" / "translated" / "translated.yaml"


def test_the_snapshot_freezes_the_translations(
    session: Session, cohort: Cohort, library_dir: Path
) -> None:
    from app.services.library import localized

    (library_dir / "translated.yaml").write_text(TRANSLATED.read_text())
    program.bind_program(session, cohort=cohort, library=load_library([library_dir]))
    session.commit()
    bound = program.bound_exercise(session, cohort=cohort, exercise_id="translated")
    assert bound.row.spec["translations"]["de"]["title"] == "Eine übersetzte Übung"
    assert bound.shown_in("de").title == "Eine übersetzte Übung"
    assert bound.shown_in("de-AT").prompts[0].choices[0] == ("Rested", "Ausgeruht")
    assert bound.shown_in("es").title == "A translated exercise"

    # A translator improves the German: the running cohort keeps what it was bound with.
    path = library_dir / "translated.yaml"
    path.write_text(path.read_text().replace("Eine übersetzte Übung", "Eine Übung, übersetzt"))
    edited = load_library([library_dir])
    again = program.bound_exercise(session, cohort=cohort, exercise_id="translated")
    assert localized(again.spec, "de").title == "Eine übersetzte Übung"
    assert [
        u.exercise_id for u in program.library_updates(session, cohort=cohort, library=edited)
    ] == ["translated"]
    from app.core.i18n import use_locale

    with use_locale("de"):
        updates = program.library_updates(session, cohort=cohort, library=edited)
    assert [u.title for u in updates] == ["Eine übersetzte Übung"]
    program.adopt_updates(session, cohort=cohort, library=edited, exercise_ids=["translated"])
    session.commit()
    adopted = program.bound_exercise(session, cohort=cohort, exercise_id="translated")
    assert adopted.shown_in("de").title == "Eine Übung, übersetzt"


def test_a_snapshot_stored_before_translations_still_loads(
    session: Session, cohort: Cohort
) -> None:
    program.bind_program(session, cohort=cohort, library=load_library([SHIPPED_LIBRARY]))
    session.commit()
    bound = program.bound_exercise(session, cohort=cohort, exercise_id="buddy-agreement")
    row = bound.row
    old = {k: v for k, v in row.spec.items() if k != "translations"}
    row.spec = old
    row.content_hash = "old-" + row.content_hash[:20]  # a fresh cache key, as an old row has
    session.add(row)
    session.commit()
    loaded = program.bound_exercise(session, cohort=cohort, exercise_id="buddy-agreement")
    assert loaded.spec.translations == {}
    assert loaded.shown_in("fr") is loaded.spec
