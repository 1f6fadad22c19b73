"""Packaging rendered PDFs: one merged PDF with an outline entry per workbook, a ZIP, a preview."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from app.core.i18n import gettext as _
from app.services.printing.pool import RenderError

PREVIEW_TIMEOUT_S = 60


def merge_pdfs(named_pdfs: Iterable[tuple[str, bytes]]) -> bytes:
    """Concatenate PDFs into one, with a top-level outline entry per input holding its outline."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for name, pdf in named_pdfs:
        title = name.removesuffix(".pdf")
        writer.append(PdfReader(io.BytesIO(pdf)), outline_item=title, import_outline=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_pdfs(named_pdfs: Iterable[tuple[str, bytes]]) -> bytes:
    """Return a ZIP of the PDFs; stored uncompressed, as PDF streams are already compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, pdf in named_pdfs:
            # A fixed timestamp keeps the archive identical when the workbooks are.
            info = zipfile.ZipInfo(Path(name).name, date_time=(2000, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, pdf)
    return out.getvalue()


def render_preview_png(pdf_bytes: bytes, page: int, out_path: Path, *, dpi: int = 80) -> Path:
    """Write page ``page`` (1-based) of a PDF as a PNG with pdftoppm; RenderError if unavailable."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RenderError(_("pdftoppm is not installed (Debian: apt-get install poppler-utils)"))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf_bytes)
        prefix = Path(tmp) / "page"
        done = subprocess.run(  # noqa: S603 - fixed tool, arguments are ours
            [
                tool,
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(prefix),
            ],
            capture_output=True,
            timeout=PREVIEW_TIMEOUT_S,
            check=False,
        )
        produced = prefix.with_suffix(".png")
        if done.returncode != 0 or not produced.exists():
            raise RenderError(
                _(
                    "could not preview page %(page)s: %(reason)s",
                    page=page,
                    reason=done.stderr.decode()[:200],
                )
            )
        shutil.move(produced, out_path)
    return out_path
