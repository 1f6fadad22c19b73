"""``tandem purge``: delete what participants wrote once a cohort's retention period is over."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli._common import engine, fail, session
from app.cli._i18n import _, format_number, ngettext
from app.core.errors import DomainError


def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would go.")] = False,
) -> None:
    """Purge the content of every cohort past the retention period (TANDEM_RETENTION_DAYS)
    and roster uploads left unconfirmed past TANDEM_ROSTER_UPLOAD_HOURS."""
    from app.core.config import get_settings
    from app.core.db import checkpoint_erasure
    from app.models import utcnow
    from app.services import privacy, roster, workbooks

    settings = get_settings()
    today = utcnow().date()
    try:
        with session() as s:
            cohorts = privacy.purgeable_cohorts(
                s, today=today, retention_days=settings.retention_days
            )
            for cohort in cohorts:
                counts = workbooks.purge_cohort_everywhere(
                    s, settings=settings, cohort=cohort, today=today, actor="cli", dry_run=dry_run
                )
                rows = sum(counts.values())
                tables = ", ".join(f"{t}={n}" for t, n in counts.items() if n)
                typer.echo(
                    ngettext(
                        "%(cohort)s: would delete %(num)s row %(tables)s",
                        "%(cohort)s: would delete %(num)s rows %(tables)s",
                        rows,
                        cohort=cohort.slug,
                        tables=tables,
                    )
                    if dry_run
                    else ngettext(
                        "%(cohort)s: deleted %(num)s row %(tables)s",
                        "%(cohort)s: deleted %(num)s rows %(tables)s",
                        rows,
                        cohort=cohort.slug,
                        tables=tables,
                    )
                )
            hours = settings.roster_upload_hours
            uploads = (
                roster.count_expired_uploads(s, max_age_hours=hours)
                if dry_run
                else roster.expire_uploads(s, max_age_hours=hours)
            )
            if uploads:
                left = {"hours": format_number(hours)}
                typer.echo(
                    ngettext(
                        "roster uploads: would delete %(num)s left unconfirmed for %(hours)s h",
                        "roster uploads: would delete %(num)s left unconfirmed for %(hours)s h",
                        uploads,
                        **left,
                    )
                    if dry_run
                    else ngettext(
                        "roster uploads: deleted %(num)s left unconfirmed for %(hours)s h",
                        "roster uploads: deleted %(num)s left unconfirmed for %(hours)s h",
                        uploads,
                        **left,
                    )
                )
            if not cohorts and not uploads:
                typer.echo(_("nothing to purge"))
    except DomainError as exc:
        fail(exc)
    if not dry_run and not checkpoint_erasure(engine()):
        typer.echo(_("warning: the database was busy; run `tandem purge` again to empty its log"))
