"""Check the message catalogs: ``python -m tools.check_catalogs`` (and ``make i18n-compile``).

Reads every ``app/locale/<lang>/LC_MESSAGES/messages.po`` with Babel and reports, as
``file:line: message``, each entry that is missing a translation or is fuzzy, whose
placeholders (``%(name)s``, ``%s``, ``{name}``) differ from the source string, or whose number
of plural forms is wrong for the language; and every catalog that is not up to date with the
sources (compared with a fresh extraction, so a string added in the code and not extracted
yet is found). Exit status 1 when anything is found.

``--compile`` checks only what would make a compiled catalog show a wrong sentence (broken
placeholders, plural forms, unreadable files): ``make i18n-compile`` runs it first and
compiles nothing when it fails, so the previous ``.mo`` stays. Missing and fuzzy entries read
as English until translated; in that mode they are counted, not refused.

``--extract FILE`` writes the template (``.pot``) from the sources: ``make i18n-extract``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = Path("app") / "locale"
EXTRACT_OPTIONS = (
    "--no-location",
    "--sort-output",
    "--project=Tandem",
    "--copyright-holder=Tandem",
    "--add-comments=Translators:",
    "--ignore-dirs=.*",  # the default also skips _*, where template macros live
    "-k",
    "N_",
    "-k",
    "lazy_gettext",
    "-k",
    "pgettext:1c,2",
)
"""How strings are extracted (``-F babel.cfg`` from the top of the tree, where its patterns
start); the default keywords (``_``, ``gettext``, ``ngettext`` ...) come on top."""

# %(name)s, %s, %5.1f, %%; {name}, {0}, {}; {{ and }} are literal braces.
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[a-zA-Z%])"
)
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")
_COUNT = {"%(num)s", "%(num)d"}
"""ngettext's count: a plural form may leave it out ("one person" for 1)."""


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int
    message: str
    serious: bool
    """Would show a reader a wrong sentence (compile refuses it); else missing or fuzzy."""

    def __str__(self) -> str:
        return f"{_shown(self.path)}:{self.line}: {self.message}"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def placeholders(text: str) -> Counter[str]:
    """The placeholders in ``text``, each in a normal form (``%(name)s``, ``%s``, ``{name}``)."""
    found: Counter[str] = Counter()
    for match in _PERCENT.finditer(text):
        if match["type"] == "%":
            continue
        kind = "d" if match["type"] in "diu" else match["type"]
        name = match["name"]
        found[f"%({name}){kind}" if name is not None else f"%{kind}"] += 1
    for match in _BRACE.finditer(text):
        field = match["field"]
        if field is not None:
            found["{" + re.split(r"[!:.\[]", field, maxsplit=1)[0] + "}"] += 1
    return found


def _described(tokens: Iterable[str]) -> str:
    return ", ".join(sorted(set(tokens))) or "none"


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    short = msgid if len(msgid) <= 60 else msgid[:57] + "..."
    return repr(short)


def _placeholder_problems(message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    problems = []
    if len(ids) == 1:
        source = placeholders(ids[0])
        if strings[0] and placeholders(strings[0]) != source:
            problems.append(
                f"{_label(message)}: the translation's placeholders "
                f"({_described(placeholders(strings[0]))}) differ from the source's "
                f"({_described(source)})"
            )
        return problems
    source = placeholders(ids[0]) | placeholders(ids[1])
    wanted = set(source) - _COUNT
    for index, text in enumerate(strings):
        if not text:
            continue
        found = placeholders(text)
        extra = set(found) - set(source)
        if set(found) - _COUNT != wanted or extra:
            problems.append(
                f"{_label(message)}: plural form {index}'s placeholders "
                f"({_described(found)}) differ from the source's ({_described(source)})"
            )
    return problems


def _untranslated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not all(strings)


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return msgid, message.context


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, abort_invalid=True)


def check_po(path: Path, *, sources: Catalog | None = None) -> list[Finding]:
    """Every problem of one ``.po`` file; with ``sources`` (a fresh extraction) its freshness."""
    try:
        catalog = read_catalog(path)
    except PoFileError as exc:
        # Babel counts lines from 0 here (and from 1 in a message's ``lineno``).
        if "more translations than num_plurals" in str(exc):
            said = f"more plural forms than the header's {exc.catalog.num_plurals}"
        else:
            said = f"cannot be read: {str(exc).rsplit(' on ', 1)[0]}"
        return [Finding(path, exc.lineno + 1, said, serious=True)]
    except Exception as exc:  # a file Babel cannot read is reported, never a traceback
        return [Finding(path, 1, f"cannot be read: {exc}", serious=True)]
    findings: list[Finding] = []
    language = str(catalog.locale) if catalog.locale else path.parent.parent.name
    try:
        expected = get_plural(language).num_plurals
    except (ValueError, LookupError):
        expected = catalog.num_plurals
    if catalog.num_plurals != expected:
        findings.append(
            Finding(
                path,
                1,
                f"the header says {catalog.num_plurals} plural forms; {language} has {expected}",
                serious=True,
            )
        )
    if catalog.fuzzy:
        findings.append(Finding(path, 1, "the catalog header is marked fuzzy", serious=False))
    for message in catalog:
        if not message.id:
            continue
        line = message.lineno or 1
        for problem in _placeholder_problems(message):
            findings.append(Finding(path, line, problem, serious=True))
        if message.pluralizable:
            count = len(message.string) if isinstance(message.string, tuple | list) else 1
            if count != expected:
                findings.append(
                    Finding(
                        path,
                        line,
                        f"{_label(message)}: {count} plural forms; {language} has {expected}",
                        serious=True,
                    )
                )
        if message.fuzzy:
            findings.append(Finding(path, line, f"{_label(message)}: fuzzy", serious=False))
        elif message.pluralizable and any(message.string) and not all(message.string):
            # Babel fills forms the file does not have with "": read, they would be empty.
            empty = ", ".join(str(i) for i, text in enumerate(message.string) if not text)
            findings.append(
                Finding(
                    path,
                    line,
                    f"{_label(message)}: plural form {empty} missing ({language} has "
                    f"{expected} forms: msgstr[0] to msgstr[{expected - 1}])",
                    serious=True,
                )
            )
        elif _untranslated(message):
            findings.append(
                Finding(path, line, f"{_label(message)}: no translation", serious=False)
            )
    # Babel's own checks (format kinds, plural counts against the header) on top of ours.
    said = {(f.line, f.message) for f in findings}
    for message, errors in catalog.check():
        line = message.lineno or 1
        for error in errors:
            text = f"{_label(message)}: {error}"
            if message.fuzzy or (line, text) in said:
                continue
            findings.append(Finding(path, line, text, serious=True))
    if sources is not None:
        findings += _freshness(path, catalog, sources)
    return findings


def _freshness(path: Path, catalog: Catalog, sources: Catalog) -> list[Finding]:
    have = {_key(m): m for m in catalog if m.id}
    want = {_key(m): m for m in sources if m.id}
    findings = [
        Finding(
            path,
            1,
            f"not up to date with the sources: {_label(m)} is missing (run make i18n-extract)",
            serious=False,
        )
        for key, m in want.items()
        if key not in have
    ]
    for key, m in have.items():
        if key not in want:
            findings.append(
                Finding(
                    path,
                    m.lineno or 1,
                    f"{_label(m)}: no longer in the sources (run make i18n-extract)",
                    serious=False,
                )
            )
        elif m.pluralizable != want[key].pluralizable or m.id != want[key].id:
            findings.append(
                Finding(
                    path,
                    m.lineno or 1,
                    f"{_label(m)}: the sources' plural differs (run make i18n-extract)",
                    serious=False,
                )
            )
    return findings


def extract(output: Path, *, root: Path = ROOT) -> None:
    """Write the template of every translatable string in the sources to ``output``."""
    subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            *EXTRACT_OPTIONS,
            "-o",
            str(output.resolve()),
            ".",
        ],
        cwd=root,
        check=True,
    )


def fresh_sources(root: Path = ROOT) -> Catalog:
    """The strings in the sources today (extracted into a temporary directory)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot, root=root)
        return read_catalog(pot)


def catalog_paths(locale_dir: Path) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/messages.po"))


def check_catalogs(
    locale_dir: Path = ROOT / LOCALE_DIR, *, sources: Catalog | None = None
) -> list[Finding]:
    """Every problem of every catalog under ``locale_dir`` (freshness too, given ``sources``)."""
    return [f for path in catalog_paths(locale_dir) for f in check_po(path, sources=sources)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_catalogs", description=__doc__)
    parser.add_argument("--locale-dir", type=Path, default=ROOT / LOCALE_DIR)
    parser.add_argument(
        "--compile",
        action="store_true",
        help="refuse only what would compile into a wrong sentence; count missing entries",
    )
    parser.add_argument("--extract", type=Path, metavar="FILE", help="write the template")
    args = parser.parse_args(argv)
    if args.extract:
        extract(args.extract)
        return 0
    sources = None if args.compile else fresh_sources()
    findings = check_catalogs(args.locale_dir, sources=sources)
    refused = [f for f in findings if f.serious or not args.compile]
    for finding in refused:
        print(finding, file=sys.stderr)
    waiting = len(findings) - len(refused)
    if waiting:
        print(
            f"{waiting} entries untranslated or fuzzy (they read in English until translated;"
            " python -m tools.check_catalogs lists them)",
            file=sys.stderr,
        )
    if refused:
        nothing = "; nothing compiled" if args.compile else ""
        print(f"{len(refused)} problems in the catalogs{nothing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
