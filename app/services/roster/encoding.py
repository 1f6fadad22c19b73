"""Roster encodings: saying which cells a file's encoding cannot read, and offering choices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.errors import Problem
from app.core.i18n import gettext, ngettext
from app.services.roster.rows import RosterRow
from app.services.roster.text import (
    CHOSEN,
    ENCODINGS,
    GUESSED,
    REMEMBERED,
    UNDECIDED,
    Decoded,
    has_unreadable,
    original_bytes,
    readable,
)

_MAX_CELLS = 20
_SAMPLES = 3


def encoding_label(name: str) -> str:
    """A person's name for an encoding ("Windows Western European (cp1252)")."""
    return ENCODINGS.get(name, name)


def encoding_problems(
    decoded: Decoded,
    header_row: int,
    headers: Sequence[str],
    records: Sequence[tuple[int, list[str]]],
) -> tuple[list[Problem], tuple[bytes, ...]]:
    """Every cell the encoding could not read (up to a limit), and the first cells' bytes."""
    label = encoding_label(decoded.encoding or "utf-8")
    problems: list[Problem] = []
    samples: list[bytes] = []
    count = 0
    for row, cells in ((header_row, list(headers)), *records):
        for index, cell in enumerate(cells):
            if not has_unreadable(cell):
                continue
            count += 1
            if len(samples) < _SAMPLES:
                samples.append(original_bytes(cell, decoded.encoding))
            if count > _MAX_CELLS:
                continue
            column = headers[index] if row != header_row and index < len(headers) else ""
            where = gettext(
                "row %(row)s, column %(column)s", row=row, column=readable(column) or _letter(index)
            )
            message = gettext(
                "\u201c%(value)s\u201d holds bytes that are not valid %(encoding)s",
                value=readable(cell),
                encoding=label,
            )
            problems.append(Problem(where, message, "encoding"))
    if decoded.status == UNDECIDED:
        problems.insert(
            0,
            Problem(
                "",
                gettext(
                    "the file is not valid UTF-8, and it does not read cleanly as Windows text "
                    "either, so names would come out garbled; choose the file's encoding below"
                ),
                "encoding",
            ),
        )
    elif problems:
        problems.insert(
            0,
            Problem(
                "",
                gettext(
                    "the file cannot be read as %(encoding)s; choose another encoding below",
                    encoding=label,
                ),
                "encoding",
            ),
        )
    if count > _MAX_CELLS:
        more = ngettext(
            "and %(num)s more cell like these", "and %(num)s more cells like these",
            count - _MAX_CELLS,
        )  # fmt: skip
        problems.append(Problem("", more, "encoding"))
    return problems, tuple(samples)


def encoding_warning(decoded: Decoded, rows: Sequence[RosterRow]) -> Problem | None:
    """The warning that a file which is not UTF-8 was read with a guessed encoding."""
    if decoded.status != GUESSED:
        return None
    example = next((r for r in rows if not r.name.isascii()), rows[0] if rows else None)
    label = encoding_label(decoded.encoding)
    if example:
        message = gettext(
            "the file is not UTF-8, so it was read as %(encoding)s, the usual encoding of Excel "
            "on Windows; check the names below (such as row %(row)s: %(name)s) and choose "
            "another encoding if they look wrong",
            encoding=label,
            row=example.row_number,
            name=example.name,
        )
    else:
        message = gettext(
            "the file is not UTF-8, so it was read as %(encoding)s, the usual encoding of Excel "
            "on Windows; check the names below and choose another encoding if they look wrong",
            encoding=label,
        )
    return Problem("", message, "encoding")


def guessed_samples(decoded: Decoded, rows: Sequence[RosterRow]) -> tuple[bytes, ...]:
    """The bytes of the first non-ASCII names of a file read with a guessed encoding."""
    if decoded.status != GUESSED:
        return ()
    names = [row.name for row in rows if not row.name.isascii()][:_SAMPLES]
    return tuple(name.encode(decoded.encoding, "replace") for name in names)


@dataclass(frozen=True, slots=True)
class EncodingOption:
    name: str
    label: str
    sample: str | None
    """The file's first unreadable cells in this encoding; None when it cannot read them."""


def encoding_options(samples: Sequence[bytes]) -> list[EncodingOption]:
    """The encodings a facilitator may choose, each showing how the troublesome cells read."""
    options = []
    for name, label in ENCODINGS.items():
        try:
            sample = " · ".join(data.decode(name) for data in samples) if samples else ""
        except UnicodeDecodeError:
            options.append(EncodingOption(name, label, None))
            continue
        options.append(EncodingOption(name, label, sample))
    return options


def encoding_note(encoding: str, status: str) -> str:
    """One line for the preview saying how the encoding was decided."""
    if status == UNDECIDED:
        return gettext("The file's encoding is not known yet.")
    label = encoding_label(encoding)
    if status == CHOSEN:
        return gettext("Read as %(encoding)s, as you chose.", encoding=label)
    if status == REMEMBERED:
        return gettext(
            "Read as %(encoding)s, as chosen for this cohort's last import.", encoding=label
        )
    if status == GUESSED:
        return gettext("Read as %(encoding)s (guessed: the file is not UTF-8).", encoding=label)
    return gettext("Read as %(encoding)s.", encoding=label)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
