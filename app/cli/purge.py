"""``tandem purge``: delete what participants wrote once a cohort's retention period is over."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli._common import fail, session
from app.core.errors import DomainError


def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would go.")] = False,
) -> None:
    """Purge the content of every cohort past the retention period (TANDEM_RETENTION_DAYS)."""
    from app.core.config import get_settings
    from app.models import utcnow
    from app.services import privacy, workbooks

    settings = get_settings()
    today = utcnow().date()
    try:
        with session() as s:
            cohorts = privacy.purgeable_cohorts(
                s, today=today, retention_days=settings.retention_days
            )
            for cohort in cohorts:
                counts = privacy.purge_cohort_content(
                    s,
                    cohort=cohort,
                    today=today,
                    retention_days=settings.retention_days,
                    actor="cli",
                    dry_run=dry_run,
                )
                if not dry_run:
                    workbooks.forget_printed_copies(s, settings=settings, cohort=cohort)
                verb = "would delete" if dry_run else "deleted"
                typer.echo(
                    f"{cohort.slug}: {verb} {sum(counts.values())} rows "
                    + ", ".join(f"{t}={n}" for t, n in counts.items() if n)
                )
            if not cohorts:
                typer.echo("nothing to purge")
    except DomainError as exc:
        fail(exc)
