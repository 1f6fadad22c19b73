"""``tandem worker``: run workbook jobs and send mail from the PostgreSQL job queue, on any
machine."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli._common import engine, fail
from app.cli._i18n import _
from app.core.errors import DomainError


def worker(
    init: Annotated[
        bool, typer.Option("--init", help="Only create the queue's tables, then exit.")
    ] = False,
    burst: Annotated[
        bool, typer.Option("--burst", help="Run the jobs waiting now, then exit.")
    ] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=16, help="Jobs this process runs at once.")
    ] = 1,
) -> None:
    """Run queued workbook jobs and send mail (TANDEM_JOB_BACKEND=queue, PostgreSQL) until
    stopped."""
    from app.core.config import get_settings
    from app.core.logging import configure_logging
    from app.services import mail as _mail_task  # noqa: F401  (registers the sending task)
    from app.services import workbooks as _workbook_jobs  # noqa: F401  (registers job kinds)
    from app.services.mail import use_mail_settings
    from app.services.ops import ensure_queue_schema, require_queue_database, run_worker

    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        if init:
            created = ensure_queue_schema(settings.database_url)
            typer.echo(_("job queue created") if created else _("job queue already set up"))
            return
        require_queue_database(settings.database_url)
        use_mail_settings(settings)
        run_worker(engine(), settings, burst=burst, concurrency=concurrency)
    except DomainError as exc:
        fail(exc)
