"""The sample HR exports under tests/data/roster, read the way the roster tests read them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.services.roster.csv_file import ParsedRoster, parse_roster

CORPUS = Path(__file__).resolve().parents[2] / "data" / "roster"
TODAY = date(2025, 6, 30)


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def parse(data: bytes | str, **kwargs: object) -> ParsedRoster:
    return parse_roster(data, today=TODAY, **kwargs)  # type: ignore[arg-type]


def messages(parsed: ParsedRoster) -> list[str]:
    return [str(problem) for problem in parsed.problems]
