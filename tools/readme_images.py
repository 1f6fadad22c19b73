"""Render the README's pictures of a printed workbook: ``make docs-images``."""

from __future__ import annotations

import sys
from pathlib import Path

from app.services.printing import (
    RenderPool,
    make_sample_workbook,
    render_preview_png,
    render_workbook_pdf,
)

PAGES = {"workbook-cover.png": 0, "workbook-exercise.png": 7}


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with RenderPool(workers=1) as pool:
        pdf = render_workbook_pdf(make_sample_workbook(), pool=pool)
    for name, page in PAGES.items():
        render_preview_png(pdf, page, out_dir / name, dpi=60)
        print(out_dir / name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
