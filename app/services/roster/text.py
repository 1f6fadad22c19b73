"""Roster file text: guessing the encoding and delimiter of an HR export, reading its records."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

DELIMITERS = (",", ";", "\t")
"""Candidates in tie-break order: comma first, as most exports use it."""

_QUOTED_RE = re.compile(r'"(?:[^"]|"")*"')
_SNIFF_LINES = 10


class UnreadableFile(ValueError):
    """The bytes are not a text CSV we can read; the message says why for the user."""


def decode_roster(data: bytes) -> tuple[str, str]:
    """Decode export bytes to (text, encoding name): BOMs, BOM-less UTF-16, UTF-8, cp1252."""
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile("this is an Excel workbook (.xlsx), not a CSV; save it as CSV first")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding), encoding
    sniffed = _utf16_without_bom(data)
    if sniffed:
        return _decode(data, sniffed), sniffed
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; cp1252 covers Western Europe.
        # Latin-1 only catches the five bytes cp1252 leaves undefined, so nothing is refused.
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
    if "\x00" in text:
        raise UnreadableFile("the file contains NUL bytes; it is not a text CSV file")
    return text, encoding


def _decode(payload: bytes, encoding: str) -> str:
    try:
        text = payload.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the file starts like {encoding} text but byte {exc.start} cannot be decoded"
        ) from None
    if "\x00" in text:
        raise UnreadableFile("the file contains NUL bytes; it is not a text CSV file")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    # ASCII text in UTF-16 has a NUL in every other byte; which half holds them gives the order.
    sample = data[:400]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : pairs * 2 : 2].count(0)
    odd_nuls = sample[1 : pairs * 2 : 2].count(0)
    if odd_nuls >= pairs * 0.6 and even_nuls <= pairs * 0.1:
        return "utf-16-le"
    if even_nuls >= pairs * 0.6 and odd_nuls <= pairs * 0.1:
        return "utf-16-be"
    return None


def sniff_delimiter(text: str) -> str:
    """Pick comma, semicolon or tab: the one most used on the first line that uses any."""
    for line in text.splitlines()[:_SNIFF_LINES]:
        bare = _QUOTED_RE.sub("", line)
        counts = {candidate: bare.count(candidate) for candidate in DELIMITERS}
        best = max(DELIMITERS, key=lambda candidate: counts[candidate])
        if counts[best]:
            return best
    return ","


class RecordError(ValueError):
    """A record the csv module cannot read; ``row`` is its spreadsheet row number."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


def read_records(text: str, *, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (spreadsheet row number, cells) per record; a quoted newline stays in its row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RecordError(row, _csv_message(str(exc))) from None
        yield row, cells


def _csv_message(raw: str) -> str:
    if "field larger than field limit" in raw:
        return "a value is far too long; is a closing quote missing?"
    if "unexpected end of data" in raw or "EOF" in raw:
        return "a quoted value is never closed; a closing quote is missing"
    return f"the row cannot be read as CSV ({raw}); check its quotes"
