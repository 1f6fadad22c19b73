"""The link sheet: everyone's personal link as CSV or a printable PDF, for organisations that
send their own invitations. Only hashes are kept, so a sheet is made by issuing new links."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.core.errors import InvalidInput, Problem
from app.core.i18n import _
from app.models import Cohort, Participant
from app.services.links.invitations import invitation_landing
from app.services.links.tokens import issue_link
from app.services.ops import record_event
from app.services.printing import PAPERS, Paper, RenderPool, get_default_pool, workbook_environment
from app.services.roster import guard_formula, list_participants

CSV_HEADER = ("name", "email", "link", "expires")
"""Column names stay the same in every language: mail-merge tools match them."""
ROWS_PER_PAGE = 6


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One line of the sheet; ``expires_at`` is in the cohort's time zone."""

    name: str
    email: str
    url: str
    expires_at: datetime


def issue_sheet(
    session: Session,
    *,
    cohort: Cohort,
    base_url: str,
    actor: str,
    participants: Sequence[Participant] | None = None,
    next_path: str | None = None,
    ttl: timedelta | None = None,
) -> list[SheetRow]:
    """Issue a new sign-in link for each participant (everyone by default), landing on
    ``next_path`` (by default where invitations land): their older sign-in links stop
    working. Returns the sheet's rows in the given order (by name for everyone)."""
    people = list_participants(session, cohort=cohort) if participants is None else participants
    landing = invitation_landing(session, cohort=cohort) if next_path is None else next_path
    zone = ZoneInfo(cohort.timezone)
    rows = []
    for person in people:
        assert person.id is not None
        assert person.cohort_id == cohort.id
        issued = issue_link(session, person.id, base_url=base_url, next_path=landing, ttl=ttl)
        rows.append(
            SheetRow(person.name, person.email, issued.url, issued.expires_at.astimezone(zone))
        )
    record_event(
        session,
        actor=actor,
        action="links.sheet",
        object_type="cohort",
        object_id=cohort.id or "",
        cohort_id=cohort.id,
        detail={"links": len(rows)},
    )
    return rows


def links_csv(rows: Sequence[SheetRow]) -> str:
    """The sheet as CSV (name, email, link, expires as ISO 8601 with the offset); every cell a
    spreadsheet would evaluate as a formula starts with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        cells = (row.name, row.email, row.url, row.expires_at.isoformat(timespec="minutes"))
        writer.writerow([guard_formula(cell) for cell in cells])
    return buffer.getvalue()


def render_links_html(cohort_name: str, rows: Sequence[SheetRow], *, paper: Paper = "A4") -> str:
    """Print HTML of the sheet: six people a page, each with the link as text and QR code."""
    if paper not in PAPERS:
        raise InvalidInput(
            _("cannot print the link sheet"),
            [Problem("links", _("Unknown paper size: %(paper)s.", paper=str(paper)[:20]), "paper")],
        )
    pages = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)]
    template = workbook_environment().get_template("links.html")
    return template.render(cohort_name=cohort_name, pages=pages, paper=paper)


def render_links_pdf(
    cohort_name: str,
    rows: Sequence[SheetRow],
    *,
    paper: Paper = "A4",
    pool: RenderPool | None = None,
) -> bytes:
    """The sheet as a tagged PDF, rendered in a worker; never cached (it holds live links)."""
    html = render_links_html(cohort_name, rows, paper=paper)
    return (pool or get_default_pool()).render_pdf(html)
