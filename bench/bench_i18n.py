"""Translation benchmark: a page rendered with a full catalog / the same page without one.

    uv run python -m bench.bench_i18n            # 200 requests per page and catalog
    uv run python -m bench.bench_i18n --quick    # 60

A tablet page (the participant's home) and a facilitator page (the cohort) are requested
through the app, in German, alternately with a compiled German catalog that translates every
message the code and templates have (``pybabel extract`` over babel.cfg; the translators'
text where ``app/locale/de`` has it, a stand-in with the same placeholders elsewhere) and
with ``NullTranslations`` (what an untranslated language costs). Same run, same world, same
requests; target <= 1.05. Wall times swing with the machine's load, so the process's CPU
time per request is reported beside them (the load-independent figure).
"""

from __future__ import annotations

import argparse
import gettext
import io
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.core import i18n
from app.core.config import ROOT

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "lazy_gettext": None,
}


def stand_in(message: str) -> str:
    """A translation of the same length and placeholders where the catalog has none yet."""
    return f"\u27e8{message}\u27e9"


def full_catalog(language: str = "de", pot: Path | None = None) -> tuple[Translations, int]:
    """Every message of the tree (and of ``pot``, a template with more), translated: the
    real text where the catalog has it."""
    known: dict[str, str] = {}
    po = ROOT / "app" / "locale" / language / "LC_MESSAGES" / "messages.po"
    if po.exists():
        with po.open("rb") as fp:
            for entry in read_po(fp):
                if entry.id and entry.string and isinstance(entry.id, str):
                    known[entry.id] = str(entry.string)
    method_map = [
        ("app/**.py", "python"),
        ("app/templates/**.html", "jinja2"),
        ("app/templates/**.txt", "jinja2"),
    ]
    options = {
        "app/templates/**.html": {"extensions": "jinja2.ext.i18n"},
        "app/templates/**.txt": {"extensions": "jinja2.ext.i18n"},
    }
    catalog = Catalog(locale=language, domain=i18n.DOMAIN)
    extracted = extract_from_dir(str(ROOT), method_map, options, keywords=KEYWORDS)
    logging.getLogger("babel").setLevel(logging.ERROR)
    for _file, _line, message, _comments, context in extracted:
        if isinstance(message, tuple):
            msgid: str | tuple[str, ...] = tuple(m for m in message if m)
            string: str | tuple[str, ...] = tuple(known.get(m, stand_in(m)) for m in msgid)
            if len(msgid) == 1:
                msgid, string = msgid[0], string[0]
        else:
            msgid, string = message, known.get(message, stand_in(message))
        if msgid:
            catalog.add(msgid, string, context=context)
    if pot is not None:
        with pot.open("rb") as fp:
            for entry in read_po(fp):
                if entry.id and entry.id not in catalog:
                    ids = entry.id if isinstance(entry.id, tuple | list) else (entry.id,)
                    strings = tuple(known.get(m, stand_in(m)) for m in ids)
                    catalog.add(
                        entry.id, strings if len(ids) > 1 else strings[0], context=entry.context
                    )
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=i18n.DOMAIN), len(catalog)


def timed_requests(get: Callable[[], object], count: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each of ``count`` calls."""
    times = []
    for _ in range(count):
        started, cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return times


def report_ratio(
    label: str,
    with_catalog: list[tuple[float, float]],
    without: list[tuple[float, float]],
    extra: str = "",
) -> None:
    wall = [statistics.median(t[0] for t in runs) for runs in (with_catalog, without)]
    cpu = [statistics.median(t[1] for t in runs) for runs in (with_catalog, without)]
    ratio, steady = wall[0] / wall[1], cpu[0] / cpu[1]
    print(
        f"[i18n] {label}: with catalog {wall[0] * 1000:.2f} ms, without {wall[1] * 1000:.2f} ms "
        f"(median of {len(without)}{extra})"
    )
    print(f"    ratio translated/untranslated = {ratio:.3f}  (target <= 1.05: {verdict(ratio)})")
    print(
        f"    CPU {cpu[0] * 1000:.2f} ms / {cpu[1] * 1000:.2f} ms -> load-independent ratio "
        f"{steady:.3f}  (target <= 1.05: {verdict(steady)})"
    )


def verdict(value: float) -> str:
    return "ok" if value <= 1.05 else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 requests instead of 200")
    parser.add_argument(
        "--pot", type=Path, default=None, help="also translate every message of this .pot"
    )
    args = parser.parse_args()
    count = 60 if args.quick else 200
    i18n_bench(count, args.pot)


def i18n_bench(count: int, pot: Path | None = None) -> None:
    from tests.routers.route_world import app_for, build_route_world, client_for

    german, size = full_catalog("de", pot)
    logging.getLogger("tandem.access").setLevel(logging.WARNING)
    null = gettext.NullTranslations()
    active: list[gettext.NullTranslations] = [null]
    i18n.translations = lambda language: active[0]  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        world = build_route_world(Path(tmp) / "world")
        apps = app_for(world, Path(tmp) / "app")
        app = apps.__enter__()
        pages = [
            ("tablet page /p", "self", "/p"),
            ("facilitator page /cohorts/<slug>", "facilitator", f"/cohorts/{world.params['slug']}"),
        ]
        print(f"catalog: {size} messages (de), requests in German, {count} per page and catalog")
        for label, viewer, path in pages:
            clients = client_for(world, viewer, app)
            client = clients.__enter__()
            client.cookies.set("tandem_lang", "de")
            for catalog in (german, null, german, null):  # warm both paths
                active[0] = catalog
                assert client.get(path).status_code == 200, path
            with_catalog: list[tuple[float, float]] = []
            without: list[tuple[float, float]] = []
            for n in range(count):  # interleaved, alternating order: load hits both alike
                pairs = ((german, with_catalog), (null, without))
                for catalog, into in pairs[:: 1 if n % 2 else -1]:
                    active[0] = catalog
                    into += timed_requests(partial(client.get, path), 1)
            active[0] = german
            body = client.get(path).text
            translated = sum(
                1 for m in german._catalog.values() if isinstance(m, str) and m in body
            )
            report_ratio(label, with_catalog, without, f"; {translated} translated strings on it")
            clients.__exit__(None, None, None)
        apps.__exit__(None, None, None)
    # The most translated page there is: a workbook's HTML (every heading, label and note).
    from app.services.printing import make_sample_workbook, render_workbook_html

    data = make_sample_workbook(language="de")
    with_catalog, without = [], []
    for n in range(count):
        for catalog, into in ((german, with_catalog), (null, without))[:: 1 if n % 2 else -1]:
            active[0] = catalog
            into += timed_requests(lambda: render_workbook_html(data), 1)
    report_ratio("workbook HTML (Jinja only)", with_catalog, without)


if __name__ == "__main__":
    main()
