"""The exercise library: shipped content, the broken-file corpus, hashes and snapshots."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from app.core.config import SHIPPED_LIBRARY
from app.core.errors import InvalidInput, NotFound
from app.services.library.loader import (
    AGREEMENT_ID,
    KINDS,
    PHASES,
    ExerciseSpec,
    Library,
    load_exercise_file,
    load_library,
    snapshot_of,
    spec_from_snapshot,
)
from app.services.library.yaml_source import MAX_FILE_BYTES, parse_yaml_text

CORPUS = Path(__file__).parents[2] / "data" / "library"

SOLO = """\
id: {id}
version: 1
title: A solo exercise
summary: Used by the tests.
kind: solo
phase: arrive
minutes: 10
steps:
  - Go.
"""


def _problems(*folders: str) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_library([Path(folder) for folder in folders])
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture
def in_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)


@pytest.fixture(scope="module")
def shipped() -> Library:
    return load_library([SHIPPED_LIBRARY])


# --- the shipped library ---------------------------------------------------------------------


def test_shipped_library_loads_every_file(shipped: Library) -> None:
    files = sorted(path.stem for path in SHIPPED_LIBRARY.glob("*.yaml"))
    assert sorted(shipped.exercises) == files
    assert len(files) >= 26


def test_shipped_library_covers_phases_days_and_kinds(shipped: Library) -> None:
    specs = shipped.ordered()
    assert {spec.phase for spec in specs} == set(PHASES)
    assert {spec.day for spec in specs} == {1, 2, 3, 4}
    assert {spec.kind for spec in specs} == set(KINDS)


def test_shipped_library_fits_four_days(shipped: Library) -> None:
    total = sum(spec.minutes for spec in shipped.ordered())
    assert 14 * 60 <= total <= 17 * 60
    for day in (1, 2, 3, 4):
        # Even with a group of three, a day's exercises leave room in ~6.5 teaching hours.
        longest = sum(s.trio_minutes or s.minutes for s in shipped.ordered() if s.day == day)
        assert longest <= 6 * 60


def test_shipped_pair_work_waits_for_the_buddy_agreement(shipped: Library) -> None:
    agreement = shipped.get(AGREEMENT_ID)
    assert (agreement.kind, agreement.day, agreement.phase) == ("pair", 1, "arrive")

    def needs(spec: ExerciseSpec) -> set[str]:
        direct = set(spec.after)
        return direct.union(*(needs(shipped.get(item)) for item in direct))

    late = [s.id for s in shipped.ordered() if s.kind == "pair" and s.id != AGREEMENT_ID]
    unguarded = [key for key in late if AGREEMENT_ID not in needs(shipped.get(key))]
    assert unguarded == ["meet-your-buddy"]


def test_shipped_pair_exercises_have_trio_versions(shipped: Library) -> None:
    pairs = [spec for spec in shipped.ordered() if spec.kind == "pair"]
    assert len(pairs) >= 10
    assert all(spec.trio_minutes and spec.trio_instructions for spec in pairs)


def test_shipped_library_is_in_arc_order(shipped: Library) -> None:
    specs = shipped.ordered()
    assert list(shipped.exercises) == [spec.id for spec in specs]
    assert (specs[0].id, specs[-1].id) == ("opening-circle", "closing-circle")
    seen: set[str] = set()
    for spec in specs:
        assert set(spec.after) <= seen
        seen.add(spec.id)


def test_readme_example_loads(tmp_path: Path) -> None:
    readme = (SHIPPED_LIBRARY / "README.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    path = tmp_path / "been-there-before.yaml"
    path.write_text(example.group(1))
    spec = load_exercise_file(path)
    assert [prompt.lines for prompt in spec.prompts] == [3, 8, 0, 0]


# --- the broken-file corpus ------------------------------------------------------------------

CASES = {
    "bad-syntax": [
        "bad-syntax/bad-syntax.yaml:4:8: invalid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence on line 3)"
    ],
    "alias-bomb": [
        "alias-bomb/alias-bomb.yaml:2:4: YAML anchors (&a) are not allowed: "
        "write each value out in full"
    ],
    "alias": [
        "alias/alias.yaml:3:8: YAML aliases (*title) are not allowed: write the value out in full"
    ],
    "anchor": [
        "anchor/anchor.yaml:3:8: YAML anchors (&title) are not allowed: "
        "write each value out in full"
    ],
    "duplicate-key": [
        "duplicate-key/duplicate-key.yaml:8:1: duplicate field 'minutes' (first given on line 7)"
    ],
    "custom-tag": [
        "custom-tag/custom-tag.yaml:4:10: YAML tags like '!!python/object/apply:os.system' "
        "are not allowed: use plain or quoted values"
    ],
    "unknown-field": [
        "unknown-field/unknown-field.yaml:1:1: missing required field 'minutes' "
        "(a whole number between 5 and 240)",
        "unknown-field/unknown-field.yaml:7:1: unknown field 'minuts' (did you mean 'minutes'?)",
        "unknown-field/unknown-field.yaml:14:5: unknown field 'visibilty' in prompts[1] "
        "(did you mean 'visibility'?)",
        "unknown-field/unknown-field.yaml:15:5: unknown field 'colour' in prompts[1]",
    ],
    "wrong-type": [
        "wrong-type/wrong-type.yaml:2:10: field 'version': must be a whole number of at least 1 "
        "(got 'one')",
        "wrong-type/wrong-type.yaml:3:8: field 'title': must be text of 1 to 120 characters "
        "(got 42; put it in quotes)",
        "wrong-type/wrong-type.yaml:5:7: field 'kind': must be one of: pair, solo, plenary, plan "
        "(got 'pairs'; did you mean 'pair'?)",
        "wrong-type/wrong-type.yaml:7:10: field 'minutes': must be a whole number "
        "between 5 and 240 (got 'twenty')",
        "wrong-type/wrong-type.yaml:8:6: field 'day': must be a whole number between 1 and 10 "
        "(got 0)",
        "wrong-type/wrong-type.yaml:9:8: field 'after': must be a list of exercise ids "
        "(got 'meet-your-buddy')",
        "wrong-type/wrong-type.yaml:10:8: field 'steps': must be a list of 1 to 20 steps "
        "(got 'Go.')",
        "wrong-type/wrong-type.yaml:15:12: field 'prompts[1].lines': must be a whole number "
        "between 0 and 40 (got 80)",
        "wrong-type/wrong-type.yaml:16:5: field 'prompts[2]': must be a prompt: a mapping with "
        "at least id, text and type (got 'just a string')",
    ],
    "dangling-after": [
        "dangling-after/dangling-after.yaml:9:5: field 'after[1]': no exercise 'meet-your-budy' "
        "in the library (did you mean 'meet-your-buddy'?)",
        "dangling-after/dangling-after.yaml:10:5: field 'after[2]': no exercise "
        "'no-such-exercise' in the library",
    ],
    "cycle": [
        "cycle/cycle-a.yaml:8:9: field 'after[1]': exercises wait on each other in a cycle: "
        "cycle-a after cycle-b after cycle-c after cycle-a"
    ],
    "choice-without-options": [
        "choice-without-options/choice-without-options.yaml:13:11: field 'prompts[1].type': "
        "a single_choice prompt needs 'options': 2 to 12 choices",
        "choice-without-options/choice-without-options.yaml:17:14: field 'prompts[2].options': "
        "only single_choice and checklist prompts take options, not long_text",
        "choice-without-options/choice-without-options.yaml:23:9: field 'prompts[3].options[2]': "
        "option 'Often' is listed twice",
    ],
    "duplicate-prompt-ids": [
        "duplicate-prompt-ids/duplicate-prompt-ids.yaml:14:9: field 'prompts[2].id': "
        "prompt id 'notes' is already used by prompts[1]"
    ],
    "pair-rules": [
        "pair-rules/pair-rules.yaml:5:7: field 'kind': a pair exercise needs 'trio_instructions' "
        "for a group of three",
        "pair-rules/pair-rules.yaml:5:7: field 'kind': a pair exercise needs at least one prompt",
        "pair-rules/pair-rules.yaml:8:15: field 'trio_minutes': must be at least minutes (30)",
        "pair-rules/solo-with-trio.yaml:8:15: field 'trio_minutes': only pair exercises take "
        "trio_minutes, not solo",
        "pair-rules/solo-with-trio.yaml:9:20: field 'trio_instructions': only pair exercises take "
        "trio_instructions, not solo",
    ],
    "arc-order": [
        "arc-order/early.yaml:9:9: field 'after[1]': 'late' is in phase deepen, later than arrive",
        "arc-order/early.yaml:9:15: field 'after[2]': 'later-day' prefers day 3, later than day 1",
        "arc-order/itself.yaml:8:9: field 'after[1]': an exercise cannot come after itself",
    ],
    "not-a-mapping": [
        "not-a-mapping/not-a-mapping.yaml:1:1: an exercise file must be a mapping of fields "
        "(id: ..., title: ...)"
    ],
    "empty": ["empty/empty.yaml:1:1: the file is empty: expected the fields of one exercise"],
    "id-mismatch": [
        "id-mismatch/other-name.yaml:1:5: field 'id': 'id-mismatch' does not match the file name; "
        "name it id-mismatch.yaml"
    ],
    "two-documents": [
        "two-documents/two-documents.yaml:3:1: a file holds one exercise, but a second YAML "
        "document ('---') starts here"
    ],
}


@pytest.mark.usefixtures("in_corpus")
@pytest.mark.parametrize(("folder", "expected"), CASES.items(), ids=list(CASES))
def test_broken_file_reports_exact_location(folder: str, expected: list[str]) -> None:
    assert _problems(folder) == expected


@pytest.mark.usefixtures("in_corpus")
def test_duplicate_id_across_folders_names_both_places() -> None:
    assert _problems("duplicate-id/one", "duplicate-id/two") == [
        "duplicate-id/two/same-id.yaml:1:5: field 'id': duplicate id 'same-id': "
        "also in duplicate-id/one/same-id.yaml:1:5"
    ]


@pytest.mark.usefixtures("in_corpus")
def test_every_problem_in_every_folder_is_reported_in_one_run() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_library([Path(folder) for folder in CASES])
    expected = [line for lines in CASES.values() for line in lines]
    assert [str(problem) for problem in caught.value.problems] == expected
    assert caught.value.message == f"exercise library has {len(expected)} problems"


@pytest.mark.usefixtures("in_corpus")
def test_problem_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_library([Path("unknown-field")])
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["minutes", "minuts", "prompts[1].visibilty", "prompts[1].colour"]


@pytest.mark.usefixtures("in_corpus")
def test_missing_and_empty_folders_are_problems(tmp_path: Path) -> None:
    assert _problems("no-such-folder", str(tmp_path)) == [
        "no-such-folder: no such file or folder",
        f"{tmp_path}: no exercise files (*.yaml)",
    ]


def test_alias_bomb_is_refused_before_it_expands() -> None:
    levels = ['a: &a ["lol", "lol"]'] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 30) + "]"
        for i in range(20)
    ]
    started = time.perf_counter()
    with pytest.raises(Exception, match=r"YAML anchors \(&a\) are not allowed"):
        parse_yaml_text("\n".join(levels))
    assert time.perf_counter() - started < 0.5


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = SOLO.format(id="big")
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text)) + "\n")
    with pytest.raises(InvalidInput) as caught:
        load_exercise_file(path)
    assert [p.message for p in caught.value.problems] == [
        "the file is larger than 64 KB; split the exercise"
    ]


def test_file_at_the_size_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    text = SOLO.format(id="full")
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text) - 1) + "\n")
    assert load_exercise_file(path).id == "full"


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(SOLO.format(id="deep") + "tags: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InvalidInput) as caught:
        load_exercise_file(path)
    assert [p.message for p in caught.value.problems] == ["nested more than 12 levels deep"]


def test_non_utf8_file_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"id: latin\ntitle: Caf\xe9\n")
    with pytest.raises(InvalidInput) as caught:
        load_exercise_file(path)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        (f"{path}:2:11", "the file is not UTF-8 text")
    ]


def test_control_character_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bell.yaml"
    path.write_text("id: bell\ntitle: ring \x07 ring\n")
    with pytest.raises(InvalidInput) as caught:
        load_exercise_file(path)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        (f"{path}:2:13", "invalid character U+0007 in the file")
    ]


def test_overlong_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(SOLO.format(id="long").replace("Used by the tests.", "x" * 1001))
    with pytest.raises(InvalidInput) as caught:
        load_exercise_file(path)
    assert [p.message for p in caught.value.problems] == [
        "field 'summary': must be text of 1 to 1000 characters (got text of 1001 characters)"
    ]


# --- models, hashes, snapshots, ordering -----------------------------------------------------


def _spec(**changes: object) -> ExerciseSpec:
    data: dict[str, object] = {
        "id": "x", "version": 1, "title": "X", "summary": "S", "kind": "solo",
        "phase": "arrive", "minutes": 10, "steps": ["Go."],
    }  # fmt: skip
    return ExerciseSpec.model_validate({**data, **changes})


def test_content_hash_ignores_key_order_and_layout() -> None:
    first = parse_yaml_text(
        "id: x\nversion: 1\ntitle: X\nsummary: Some words here\nkind: solo\nphase: arrive\n"
        'minutes: 10\nsteps: [Go.]\nprompts:\n- {id: p, text: "Why?", type: long_text}\n'
    ).data
    second = parse_yaml_text(
        "steps:\n    - Go.\nprompts:\n  - type: long_text\n    text: Why?\n    id: p\n"
        "    lines: 8\nsummary: >\n  Some words\n  here\nminutes: 10\nphase: arrive\nkind: solo\n"
        "title: X\nversion: 1\nid: x\n"
    ).data
    assert ExerciseSpec.model_validate(first).content_hash == (
        ExerciseSpec.model_validate(second).content_hash
    )


def test_content_hash_changes_with_the_text() -> None:
    assert _spec().content_hash != _spec(title="X!").content_hash
    assert len(_spec().content_hash) == 64


def test_snapshot_round_trips_every_shipped_exercise(shipped: Library) -> None:
    for spec in shipped.ordered():
        stored = json.loads(json.dumps(snapshot_of(spec)))
        restored = spec_from_snapshot(stored)
        assert restored == spec
        assert restored.content_hash == spec.content_hash


def test_spec_from_snapshot_rejects_bad_data() -> None:
    data = snapshot_of(_spec())
    with pytest.raises(InvalidInput) as caught:
        spec_from_snapshot({**data, "minutes": 500, "kind": "pair"})
    assert [(p.where, p.message, p.field) for p in caught.value.problems] == [
        (
            "snapshot",
            "field 'minutes': must be a whole number between 5 and 240 (got 500)",
            "minutes",
        )
    ]


def test_spec_rules_hold_outside_files() -> None:
    with pytest.raises(ValueError, match="kind: a pair exercise needs 'trio_minutes'"):
        _spec(kind="pair")


def test_prompt_lines_default_by_type() -> None:
    types = ["long_text", "short_text", "scale", "plan_goal"]
    spec = _spec(
        kind="plan",
        prompts=[{"id": f"p{i}", "text": "?", "type": kind} for i, kind in enumerate(types)],
    )
    assert [prompt.lines for prompt in spec.prompts] == [8, 2, 0, 6]
    assert spec.prompts[0].visibility == "private"


def test_library_orders_by_phase_then_after_then_day_then_id() -> None:
    specs = [
        _spec(id="close-it", phase="close", day=1),
        _spec(id="b-needs-z", phase="explore", day=1, after=["z-first"]),
        _spec(id="z-first", phase="explore", day=2),
        _spec(id="a-day-three", phase="explore", day=3),
        _spec(id="a-no-day", phase="explore"),
        _spec(id="start", phase="arrive", day=4),
    ]
    library = Library(exercises={spec.id: spec for spec in specs})
    assert [spec.id for spec in library.ordered()] == [
        "start", "z-first", "b-needs-z", "a-day-three", "a-no-day", "close-it",
    ]  # fmt: skip


def test_library_get_unknown_id_is_not_found(shipped: Library) -> None:
    with pytest.raises(NotFound, match="no exercise 'nope' in the library"):
        shipped.get("nope")


def test_library_hash_follows_its_exercises() -> None:
    one = Library(exercises={"x": _spec()})
    assert one.content_hash == Library(exercises={"x": _spec()}).content_hash
    assert one.content_hash != Library(exercises={"x": _spec(version=2)}).content_hash
