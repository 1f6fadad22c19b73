"""``tandem agenda``: build the agenda and export it as iCalendar."""

from __future__ import annotations

import typer

app = typer.Typer(help="Cohort agendas.", no_args_is_help=True)
