"""Messages that are stored and read later, each time in the reader's language.

A sentence written at one time and read at another (the reasons two buddies were paired, read
by a facilitator in English, one buddy in German and the other in French) cannot be stored as
finished text. A :class:`Message` keeps the source-language message id and its values; the
text is made when it is shown, in the language of whoever reads it (``use_locale``).

A ``Message`` *is* a ``str`` whose value is the English sentence, so code that passes strings
around (a view's ``list[str]``, ``==`` in a test, a log) keeps working; ``str()``, ``format()``
and templates (``__html__``) give the current language. String methods (``upper``, ``join``)
see the English value: render with ``str(message)`` first.

Values are data (names, titles, tags), never translated; a ``listing`` becomes a list in the
reader's locale (``a, b and c`` / ``a, b und c``), a ``number`` a locale number, and a nested
message is translated like the outer one. The stored form is JSON:
``{"msgid": ..., "args": {...}}``; a plain string (written before messages were stored this
way) reads back as itself.

Changing the English of a message id used here leaves stored rows with the old id: they still
read as the old English, untranslated, until the rows are written again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from babel import numbers
from markupsafe import escape
from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

from app.core import i18n

Arg = Any
"""A JSON value: str, int, float, ``listing(...)``, ``number(...)`` or a nested message."""


def listing(items: Iterable[Arg], style: str = "standard") -> dict[str, Any]:
    """Values shown as one list in the reader's locale (``a, b and c``)."""
    return {"list": [_jsonable(item) for item in items], "style": style}


def number(value: float, pattern: str = "#,##0.###") -> dict[str, Any]:
    """A number shown in the reader's locale with a CLDR ``pattern`` (``#,##0.0``: 1 decimal)."""
    return {"number": value, "format": pattern}


def _jsonable(value: Arg) -> Arg:
    return value.to_json() if isinstance(value, Message) else value


def _render(value: Arg) -> str:
    if type(value) is str:
        return value
    if isinstance(value, dict):
        if "msgid" in value:
            return _text(value)
        if "list" in value:
            items = [_render(item) for item in value["list"]]
            return i18n.format_list(items, style=value.get("style", "standard"))
        if "number" in value:
            return numbers.format_decimal(
                value["number"], format=value.get("format"), locale=i18n.locale()
            )
    if isinstance(value, bool | None):
        return str(value)
    if isinstance(value, int | float):
        return i18n.format_number(value)
    return str(value)


_OPENING = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=4096)
def _opening(template: str) -> str | None:
    """The placeholder a sentence opens with, if any (templates repeat: matched once each)."""
    found = _OPENING.match(template)
    return found.group(1) if found else None


def _text(data: dict[str, Any]) -> str:
    """The message in the current language, its values filled (a stored form as input)."""
    msgid: str = data["msgid"]
    args: dict[str, Any] = data.get("args") or {}
    template = i18n.translate(msgid)
    if not args:
        return template
    values = {key: _render(value) for key, value in args.items()}
    try:
        text = template % values
    except (KeyError, ValueError, TypeError):
        # A translation whose placeholders differ (the catalog check refuses those): the
        # source sentence rather than an error page.
        template = msgid
        text = msgid % values
    opening = _opening(template)
    lead = args.get(opening) if opening else None
    if isinstance(lead, dict) and "msgid" in lead:
        # A nested sentence ("a former participant") that opens the sentence starts it.
        text = text[:1].upper() + text[1:]
    return text


class Message(str):
    """A sentence kept as its message id and values; shown in the reader's language."""

    __slots__ = ("args", "msgid")
    msgid: str
    args: dict[str, Any]

    def __new__(cls, msgid: str, /, **args: Arg) -> Message:
        data: dict[str, Any] = {"msgid": msgid, "args": {k: _jsonable(v) for k, v in args.items()}}
        if i18n.current_language() == i18n.SOURCE_LANGUAGE:
            english = _text(data)
        else:
            with i18n.use_locale(i18n.SOURCE_LANGUAGE):
                english = _text(data)
        self = super().__new__(cls, english)
        self.msgid = msgid
        self.args = data["args"]
        return self

    @classmethod
    def from_json(cls, data: Any) -> str:
        """A stored message back as a ``Message`` (a plain stored string stays a string)."""
        if isinstance(data, dict) and isinstance(data.get("msgid"), str):
            return cls(data["msgid"], **(data.get("args") or {}))
        return str(data)

    def to_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "args": self.args}

    def replace_args(self, **args: Arg) -> Message:
        """The same message with some values replaced."""
        return Message(self.msgid, **{**self.args, **args})

    def __str__(self) -> str:
        return _text(self.to_json())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"Message({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message.from_json, (self.to_json(),))


def texts(messages: Sequence[str]) -> list[str]:
    """Each message as text in the current language (for JSON and plain output)."""
    return [str(m) for m in messages]


class MessageList(TypeDecorator[list[str]]):
    """A JSON column of messages: ``Message`` values are stored as id + values."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return [m.to_json() if isinstance(m, Message) else m for m in value]

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return [Message.from_json(m) for m in value]
