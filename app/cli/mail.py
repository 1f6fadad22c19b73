"""``tandem mail``: send the outbox now, and check that mail reaches a real mailbox."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli._common import engine, fail, session
from app.cli._i18n import _
from app.core.errors import DomainError

app = typer.Typer(rich_markup_mode=None, help="Outgoing mail.", no_args_is_help=True)


def _where() -> str:
    from app.core.config import get_settings

    settings = get_settings()
    if settings.smtp_host:
        return _("the mail server %(host)s", host=settings.smtp_host)
    return _("the folder %(folder)s", folder=settings.mail_folder)


def _send() -> None:
    from app.core.config import get_settings
    from app.services.mail import send_queued_mail

    report = send_queued_mail(engine(), get_settings())
    typer.echo(
        _(
            "%(sent)s sent to %(where)s, %(retried)s to retry, %(bounced)s refused,"
            " %(failed)s not sent; %(waiting)s waiting",
            sent=report.sent,
            where=_where(),
            retried=report.retried,
            bounced=report.bounced,
            failed=report.failed,
            waiting=report.waiting,
        )
    )
    for error in sorted(set(report.errors)):
        typer.echo(error, err=True)
    if report.retried or report.failed:
        raise typer.Exit(1)


@app.command("send")
def send() -> None:
    """Send every queued mail that is due now, over one connection."""
    _send()


@app.command("test")
def send_test(
    address: Annotated[str, typer.Argument(help="Where to send the test mail.")],
    language: Annotated[str, typer.Option(help="en, de, fr or es.")] = "en",
) -> None:
    """Queue a short test mail to ADDRESS and send it: checks the TANDEM_SMTP_* settings."""
    import secrets

    from app.core.config import get_settings
    from app.services.mail import queue_mail, use_mail_settings

    settings = get_settings()
    use_mail_settings(settings)
    try:
        with session() as s:
            queue_mail(
                s,
                to=address,
                kind="smtp_check",
                template="smtp_check",
                language=language,
                context={"name": address.partition("@")[0][:200], "site_url": settings.base_url},
                dedupe_key=f"smtp-check-{secrets.token_hex(8)}",
            )
    except DomainError as exc:
        fail(exc)
    _send()
