"""Safe YAML reading for the exercise library: plain data plus the file position of every value.

Exercise files come from organisations, not only from us, so the reader is defensive: it caps
the file size, nesting depth and text length, and refuses anchors, aliases and tags at the first
parser event that carries one, before anything is built (an alias bomb never expands).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from app.core.errors import Problem

MAX_FILE_BYTES = 64 * 1024
MAX_DEPTH = 12
MAX_SCALAR_CHARS = 10_000
MAX_NUMBER = 10**15
"""No exercise field counts past this; a longer number is a typo (and Python refuses to turn
an integer of more than 4,300 digits into text, so it must be refused before anyone prints it)."""

# ``!!str`` is the one tag worth allowing: it is how YAML spells "this is text" for a value
# like 2024 or yes; every other tag either builds objects or is a typo of a quote.
_ALLOWED_TAGS = frozenset({"tag:yaml.org,2002:str"})
_TAG_PREFIX = "tag:yaml.org,2002:"

KeyPath: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the reader found in a file that still produced data (e.g. a duplicate key)."""

    mark: Mark
    message: str
    path: KeyPath


@dataclass(slots=True)
class MarkedDocument:
    """The data of one YAML file with the start of every value and every mapping key."""

    data: Any
    values: dict[KeyPath, Mark] = field(default_factory=dict)
    keys: dict[KeyPath, Mark] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def locate(self, path: KeyPath, *, key: bool = False) -> Mark:
        """Return the mark of ``path`` (its key if asked), else of its nearest marked parent."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            mark = self.values.get(path[:end])
            if mark is not None:
                return mark
        return Mark(1, 1)


class YamlRejected(Exception):
    """The file cannot be read as an exercise at all; ``mark`` says where reading stopped."""

    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _mark(yaml_mark: Any) -> Mark:
    if yaml_mark is None:
        return Mark(1, 1)
    return Mark(int(yaml_mark.line) + 1, int(yaml_mark.column) + 1)


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases, tags and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        where = _mark(event.start_mark)
        if isinstance(event, AliasEvent):
            raise YamlRejected(
                where,
                f"YAML aliases (*{event.anchor}) are not allowed: write the value out in full",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlRejected(
                where, f"YAML anchors (&{anchor}) are not allowed: write each value out in full"
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS:
            shown = "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag
            raise YamlRejected(
                where, f"YAML tags like '{shown}' are not allowed: use plain or quoted values"
            )
        if self._depth >= MAX_DEPTH:
            raise YamlRejected(where, f"nested more than {MAX_DEPTH} levels deep")
        self._depth += 1
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        return node


_SCALARS = SafeConstructor()
_SCALAR_BUILDERS = {
    "tag:yaml.org,2002:null": _SCALARS.construct_yaml_null,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
}


def _build(node: Node, path: KeyPath, doc: MarkedDocument) -> Any:
    doc.values[path] = _mark(node.start_mark)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = _mark(key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                doc.findings.append(Finding(key_mark, "a field name must be plain text", path))
                continue
            # The raw text, not the resolved value: "yes:" or "1:" is a (wrong) field name.
            key = str(key_node.value)
            if key in result:
                first = doc.keys[(*path, key)]
                doc.findings.append(
                    Finding(
                        key_mark,
                        f"duplicate field '{key}' (first given on line {first.line})",
                        (*path, key),
                    )
                )
                continue
            doc.keys[(*path, key)] = key_mark
            result[key] = _build(value_node, (*path, key), doc)
        return result
    if not isinstance(node, ScalarNode):
        return [_build(item, (*path, index), doc) for index, item in enumerate(node.value)]
    text = str(node.value)
    if len(text) > MAX_SCALAR_CHARS:
        raise YamlRejected(
            _mark(node.start_mark),
            f"text of {len(text)} characters; a value may be at most {MAX_SCALAR_CHARS}",
        )
    builder = _SCALAR_BUILDERS.get(str(node.tag))
    # Dates, timestamps and the rest stay text: no exercise field wants a datetime.
    if builder is None:
        return text
    try:
        value = builder(node)
    except ValueError:
        raise _number_too_large(node, text) from None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise _number_too_large(node, text)
    return value


def _number_too_large(node: Node, text: str) -> YamlRejected:
    shown = text if len(text) <= 20 else f"{text[:12]}… ({len(text)} characters)"
    return YamlRejected(
        _mark(node.start_mark),
        f"the number {shown} is too large; numbers may be at most {MAX_NUMBER:,}"
        " (put it in quotes if it is meant as text)",
    )


def display_path(path: Path) -> str:
    """The path relative to the working folder when it lies inside it, as authors typed it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_yaml_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[int, Problem]]]:
    """Return the *.yaml files in these folders (a file counts as itself), once each, sorted
    per folder; and a problem, with the index of its path, for each missing or empty folder."""
    files: dict[Path, None] = {}
    problems: list[tuple[int, Problem]] = []
    for index, folder in enumerate(paths):
        if folder.is_file():
            files.setdefault(folder.absolute(), None)
            continue
        if not folder.is_dir():
            problems.append((index, Problem(display_path(folder), "no such file or folder")))
            continue
        names = sorted(
            p for p in folder.iterdir()
            if p.suffix in {".yaml", ".yml"} and p.is_file() and not p.name.startswith(".")
        )  # fmt: skip
        if not names:
            problems.append((index, Problem(display_path(folder), "no exercise files (*.yaml)")))
        for name in names:
            files.setdefault(name.absolute(), None)
    return list(files), problems


def parse_yaml_text(text: str) -> MarkedDocument:
    """Parse one YAML document into plain data with marks; raise YamlRejected if unreadable."""
    try:
        loader = _GuardedLoader(text)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        where = Mark(before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        raise YamlRejected(where, f"invalid character U+{exc.character:04X} in the file") from None
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        message = f"invalid YAML: {exc.problem}"
        if str(exc.problem).startswith("but found another document"):
            message = "a file holds one exercise, but a second YAML document ('---') starts here"
        elif exc.context and exc.context_mark is not None:
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise YamlRejected(_mark(exc.problem_mark or exc.context_mark), message) from None
    except yaml.YAMLError as exc:
        raise YamlRejected(Mark(1, 1), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if root is None:
        raise YamlRejected(Mark(1, 1), "the file is empty: expected the fields of one exercise")
    doc = MarkedDocument(data=None)
    doc.data = _build(root, (), doc)
    return doc


def read_yaml_file(path: Path) -> MarkedDocument:
    """Read a YAML file of at most MAX_FILE_BYTES as UTF-8; raise YamlRejected if unreadable."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlRejected(Mark(1, 1), f"cannot read the file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlRejected(
            Mark(1, 1), f"the file is larger than {MAX_FILE_BYTES // 1024} KB; split the exercise"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise YamlRejected(Mark(line, column), "the file is not UTF-8 text") from None
    return parse_yaml_text(text)


def render_path(path: KeyPath) -> str:
    """Spell a key path the way the README does: ``prompts[2].options`` (items count from 1)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _keyed(annotation: Any) -> bool:
    """True for a ``dict[str, ...]`` field, whose keys (a language, a prompt id) are data."""
    if get_origin(annotation) is dict:
        return True
    return any(_keyed(arg) for arg in get_args(annotation))


def _walk_keyed(
    model: type[BaseModel], path: KeyPath
) -> tuple[type[BaseModel], FieldInfo | None, bool]:
    """Return the model holding the last named part of ``path``, that part's field, and
    whether ``path`` ends on an item (a list index, or a key of a mapping field)."""
    container, info, keyed, item = model, None, False, False
    for part in path:
        if isinstance(part, int) or keyed:
            keyed, item = False, True
            continue
        if info is not None:
            container = _nested_model(info.annotation) or container
        info = container.model_fields.get(part)
        if info is None:
            return container, None, False
        keyed, item = _keyed(info.annotation), False
    return container, info, item


def _source_names(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    for info in model.model_fields.values():
        nested = _nested_model(info.annotation)
        if nested is not None and not _keyed(info.annotation):
            names |= set(nested.model_fields)
    return names


def _walk(model: type[BaseModel], path: KeyPath) -> tuple[type[BaseModel], FieldInfo | None]:
    """Return the model holding the last named part of ``path`` and that part's field."""
    container, info, _ = _walk_keyed(model, path)
    return container, info


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"text of {len(value)} characters"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "a mapping of fields"


def _expectation(info: FieldInfo | None, *, item: bool) -> str:
    if info is None:
        return "something else"
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if item and isinstance(extra.get("each"), str):
        return str(extra["each"])
    return info.description or "something else"


def _choices(info: FieldInfo | None) -> list[str]:
    if info is None:
        return []
    return [arg for arg in get_args(info.annotation) if isinstance(arg, str)]


_MOVED = {"source": "adapted_from", "license": "license", "attribution": "author"}
"""Credit fields of an older file format, and where each one lives in ``credit:`` now."""


def explain_error(model: type[BaseModel], error: ErrorDetails) -> tuple[KeyPath, bool, str]:
    """Turn one pydantic error into (where to point, at the key?, message an author understands).

    A missing field points at the mapping that lacks it; the field is the error's ``loc``.
    """
    path: KeyPath = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        _, holder = _walk(model, path[:-1])
        container = _nested_model(holder.annotation) if holder is not None else None
        container = container or model
        name = str(path[-1])
        inside = f" in {render_path(path[:-1])}" if len(path) > 1 else ""
        if path[0] == "translations" and name == "credit":
            text = "a credit is printed as written, in every language"
            return path, True, f"field 'credit' is never translated{inside}: {text}"
        if path[0] == "translations" and name in _source_names(model):
            # e.g. 'minutes', 'tags' or a prompt's 'type' in a translation: not translated
            fields = ", ".join(container.model_fields)
            return path, True, f"field '{name}' is not translated{inside} (only: {fields})"
        if len(path) == 1 and name in _MOVED and "credit" in container.model_fields:
            moved = f"the credit is one mapping now: give '{_MOVED[name]}' under 'credit:'"
            return path, True, f"unknown field '{name}': {moved}"
        close = difflib.get_close_matches(name, list(container.model_fields), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return path, True, f"unknown field '{name}'{inside}{hint}"
    _, info, item = _walk_keyed(model, path)
    if kind == "missing":
        inside = f" in {render_path(path[:-1])}" if len(path) > 1 else ""
        wanted = _expectation(info, item=False)
        return path[:-1], False, f"missing required field '{path[-1]}'{inside} ({wanted})"
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        return path, False, f"field '{render_path(path)}': {text}" if path else text
    wanted = _expectation(info, item=item)
    hint = ""
    if kind == "literal_error" and isinstance(value, str):
        close = difflib.get_close_matches(value, _choices(info), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
    elif kind == "string_type" and isinstance(value, int | float):
        hint = "; put it in quotes"
    message = f"field '{render_path(path)}': must be {wanted} (got {_describe(value)}{hint})"
    return path, False, message
