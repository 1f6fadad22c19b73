"""Numbers in exercise YAML, however long or oddly written: a located problem, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import InvalidInput
from app.services.library.loader import load_library
from app.services.library.yaml_source import YamlRejected, parse_yaml_text

EXERCISE = (
    "id: numbers\nversion: {version}\ntitle: Numbers\nsummary: Numbers of every size.\n"
    "kind: solo\nphase: close\nminutes: {minutes}\nsteps: [Go.]\n"
)
# YAML 1.1 spells integers in decimal, hex, octal, binary and base 60, with underscores.
DIGITS = st.text("0123456789", min_size=1, max_size=6000)
SPELLINGS = st.one_of(
    st.tuples(st.sampled_from(["", "-", "+"]), DIGITS).map("".join),
    st.text("0123456789abcdef", min_size=1, max_size=6000).map(lambda d: "0x" + d),
    st.text("01234567", min_size=1, max_size=6000).map(lambda d: "0" + d),
    st.text("01", min_size=1, max_size=20000).map(lambda d: "0b" + d),
    st.lists(st.integers(min_value=0, max_value=59), min_size=2, max_size=900).map(
        lambda parts: "1" + "".join(f":{p:02d}" for p in parts)
    ),
    st.sampled_from(["1_000_000", "9" * 4301, "-" + "9" * 5000, ".inf", "-.inf", ".nan", "1e999"]),
    st.floats(allow_nan=True).map(repr),
)


def _library_with(tmp_path: Path, *, version: str = "1", minutes: str = "10") -> Path:
    folder = tmp_path / "lib"
    folder.mkdir(exist_ok=True)
    (folder / "numbers.yaml").write_text(EXERCISE.format(version=version, minutes=minutes))
    return folder


def test_a_4301_digit_number_is_reported_at_its_line() -> None:
    with pytest.raises(YamlRejected) as caught:
        parse_yaml_text("id: x\nminutes: " + "9" * 4301 + "\n")

    assert (caught.value.mark.line, caught.value.mark.column) == (2, 10)
    assert caught.value.message == (
        "the number 999999999999… (4301 characters) is too large; numbers may be at most "
        "1,000,000,000,000,000 (put it in quotes if it is meant as text)"
    )


def test_a_huge_hex_number_is_refused_before_anything_prints_it(tmp_path: Path) -> None:
    folder = _library_with(tmp_path, minutes="0x" + "f" * 4000)

    with pytest.raises(InvalidInput) as caught:
        load_library([folder])

    [problem] = caught.value.problems
    assert problem.where.endswith("numbers.yaml:7:10")
    assert problem.message.startswith("the number 0xffffffffff… (4002 characters) is too large")


@given(number=SPELLINGS)
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_any_number_in_any_field_loads_or_is_a_located_problem(number: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for field in ("version", "minutes"):
            folder = _library_with(Path(tmp), **{field: number})
            problems: list[str] = []
            try:
                load_library([folder])
            except InvalidInput as exc:
                problems = [str(p) for p in exc.problems]  # each message must print
            assert all(".yaml:" in p for p in problems), problems
