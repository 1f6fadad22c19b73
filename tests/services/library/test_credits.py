"""Who wrote each exercise and its licence: shipped credits, their rules with file:line, the
content hash, old snapshots, and the credit line a reader reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.core.config import SHIPPED_LIBRARY
from app.core.errors import InvalidInput
from app.core.i18n import use_locale
from app.services.library import credit_line, licences_of, localized
from app.services.library.loader import (
    LICENSES,
    Credit,
    ExerciseSpec,
    credit_rule_breaks,
    load_library,
    snapshot_of,
    spec_from_snapshot,
)

CORPUS = Path(__file__).parents[2] / "data" / "library"
TEAM = Credit(author="The Tandem team", license="CC-BY-4.0")


@pytest.fixture(scope="module")
def shipped() -> list[ExerciseSpec]:
    return load_library([SHIPPED_LIBRARY]).ordered()


def _spec(**changes: object) -> ExerciseSpec:
    data: dict[str, object] = {
        "id": "x", "version": 1, "title": "X", "summary": "S", "kind": "solo",
        "phase": "arrive", "minutes": 10, "steps": ["Go."], **changes,
    }  # fmt: skip
    return ExerciseSpec.model_validate(data)


def test_every_shipped_exercise_is_credited_to_the_team_under_cc_by(
    shipped: list[ExerciseSpec],
) -> None:
    assert len(shipped) == 29
    assert {spec.credit for spec in shipped} == {TEAM}
    assert [(u.license, u.url, u.count) for u in licences_of(shipped)] == [
        ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/", 29)
    ]


def test_the_credit_comes_before_the_translations_in_every_shipped_file() -> None:
    for path in sorted(SHIPPED_LIBRARY.glob("*.yaml")):
        keys = [line.split(":")[0] for line in path.read_text().splitlines() if line[:1].isalpha()]
        assert keys[-2:] == ["credit", "translations"], path.name


def test_credit_problems_name_file_line_and_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    with pytest.raises(InvalidInput) as caught:
        load_library([Path("credit-errors")])
    problems = [(str(p), p.field) for p in caught.value.problems]
    folder = "credit-errors"
    assert problems == [
        (
            f"{folder}/loose-licence.yaml:12:12: field 'credit.license': unknown licence "
            "'CC BY 4.0': give an SPDX id like CC-BY-4.0 (the exercise README lists them), or "
            "LicenseRef-<name> for your own terms (did you mean 'CC-BY-4.0'?)",
            "credit.license",
        ),
        (
            f"{folder}/loose-licence.yaml:13:8: field 'credit.url': must be a web address "
            "starting with https://",
            "credit.url",
        ),
        (
            f"{folder}/no-author.yaml:11:3: missing required field 'author' in credit "
            "(text of 1 to 300 characters)",
            "credit.author",
        ),
        (
            f"{folder}/old-fields.yaml:10:1: unknown field 'source': the credit is one mapping "
            "now: give 'adapted_from' under 'credit:'",
            "source",
        ),
        (
            f"{folder}/old-fields.yaml:11:1: unknown field 'license': the credit is one mapping "
            "now: give 'license' under 'credit:'",
            "license",
        ),
        (
            f"{folder}/old-fields.yaml:12:1: unknown field 'attribution': the credit is one "
            "mapping now: give 'author' under 'credit:'",
            "attribution",
        ),
        (
            f"{folder}/translated-credit.yaml:16:5: field 'credit' is never translated in "
            "translations.de: a credit is printed as written, in every language",
            "translations.de.credit",
        ),
        (
            f"{folder}/translated-credit.yaml:19:5: field 'license' is not translated in "
            "translations.fr (only: title, summary, trio_instructions, steps, prompts, "
            "materials, facilitator_notes)",
            "translations.fr.license",
        ),
    ]


@pytest.mark.parametrize("license_id", [*LICENSES, "LicenseRef-Acme-Internal"])
def test_known_spdx_ids_and_own_terms_are_accepted(license_id: str) -> None:
    spec = _spec(credit={"author": "A. Author", "license": license_id})
    assert spec.credit is not None
    assert spec.credit.license_url == LICENSES.get(license_id)


def test_the_credit_counts_in_the_content_hash_and_survives_the_snapshot() -> None:
    plain = _spec()
    credited = _spec(credit={"author": "The Tandem team", "license": "CC-BY-4.0"})
    other = _spec(credit={"author": "The Tandem team", "license": "CC-BY-SA-4.0"})
    assert len({plain.content_hash, credited.content_hash, other.content_hash}) == 3
    assert "credit" not in snapshot_of(plain)
    assert snapshot_of(credited)["credit"] == {"author": "The Tandem team", "license": "CC-BY-4.0"}
    assert spec_from_snapshot(snapshot_of(credited)) == credited


def test_a_snapshot_frozen_with_the_old_credit_fields_still_opens() -> None:
    data = snapshot_of(_spec())
    empty = spec_from_snapshot({**data, "source": None, "license": None, "attribution": None})
    assert empty.credit is None
    old = {**data, "source": "A book", "license": "CC BY 4.0", "attribution": "A. Author"}
    assert spec_from_snapshot(old).credit == Credit(
        author="A. Author", license="CC-BY-4.0", adapted_from="A book"
    )


def test_a_translation_keeps_the_credit_as_written(shipped: list[ExerciseSpec]) -> None:
    spec = next(s for s in shipped if s.id == "been-there-before")
    assert localized(spec, "de").credit == TEAM


def test_the_credit_line_reads_in_the_readers_language() -> None:
    adapted = Credit(author="Acme L&D", license="CC-BY-SA-4.0", adapted_from='"Circles" by R. Roe')
    assert credit_line(TEAM) == "By The Tandem team · licence CC-BY-4.0"
    assert credit_line(adapted) == (
        'Adapted by Acme L&D from "Circles" by R. Roe · licence CC-BY-SA-4.0'
    )
    with use_locale("de"):
        assert credit_line(TEAM) == "Von The Tandem team · Lizenz CC-BY-4.0"


def test_the_readmes_credit_examples_are_valid() -> None:
    readme = (SHIPPED_LIBRARY / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(credit:\n.*?)```", readme, re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        spec = _spec(**yaml.safe_load(block))
        assert spec.credit is not None
        assert credit_rule_breaks(spec.credit) == []
