"""The ``tandem`` command: every command calls the same service functions as the web."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from typing import Annotated

import typer

from app.cli._common import describe_failure, engine, fail, session
from app.cli._i18n import _, command_locale, ngettext
from app.core.errors import DomainError

app = typer.Typer(
    rich_markup_mode=None,  # plain help: rich costs more to import than the whole command
    help="Tandem: peer-mentoring cohorts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(rich_markup_mode=None, help="Database migrations.", no_args_is_help=True)
user_app = typer.Typer(rich_markup_mode=None, help="Facilitator accounts.", no_args_is_help=True)
cohort_app = typer.Typer(rich_markup_mode=None, help="Cohorts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(cohort_app, name="cohort")
_options = {"verbose": False}


@app.callback()
def _global_options(
    ctx: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the whole traceback when a command fails.")
    ] = False,
) -> None:
    _options["verbose"] = verbose
    # Help is English and stays fast: the language core (Babel, settings) is not loaded for it.
    # (The group has handed the command's own arguments on by now: read the command line.)
    if "--help" not in sys.argv[1:]:
        ctx.with_resource(command_locale())


def main() -> None:
    """The ``tandem`` entry point: a failure no command handled is one line and exit code 1."""
    try:
        app()
    except Exception as exc:
        if _options["verbose"]:
            raise
        with command_locale():
            typer.echo(_("error: %(error)s", error=describe_failure(exc)), err=True)
        raise SystemExit(1) from None


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the configured database up to REVISION (default: head)."""
    from app.core.config import get_settings
    from app.core.migrations import upgrade_database

    upgrade_database(get_settings().database_url, revision)
    typer.echo(_("database at %(revision)s", revision=revision))


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Migrate the configured database down to REVISION ('base' empties it)."""
    from app.core.config import get_settings
    from app.core.migrations import downgrade_database

    downgrade_database(get_settings().database_url, revision)
    typer.echo(_("database at %(revision)s", revision=revision))


@user_app.command("create")
def user_create(
    email: str,
    admin: Annotated[bool, typer.Option("--admin", help="May see and run every cohort.")] = False,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a facilitator account; the password comes from a prompt or standard input."""
    from app.services import accounts

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            fail(_("the passwords differ"))
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        with session() as s:
            user = accounts.create_facilitator(
                s, email=email, name=name, password=password, admin=admin
            )
            typer.echo(
                _("created admin %(email)s", email=user.email)
                if user.is_admin
                else _("created facilitator %(email)s", email=user.email)
            )
    except DomainError as exc:
        fail(exc)


@cohort_app.command("create")
def cohort_create(
    name: str,
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option(help="Number of days.")] = 4,
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "UTC",
    location: Annotated[str, typer.Option(help="Where it happens.")] = "",
) -> None:
    """Create a cohort and print its slug."""
    from app.services import cohorts

    try:
        start_date = date.fromisoformat(start)
    except ValueError:
        fail(_("--start: '%(value)s' is not a date like 2026-03-02", value=start))
    try:
        with session() as s:
            cohort = cohorts.create_cohort(
                s,
                name=name,
                start_date=start_date,
                days=days,
                timezone=timezone,
                location=location,
            )
            typer.echo(cohort.slug)
    except DomainError as exc:
        fail(exc)


@cohort_app.command("list")
def cohort_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List every cohort."""
    from app.services import cohorts

    with session(write=False) as s:
        rows = [
            {
                "slug": c.slug,
                "name": c.name,
                "start_date": c.start_date.isoformat(),
                "days": c.days,
                "timezone": c.timezone,
                "status": c.status,
                "participants": cohorts.count_participants(s, cohort=c),
            }
            for c in cohorts.list_cohorts(s, viewer=None)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        # Translators: a column of the cohort list: "4d" is four days.
        days = _("%(days)sd", days=r["days"])
        people = ngettext("%(num)s person", "%(num)s people", int(str(r["participants"])))
        typer.echo(
            f"{r['slug']:<32} {r['start_date']}  {days}  {people:>11}  {r['status']:<9} {r['name']}"
        )


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only).")] = 1,
) -> None:
    """Serve the web application."""
    import uvicorn

    from app.core.config import get_settings
    from app.core.logging import uvicorn_log_config

    settings = get_settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        fail(_("several workers need PostgreSQL; SQLite serves one process"))
    engine().dispose()
    # One log format only: uvicorn's access lines would print raw paths (``/join/<token>``),
    # so they are off; ``tandem.access`` logs the route template instead.
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        access_log=False,
        log_config=uvicorn_log_config(settings.log_level),
        log_level=settings.log_level.lower(),
    )


@app.command("demo")
def demo(
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only migrate and seed.")] = False,
) -> None:
    """Migrate, seed the demo cohort the first time, print how to sign in, and serve."""
    import os

    from app.core.config import Settings, get_settings
    from app.core.migrations import upgrade_database
    from app.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, seed_demo

    settings = get_settings()
    if settings.base_url == Settings.model_fields["base_url"].default and (
        "TANDEM_BASE_URL" not in os.environ
    ):
        # Cards and links must name the address this demo really serves on.
        os.environ["TANDEM_BASE_URL"] = f"http://{host}:{port}"
        get_settings.cache_clear()
        settings = get_settings()
    upgrade_database(settings.database_url)
    with session() as s:
        created = seed_demo(s)
    typer.echo("")
    seeded = _("Tandem seeded a demo cohort.") if created else _("Tandem demo already seeded.")
    rows = [
        (_("Facilitator URL:"), f"http://{host}:{port}/login"),
        (_("Sign in as:"), f"{DEMO_EMAIL}  /  {DEMO_PASSWORD}"),
        (_("Tablets join at:"), f"{settings.base_url.rstrip('/')}/join"),
        (
            (_("Mail server:"), settings.smtp_host)
            if settings.smtp_host
            else (_("Mail folder:"), str(settings.mail_folder))
        ),
    ]
    width = max(len(label) for label, _value in rows) + 2
    typer.echo("  " + seeded)
    for label, value in rows:
        typer.echo(f"  {label:<{width}}{value}")
    typer.echo("")
    if not no_serve:
        serve(host=host, port=port, workers=1)


def _mount_subcommands() -> None:
    from app.cli import (
        accounts,
        agenda,
        checkins,
        exercises,
        intake,
        links,
        mail,
        match,
        ops,
        purge,
        roster,
        workbooks,
        worker,
    )

    app.add_typer(workbooks.app, name="workbooks")
    app.command("cards")(workbooks.cards)
    app.add_typer(links.app, name="links")
    app.command("backup")(ops.backup)
    app.command("restore")(ops.restore)
    app.command("match")(match.match)
    app.command("worker")(worker.worker)
    app.add_typer(roster.app, name="roster")
    app.add_typer(agenda.app, name="agenda")
    app.add_typer(exercises.app, name="exercises")
    app.add_typer(intake.app, name="intake")
    app.command("purge")(purge.purge)
    app.add_typer(checkins.app, name="checkins")
    app.add_typer(mail.app, name="mail")
    app.add_typer(accounts.app, name="accounts")
    cohort_app.add_typer(accounts.team_app, name="team")


_mount_subcommands()

__all__ = ["app", "main"]
