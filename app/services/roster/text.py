"""Roster file text: guessing the encoding and delimiter of an HR export, reading its records."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.i18n import gettext

DELIMITERS = (",", ";", "\t")
"""Candidates in tie-break order: comma first, as most exports use it."""

_QUOTED_RE = re.compile(r'"(?:[^"]|"")*"')
_SNIFF_LINES = 10


class UnreadableFile(ValueError):
    """The bytes are not a text CSV we can read; the message says why for the user."""


ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8 (Unicode)",
    "cp1252": "Windows Western European (cp1252)",
    "cp1250": "Windows Central European (cp1250)",
    "cp1251": "Windows Cyrillic (cp1251)",
    "cp1254": "Windows Turkish (cp1254)",
    "mac_roman": "Mac Roman",
    "utf-16": "UTF-16 (Unicode)",
}
"""Encodings a facilitator may choose for a file that is not valid UTF-8, with their labels."""

SURE, GUESSED, CHOSEN, REMEMBERED, UNDECIDED = (
    "sure",
    "guessed",
    "chosen",
    "remembered",
    "undecided",
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text and how its encoding was decided.

    Bytes the encoding cannot read stay in ``text`` as lone surrogates (U+DC80-U+DCFF), so that
    the caller can say which row and column hold them; ``status`` is one of SURE (a BOM, UTF-16
    or valid UTF-8), GUESSED (not UTF-8 but clean Windows-1252), CHOSEN (asked for), REMEMBERED
    (the cohort's choice of a previous import) or UNDECIDED (someone has to choose).
    """

    text: str
    encoding: str
    status: str


def decode_roster(
    data: bytes, *, encoding: str | None = None, fallback: str | None = None
) -> Decoded:
    """Decode export bytes: a chosen encoding, else BOMs, UTF-16, UTF-8, a remembered or guess.

    A file that is not valid UTF-8 is read as Windows-1252 only when nothing in it looks like
    UTF-8 and every byte is a cp1252 character; otherwise it is UNDECIDED, never garbled quietly.
    """
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(
            gettext("this is an Excel workbook (.xlsx), not a CSV; save it as CSV first")
        )
    if encoding:
        return Decoded(_lenient(data, encoding), encoding, CHOSEN)
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return Decoded(_decode(data[len(bom) :], name), name, SURE)
    sniffed = _utf16_without_bom(data)
    if sniffed:
        return Decoded(_decode(data, sniffed), sniffed, SURE)
    try:
        return Decoded(_without_nul(data.decode("utf-8")), "utf-8", SURE)
    except UnicodeDecodeError:
        pass
    if fallback:
        return Decoded(_lenient(data, fallback), fallback, REMEMBERED)
    if _UTF8_SEQUENCE_RE.search(data) is None and not any(b in data for b in _CP1252_UNDEFINED):
        # Excel on Windows saves "CSV" in the ANSI code page; cp1252 covers Western Europe.
        return Decoded(_without_nul(data.decode("cp1252")), "cp1252", GUESSED)
    return Decoded(_lenient(data, "utf-8"), "", UNDECIDED)


_UTF8_SEQUENCE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
"""A multi-byte UTF-8 character: in a file that is not valid UTF-8 it means mixed or damaged
UTF-8 ("MÃ¼ller" when read as cp1252), not a Windows-1252 file."""
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def _lenient(data: bytes, encoding: str) -> str:
    if encoding in ("utf-8", "utf-8-sig"):
        data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return _without_nul(data.decode(encoding, "surrogateescape"))
    except (LookupError, UnicodeError):
        raise UnreadableFile(
            gettext("the file cannot be read as %(encoding)s", encoding=encoding)
        ) from None


def _without_nul(text: str) -> str:
    if "\x00" in text:
        raise UnreadableFile(gettext("the file contains NUL bytes; it is not a text CSV file"))
    return text


def has_unreadable(text: str) -> bool:
    """Tell whether decoded text holds bytes its encoding could not read."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def original_bytes(text: str, encoding: str) -> bytes:
    """The bytes a leniently decoded ``text`` came from."""
    return text.encode(encoding or "utf-8", "surrogateescape")


def readable(text: str) -> str:
    """``text`` with each unreadable byte shown as U+FFFD, safe to display."""
    return "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in text)


def _decode(payload: bytes, encoding: str) -> str:
    try:
        text = payload.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            gettext(
                "the file starts like %(encoding)s text but byte %(byte)s cannot be decoded",
                encoding=encoding,
                byte=exc.start,
            )
        ) from None
    return _without_nul(text)


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
        return gettext("a value is far too long; is a closing quote missing?")
    if "unexpected end of data" in raw or "EOF" in raw:
        return gettext("a quoted value is never closed; a closing quote is missing")
    return gettext("the row cannot be read as CSV (%(reason)s); check its quotes", reason=raw)
