"""``tandem accounts`` and ``tandem cohort team``: facilitator accounts and cohort teams, with
the same service functions as the admin page and the API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, ngettext
from app.core.errors import DomainError

if TYPE_CHECKING:
    from app.services.accounts import IssuedLink

app = typer.Typer(rich_markup_mode=None, help="Facilitator accounts.", no_args_is_help=True)
team_app = typer.Typer(
    rich_markup_mode=None, help="Who facilitates a cohort, and in which role.", no_args_is_help=True
)
ROLE_HELP = "lead (manages the team, publishes, removes) or co-facilitator (runs the room, edits)."


def _print_link(issued: IssuedLink) -> None:
    from app.core.config import get_settings
    from app.services.accounts import PASSWORD_LINK_HOURS

    typer.echo(issued.url(get_settings().base_url))
    typer.echo(
        ngettext(
            "hand this link to %(email)s: it sets the password once, within %(num)s hour",
            "hand this link to %(email)s: it sets the password once, within %(num)s hours",
            PASSWORD_LINK_HOURS,
            email=issued.facilitator.email,
        ),
        err=True,
    )


@app.command("invite")
def invite(
    email: str,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    admin: Annotated[bool, typer.Option("--admin", help="May see and run every cohort.")] = False,
) -> None:
    """Create an account and print its single-use set-password link."""
    from app.services import accounts

    try:
        with session() as s:
            issued = accounts.invite_facilitator(s, email=email, name=name, admin=admin)
            _print_link(issued)
    except DomainError as exc:
        fail(exc)


@app.command("reset")
def reset(email: str) -> None:
    """End the account's sessions, void its password and print a new set-password link."""
    from app.services import accounts

    try:
        with session() as s:
            user = accounts.get_facilitator(s, ref=email)
            _print_link(accounts.reset_facilitator(s, facilitator=user))
    except DomainError as exc:
        fail(exc)


@app.command("deactivate")
def deactivate(email: str) -> None:
    """Switch an account off: it cannot sign in, and its open sessions end."""
    from app.services import accounts

    try:
        with session() as s:
            user = accounts.get_facilitator(s, ref=email)
            accounts.deactivate_facilitator(s, facilitator=user)
            typer.echo(_("deactivated %(email)s", email=user.email))
    except DomainError as exc:
        fail(exc)


@app.command("reactivate")
def reactivate(email: str) -> None:
    """Switch an account on again."""
    from app.services import accounts

    try:
        with session() as s:
            user = accounts.get_facilitator(s, ref=email)
            accounts.reactivate_facilitator(s, facilitator=user)
            typer.echo(_("reactivated %(email)s", email=user.email))
    except DomainError as exc:
        fail(exc)


@app.command("list")
def list_accounts(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List every account with its kind and state."""
    from app.services import accounts

    with session(write=False) as s:
        rows = [
            {
                "id": f.id,
                "email": f.email,
                "name": f.name,
                "admin": f.is_admin,
                "state": accounts.account_state(f),
            }
            for f in accounts.list_facilitators(s)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    states = {
        "active": _("active"),
        "invited": _("invited"),
        "deactivated": _("deactivated"),
    }
    for r in rows:
        kind = _("admin") if r["admin"] else _("facilitator")
        typer.echo(f"{r['email']:<40} {kind:<12} {states[str(r['state'])]:<12} {r['name']}")


@team_app.command("add")
def team_add(
    cohort: str,
    email: str,
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "co-facilitator",
) -> None:
    """Put a facilitator on a cohort's team."""
    from app.services import accounts, cohorts

    try:
        with session() as s:
            found = cohorts.get_cohort(s, ref=cohort, viewer=None)
            user = accounts.get_facilitator(s, ref=email)
            cohorts.add_to_team(s, cohort=found, facilitator=user, role=role)
            typer.echo(_("%(email)s joined %(cohort)s", email=user.email, cohort=found.slug))
    except DomainError as exc:
        fail(exc)


@team_app.command("role")
def team_role(
    cohort: str, email: str, role: Annotated[str, typer.Argument(help=ROLE_HELP)]
) -> None:
    """Change a team member's role (the cohort's last lead stays lead)."""
    from app.services import accounts, cohorts

    try:
        with session() as s:
            found = cohorts.get_cohort(s, ref=cohort, viewer=None)
            user = accounts.get_facilitator(s, ref=email)
            cohorts.change_team_role(s, cohort=found, facilitator=user, role=role)
            typer.echo(_("%(email)s is now %(role)s", email=user.email, role=_role_name(role)))
    except DomainError as exc:
        fail(exc)


@team_app.command("remove")
def team_remove(cohort: str, email: str) -> None:
    """Take a facilitator off a cohort's team (the cohort's last lead stays)."""
    from app.services import accounts, cohorts

    try:
        with session() as s:
            found = cohorts.get_cohort(s, ref=cohort, viewer=None)
            user = accounts.get_facilitator(s, ref=email)
            cohorts.remove_from_team(s, cohort=found, facilitator=user)
            typer.echo(_("%(email)s left %(cohort)s", email=user.email, cohort=found.slug))
    except DomainError as exc:
        fail(exc)


@team_app.command("list")
def team_list(cohort: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List a cohort's team, leads first."""
    from app.services import cohorts

    try:
        with session(write=False) as s:
            found = cohorts.get_cohort(s, ref=cohort, viewer=None)
            rows = [
                {
                    "email": m.facilitator.email,
                    "name": m.facilitator.name,
                    "role": m.role,
                    "active": m.facilitator.active,
                }
                for m in cohorts.list_team(s, cohort=found)
            ]
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        off = "" if r["active"] else f"  ({_('deactivated')})"
        typer.echo(f"{r['email']:<40} {_role_name(str(r['role'])):<16} {r['name']}{off}")


def _role_name(role: str) -> str:
    return {"lead": _("lead"), "co-facilitator": _("co-facilitator")}.get(role, role)
