"""``tandem match``: pair a cohort's buddies from the command line."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from app.cli._common import fail, session
from app.core.errors import DomainError


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
        typer.echo(f"{' & '.join(group.members)}  (score {group.score:.2f})")
        for reason in group.reasons:
            typer.echo(f"    {reason}")
    typer.echo(
        f"total {result.total:.2f}; {len(result.groups)} groups"
        + ("; published" if publish else "")
    )
    for problem in result.problems:
        typer.echo(f"unpaired: {problem.message}", err=True)
    if result.unpaired:
        raise typer.Exit(1)


def _matrix_text(data: dict[str, Any]) -> str:
    lines = [f"{len(data['participants'])} participants, {len(data['blocked'])} blocked pairs"]
    lines += [f"  {b['a']} x {b['b']}: {b['rule']}" for b in data["blocked"]]
    return "\n".join(lines)
