"""``tandem links``: personal sign-in links from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, ngettext
from app.core.errors import DomainError

if TYPE_CHECKING:
    from sqlmodel import Session

    from app.models import Cohort, Participant

app = typer.Typer(
    rich_markup_mode=None, help="Personal sign-in links and the link sheet.", no_args_is_help=True
)


def _chosen(s: Session, cohort: Cohort, emails: list[str]) -> list[Participant]:
    from app.core.errors import InvalidInput, Problem
    from app.services import roster

    people = roster.list_participants(s, cohort=cohort)
    if not emails:
        return people
    by_email = {p.email.strip().lower(): p for p in people}
    unknown = [e for e in emails if e.strip().lower() not in by_email]
    if unknown:
        raise InvalidInput(
            _("no links were issued"),
            [Problem(e, _("not a participant of this cohort"), "email") for e in unknown],
        )
    return [by_email[e.strip().lower()] for e in emails]


@app.command("issue")
def issue(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    email: Annotated[
        list[str] | None, typer.Option("--email", help="Only this participant (repeatable).")
    ] = None,
    next_path: Annotated[
        str | None, typer.Option("--next", help="The page the link lands on, such as /p/plan.")
    ] = None,
    days: Annotated[int, typer.Option(help="How many days the links work.", min=1, max=90)] = 14,
) -> None:
    """Issue new sign-in links (everyone's, or those of --email) and print them as CSV; the
    older links of the same people stop working."""
    from datetime import timedelta

    from app.core.config import get_settings
    from app.services import cohorts, links

    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            rows = links.issue_sheet(
                s,
                cohort=c,
                base_url=get_settings().base_url,
                actor="cli",
                participants=_chosen(s, c, email or []),
                next_path=next_path,
                ttl=timedelta(days=days),
            )
    except DomainError as exc:
        fail(exc)
    typer.echo(links.links_csv(rows), nl=False)


@app.command("invite")
def invite(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    email: Annotated[
        list[str] | None, typer.Option("--email", help="Only this participant (repeatable).")
    ] = None,
) -> None:
    """Queue an invitation mail with a fresh personal link to everyone with an e-mail
    address (or to those of --email); their older sign-in links stop working."""
    from app.core.config import get_settings
    from app.services import cohorts, links

    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            report = links.send_invitations(
                s,
                cohort=c,
                base_url=get_settings().base_url,
                actor="cli",
                participants=_chosen(s, c, email) if email else None,
            )
    except DomainError as exc:
        fail(exc)
    for name in report.without_address:
        typer.echo(_("no invitation for %(name)s: no e-mail address", name=name), err=True)
    for name in report.refused:
        typer.echo(
            _("no invitation for %(name)s: the address was refused before", name=name), err=True
        )
    typer.echo(
        ngettext(
            "%(num)s invitation queued (tandem mail send, or a running server, sends it)",
            "%(num)s invitations queued (tandem mail send, or a running server, sends them)",
            report.queued,
        )
    )


@app.command("revoke")
def revoke(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    email: Annotated[str, typer.Argument(help="The participant's e-mail address.")],
) -> None:
    """Stop a participant's links and sign out every device a link signed in."""
    from app.services import cohorts, links

    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            [person] = _chosen(s, c, [email])
            assert person.id is not None
            stopped = links.revoke_links(s, person.id, by="cli")
    except DomainError as exc:
        fail(exc)
    typer.echo(
        ngettext(
            "%(num)s link stopped for %(email)s",
            "%(num)s links stopped for %(email)s",
            stopped,
            email=email,
        )
    )


@app.command("sheet")
def sheet(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    out: Annotated[Path, typer.Option("--out", help="File to write: .csv or .pdf.")],
) -> None:
    """Issue everyone a new link and write the link sheet (CSV or printable PDF); links
    issued or sent before stop working."""
    from app.core.config import get_settings
    from app.services import cohorts, links

    kind = out.suffix.lower()
    if kind not in (".csv", ".pdf"):
        fail(_("--out must end in .csv or .pdf"))
    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            rows = links.issue_sheet(s, cohort=c, base_url=get_settings().base_url, actor="cli")
            body = (
                links.links_csv(rows).encode("utf-8-sig")
                if kind == ".csv"
                else links.render_links_pdf(c.name, rows)
            )
    except DomainError as exc:
        fail(exc)
    out.write_bytes(body)
    typer.echo(
        ngettext(
            "%(num)s link written to %(file)s",
            "%(num)s links written to %(file)s",
            len(rows),
            file=out,
        )
    )
