"""``tandem match``: pair a cohort's buddies from the command line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.cli._common import fail, session
from app.cli._i18n import _, format_decimal, ngettext
from app.core.errors import DomainError

if TYPE_CHECKING:
    from app.services.matching import MatchResult


def match(
    cohort: Annotated[str, typer.Argument(help="Cohort slug or id.")],
    publish: Annotated[bool, typer.Option("--publish", help="Publish the pairs.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    matrix: Annotated[bool, typer.Option("--matrix", help="Print the score matrix.")] = False,
) -> None:
    """Pair COHORT's participants (keeping locked pairs) and print the groups with reasons."""
    from app.services import cohorts, matching

    try:
        with session() as s:
            c = cohorts.get_cohort(s, ref=cohort, viewer=None)
            if matrix:
                data = matching.matrix_to_json(matching.compatibility(s, cohort=c))
                typer.echo(json.dumps(data) if as_json else _matrix_text(data))
                return
            run = matching.run_matching(s, cohort=c)
            if publish:
                matching.publish(s, cohort=c)
            result = run.result
    except DomainError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(matching.result_to_json(result), indent=2))
        return
    for group in result.groups:
        score = format_decimal(group.score, "#,##0.00")
        typer.echo(
            _("%(members)s  (score %(score)s)", members=" & ".join(group.members), score=score)
        )
        for reason in group.reasons:
            typer.echo(f"    {reason}")
    typer.echo(_summary(result, published=publish))
    for problem in result.problems:
        typer.echo(_("unpaired: %(problem)s", problem=problem.message), err=True)
    if result.unpaired:
        raise typer.Exit(1)


def _summary(result: MatchResult, *, published: bool) -> str:
    """The closing line: total, the proof (bound and gap, or optimal) and the group count."""
    from app.services import matching

    total = format_decimal(result.total, "#,##0.00")
    proof = matching.proof_text(result)
    count = len(result.groups)
    if proof is None:
        return (
            ngettext(
                "total %(total)s; %(num)s group; published",
                "total %(total)s; %(num)s groups; published",
                count,
                total=total,
            )
            if published
            else ngettext(
                "total %(total)s; %(num)s group",
                "total %(total)s; %(num)s groups",
                count,
                total=total,
            )
        )
    if published:
        return ngettext(
            "total %(total)s · %(proof)s; %(num)s group; published",
            "total %(total)s · %(proof)s; %(num)s groups; published",
            count,
            total=total,
            proof=proof,
        )
    return ngettext(
        "total %(total)s · %(proof)s; %(num)s group",
        "total %(total)s · %(proof)s; %(num)s groups",
        count,
        total=total,
        proof=proof,
    )


def _matrix_text(data: dict[str, Any]) -> str:
    lines = [
        _(
            "%(participants)s participants, %(blocked)s blocked pairs",
            participants=len(data["participants"]),
            blocked=len(data["blocked"]),
        )
    ]
    lines += [f"  {b['a']} x {b['b']}: {b['rule']}" for b in data["blocked"]]
    return "\n".join(lines)
