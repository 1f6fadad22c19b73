"""PDF rendering in bounded worker processes, a packaged-assets-only URL fetcher, a content cache.

Why processes: WeasyPrint keeps one font configuration per process and its output gets silently
corrupted when threads share it; and hostile text must not be able to hang or exhaust the server,
so every render runs in a spawned worker with an address-space limit (``RLIMIT_AS``), a wall-time
alarm inside the worker and a hard deadline outside it that kills the worker if C code ignores
the alarm.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from app.core.errors import DomainError
from app.core.i18n import gettext as _
from app.core.logging import configure_logging

APP_DIR = Path(__file__).resolve().parents[2]
STATIC_DIR = APP_DIR / "static"
TEMPLATE_DIR = APP_DIR / "templates" / "workbook"
STATIC_BASE_URL = STATIC_DIR.as_uri() + "/"
"""Relative URLs in our templates (``print/workbook.css``) resolve inside the static folder."""

PARENT_CHECK_SECONDS = 0.5
"""How often a worker checks that the server that started it is still there."""
CLOSE_GRACE_SECONDS = 2.0
"""How long a closing pool lets its workers finish before it kills them."""
HARD_DEADLINE_GRACE_S = 20.0
"""Time past the in-worker alarm before the parent kills the worker (C code may ignore alarms)."""

PDF_VARIANT = "pdf/ua-1"
"""Workbooks and cards are tagged PDF/UA-1: a structure tree, /MarkInfo, /Lang, figure /Alt."""

_WARM_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>warm</title>'
    '<link rel="stylesheet" href="print/fonts.css">'
    '<link rel="stylesheet" href="print/workbook.css">'
    "</head>"
    "<body><h1>Warm</h1><p>Fonts <em>are</em> <strong>configured</strong> once.</p></body></html>"
)


class RenderError(DomainError):
    """A workbook could not be rendered within the time and memory limits, or was refused.

    ``retryable`` is true when the worker was lost (a sibling's crash or the memory limit),
    so that trying once more on a fresh worker may succeed.
    """

    status_code = 422

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@cache
def template_version() -> str:
    """Return a digest of every template, stylesheet and font that shapes a PDF, plus WeasyPrint."""
    import weasyprint

    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}\n".encode())
    roots = [TEMPLATE_DIR, STATIC_DIR / "print", STATIC_DIR / "fonts"]
    for path in sorted(p for root in roots for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(APP_DIR)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(html: str, language: str = "", *, tagged: bool = True) -> str:
    """Return the content key of a document: sha256 of the template version, the edition's
    language, the PDF variant and the HTML (so a German copy never answers for an English one)."""
    variant = PDF_VARIANT if tagged else "plain"
    head = f"{template_version()}\n{language}\n{variant}\n"
    return hashlib.sha256(f"{head}{html}".encode()).hexdigest()


@dataclass
class PdfCache:
    """Rendered PDFs on disk under their content key, so an unchanged workbook is never
    rendered twice.

    Bounded in size and in age: a copy that has not been used for ``max_age_seconds`` is
    deleted (it may hold words the participant has since changed), and past ``max_bytes``
    the least recently used copies go first. Writes are atomic, so a concurrent reader never
    sees half a file.
    """

    folder: Path
    max_bytes: int = 512 * 1024 * 1024
    max_age_seconds: float = 24 * 3600.0
    prune_every_seconds: float = 60.0
    _last_prune: float = field(default=0.0, repr=False)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def read(self, key: str) -> bytes | None:
        """Return the cached PDF for ``key`` (marking it used), or None."""
        path = self._path(key)
        try:
            pdf = path.read_bytes()
        except FileNotFoundError:
            return None
        if time.time() - path.stat().st_mtime > self.max_age_seconds:
            return None  # due for pruning: render afresh rather than serve an old copy
        os.utime(path)
        return pdf

    def write(self, key: str, pdf: bytes) -> None:
        """Store ``pdf`` under ``key``, then prune when the last pruning is a while ago."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_bytes(pdf)
        os.replace(tmp, path)
        if time.monotonic() - self._last_prune >= self.prune_every_seconds:
            self.prune()

    def prune(self) -> int:
        """Delete copies unused for too long, then the least recently used over the size
        bound; return how many were deleted."""
        self._last_prune = time.monotonic()
        now = time.time()
        kept: list[tuple[float, int, Path]] = []
        removed = 0
        for path in self.folder.glob("*/*.pdf"):
            try:
                stat = path.stat()
                if now - stat.st_mtime > self.max_age_seconds:
                    path.unlink()
                    removed += 1
                else:
                    kept.append((stat.st_mtime, stat.st_size, path))
            except FileNotFoundError:
                continue  # another process pruned it first
        total = sum(size for _mtime, size, _path in kept)
        for _mtime, size, path in sorted(kept):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed


def resolve_static_url(url: str) -> Path:
    """Map a ``file:`` URL to a file under the static folder; refuse every other URL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused to fetch {url[:200]!r}: only packaged assets are served")
    path = Path(unquote(parts.path)).resolve()
    root = STATIC_DIR.resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ValueError(f"refused to fetch {url[:200]!r}: not a packaged asset")
    return path


def make_url_fetcher() -> Any:
    """Return a WeasyPrint URL fetcher serving packaged assets; any other URL fails the render."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = resolve_static_url(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    # fail_on_errors: only our templates produce URLs, so a refused fetch is an attack or a bug.
    return StaticOnlyFetcher(fail_on_errors=True)


class _RenderTimeout(BaseException):
    """Raised by the alarm; a BaseException so WeasyPrint's ``except Exception`` cannot eat it."""


@dataclass(frozen=True, slots=True)
class WorkerResult:
    """What a worker sends back: the PDF or a reason, and how the worker fared."""

    pdf: bytes | None
    error: str | None
    """Why it failed, as a code the server puts into words: timeout, memory, nesting, failed."""
    pid: int
    peak_rss_kb: int
    seconds: float
    cpu_seconds: float
    detail: str = ""
    """The exception behind ``failed`` (type and message; never what the document says)."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _RenderTimeout


def _write_pdf(html: str, tagged: bool = True) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=make_url_fetcher())
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT if tagged else None)
    return pdf


def _exit_with_parent(parent: int) -> None:
    # A worker holds 200+ MB; it must not outlive a server that was killed (SIGKILL, the OOM
    # killer) or that ended without closing its pool. Orphans are re-parented, so the parent
    # id changes; this is portable where PR_SET_PDEATHSIG is not.
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def init_worker(memory_mb: int) -> None:
    """Limit the worker's address space, tie it to its parent, then configure WeasyPrint and
    fonts once."""
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="exit-with-parent", daemon=True
    ).start()
    configure_logging("WARNING")
    # What WeasyPrint warns about quotes the document, which may hold what a participant wrote.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    _write_pdf(_WARM_HTML)


def render_in_worker(html: str, timeout_s: float, tagged: bool = True) -> WorkerResult:
    """Render one document inside a worker, turning every failure into a plain reason."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    pdf: bytes | None = None
    error: str | None = None
    detail = ""
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        pdf = _write_pdf(html, tagged)
    except _RenderTimeout:
        error = "timeout"
    except MemoryError:
        error = "memory"
    except RecursionError:
        error = "nesting"
    except BaseException as exc:  # FatalURLFetchingError is a BaseException too
        error = "failed"
        detail = f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if error is None and time.perf_counter() - started > timeout_s:
        # The alarm can land in a finaliser (a font cache's __del__), where Python only prints
        # it: past the limit is a timeout all the same.
        pdf, error = None, "timeout"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return WorkerResult(
        pdf,
        error,
        os.getpid(),
        peak,
        time.perf_counter() - started,
        time.process_time() - cpu_started,
        detail,
    )


def _worker_error(result: WorkerResult, limit_s: float) -> str:
    """The reason a worker gave, in the reader's words (the worker itself speaks no language)."""
    if result.error == "timeout":
        return _("rendering took longer than %(seconds)s s", seconds=format(limit_s, "g"))
    if result.error == "memory":
        return _("rendering ran out of memory")
    if result.error == "nesting":
        return _("the document is nested too deeply to render")
    # Translators: %(detail)s is a technical error from the PDF engine, left in English.
    return _("rendering failed: %(detail)s", detail=result.detail or result.error or "?")


def read_worker_limits() -> tuple[int, int]:
    """Return the worker's (pid, soft RLIMIT_AS in bytes); used to check the limit is applied."""
    return os.getpid(), resource.getrlimit(resource.RLIMIT_AS)[0]


class Ticket(NamedTuple):
    """A queued render: its future, the executor that runs it, when it was queued, its limit."""

    future: Future[WorkerResult]
    executor: ProcessPoolExecutor
    submitted: float
    limit_s: float


@dataclass
class RenderStats:
    """Counters of one pool, so callers (tests, bench, jobs) can see what really happened."""

    renders: int = 0
    failures: int = 0
    rebuilds: int = 0
    worker_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0
    peak_rss_kb: dict[int, int] = field(default_factory=dict)


class RenderPool:
    """A pool of spawned worker processes that turn HTML into PDF within time and memory limits."""

    def __init__(
        self,
        workers: int = 2,
        *,
        timeout_s: float = 60.0,
        memory_mb: int = 1024,
        max_tasks_per_child: int = 100,
    ) -> None:
        if workers < 1:
            raise ValueError("a render pool needs at least one worker")
        self.workers = workers
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_tasks_per_child = max_tasks_per_child
        self.stats = RenderStats()
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get_executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=get_context("spawn"),
                    initializer=init_worker,
                    initargs=(self.memory_mb,),
                    max_tasks_per_child=self.max_tasks_per_child,
                )
            return self._executor

    def _discard(self, executor: ProcessPoolExecutor, *, kill: bool) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
                self.stats.rebuilds += 1
        if kill:
            # No public API kills a stuck worker; its siblings' tasks fail and are retried.
            for process in list(getattr(executor, "_processes", {}).values()):
                process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    def warm(self) -> None:
        """Start every worker now, so the first real render does not pay for start-up."""
        executor = self._get_executor()
        futures = [executor.submit(read_worker_limits) for _ in range(self.workers)]
        try:
            for future in futures:
                future.result(timeout=HARD_DEADLINE_GRACE_S + 60)
        except (BrokenProcessPool, FutureTimeout):
            self._discard(executor, kill=True)
            raise RenderError(_("the render workers could not start")) from None

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a module-level function in a worker and return its result (diagnostics, probes)."""
        return self._get_executor().submit(fn, *args).result()

    def submit(self, html: str, *, timeout_s: float | None = None, tagged: bool = True) -> Ticket:
        """Queue one render (optionally with a tighter time limit) for ``collect``; tagged
        PDF/UA unless ``tagged=False`` (the benchmark's untagged baseline)."""
        executor = self._get_executor()
        limit = self.timeout_s if timeout_s is None else timeout_s
        return Ticket(
            executor.submit(render_in_worker, html, limit, tagged),
            executor,
            time.monotonic(),
            limit,
        )

    def collect(self, ticket: Ticket) -> bytes:
        """Wait for a queued render and return the PDF, or raise RenderError."""
        future, executor, submitted, limit = ticket
        # A spawned worker warms up before its first task; the grace allows for that.
        deadline = submitted + limit + HARD_DEADLINE_GRACE_S
        try:
            result = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            self._discard(executor, kill=True)
            self.stats.failures += 1
            raise RenderError(
                _(
                    "rendering took longer than %(seconds)s s; the worker was stopped",
                    seconds=format(limit, "g"),
                )
            ) from None
        except BrokenProcessPool:
            self._discard(executor, kill=False)
            self.stats.failures += 1
            raise RenderError(
                _("the render worker stopped abruptly (memory limit or crash); try again"),
                retryable=True,
            ) from None
        self.stats.worker_seconds += result.seconds
        self.stats.worker_cpu_seconds += result.cpu_seconds
        self.stats.peak_rss_kb[result.pid] = max(
            result.peak_rss_kb, self.stats.peak_rss_kb.get(result.pid, 0)
        )
        if result.pdf is None:
            self.stats.failures += 1
            raise RenderError(_worker_error(result, limit))
        self.stats.renders += 1
        return result.pdf

    def render_pdf(
        self, html: str, *, timeout_s: float | None = None, tagged: bool = True
    ) -> bytes:
        """Render one HTML document to PDF bytes in a worker; raise RenderError on any failure."""
        return self.collect(self.submit(html, timeout_s=timeout_s, tagged=tagged))

    def close(self, *, grace_s: float | None = None) -> None:
        """Stop the workers: wait for running renders, or with ``grace_s`` give them that
        long and then kill them (a server that is stopping must not wait a minute)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        if grace_s is None:
            executor.shutdown(wait=True, cancel_futures=True)
            return
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace_s
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)


_default_pool: RenderPool | None = None
_default_lock = threading.Lock()


def get_default_pool() -> RenderPool:
    """Return the process-wide pool sized by the settings, created on first use."""
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            import atexit

            from app.core.config import get_settings

            settings = get_settings()
            _default_pool = RenderPool(
                settings.workbook_workers,
                timeout_s=settings.render_timeout_seconds,
                memory_mb=settings.render_memory_mb,
            )
            atexit.register(_default_pool.close)
        return _default_pool


def close_default_pool() -> None:
    """Stop the process-wide pool's workers when the server stops (it starts again on use)."""
    with _default_lock:
        pool = _default_pool
    if pool is not None:
        pool.close(grace_s=CLOSE_GRACE_SECONDS)
