"""A facilitator's export of a whole cohort's workbooks: what can be printed is printed, and
every workbook left out is named with the reason, on the job page and on the command line.

Facilitators never read answers: a filled edition carries content only where the print
policy in ``visibility`` allows it (the participant consented, and then only what they shared
with their buddy); everyone else's workbook is printed without their words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from app.core.config import Settings
from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import SOURCE_LANGUAGE, ngettext, normalise_language
from app.core.i18n import gettext as _
from app.models import Cohort, Job, Participant
from app.services import plans, privacy
from app.services.matching import group_of
from app.services.ops import JobOutcome, job_dir, job_handler
from app.services.printing import WorkbookData, get_default_pool, merge_pdfs, render_many, zip_pdfs
from app.services.roster import list_participants
from app.services.workbooks.service import Edition, collect_workbook, pdf_cache

MESSAGE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Skipped:
    """A workbook the export could not make, with the reason in words for the facilitator."""

    names: list[str]
    reason: str

    def line(self) -> str:
        """One line for the job page and the command line."""
        return f"{' & '.join(self.names)}: {self.reason}"


@dataclass(frozen=True, slots=True)
class CohortBooks:
    books: list[WorkbookData]
    skipped: list[Skipped]


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: list[str]
    exported: int
    skipped: list[Skipped]

    def summary(self) -> str:
        """What the export did, in at most MESSAGE_LIMIT characters (the job's message)."""
        made = ngettext("%(num)s workbook exported.", "%(num)s workbooks exported.", self.exported)
        if not self.skipped:
            return made
        lines = [s.line() for s in self.skipped]
        for kept in range(len(lines), -1, -1):
            listed = "; ".join(lines[:kept])
            if kept < len(lines):
                # Translators: %(listed)s are the first workbooks left out, with their reasons.
                listed = ngettext(
                    "%(listed)s; and %(num)s more",
                    "%(listed)s; and %(num)s more",
                    len(lines) - kept,
                    listed=listed,
                )
            # Translators: %(made)s: how many were exported; %(listed)s: who was left out, why.
            text = ngettext(
                "%(made)s Not exported (%(num)s): %(listed)s.",
                "%(made)s Not exported (%(num)s): %(listed)s.",
                len(lines),
                made=made,
                listed=listed,
            )
            if len(text) <= MESSAGE_LIMIT:
                return text
        return text[:MESSAGE_LIMIT]


def _unpaired(
    session: Session, person: Participant, live: set[int | None]
) -> tuple[Skipped, set[int | None]]:
    """Why ``person`` has no pair edition, with the others left out for the same reason."""
    alone = (Skipped([person.name], _("has no buddy, so there is no pair workbook")), {person.id})
    try:
        ended = plans.partnership_group_of(session, participant=person)
    except NotFound:
        return alone
    if plans.partnership_state(session, group=ended) != "ended":
        return alone
    members = [
        m for m in privacy.members_of(session, group=ended) if m.id not in live and not m.excluded
    ] or [person]
    reason = _("the buddy partnership has ended, so there is no pair workbook")
    return Skipped([m.name for m in members], reason), {m.id for m in members}


def _pair_owners(
    session: Session, people: Sequence[Participant]
) -> tuple[list[list[Participant]], list[Skipped]]:
    views = {p.id: group_of(session, participant=p) for p in people}
    live = {pid for pid, view in views.items() if view is not None and len(view.members) > 1}
    seen: set[int | None] = set()
    pairs: list[list[Participant]] = []
    skipped: list[Skipped] = []
    for p in people:
        if p.id in seen:
            continue
        view = views[p.id]
        if view is None or p.id not in live:
            reason, ids = _unpaired(session, p, live)
            skipped.append(reason)
            seen.update(ids)
            continue
        seen.update(m.id for m in view.members)
        pairs.append(view.members)
    return pairs, skipped


def cohort_workbooks(
    session: Session, *, cohort: Cohort, edition: Edition, settings: Settings, paper: str = "A4"
) -> CohortBooks:
    """One workbook per participant (or per live pair) for a facilitator's export, and the
    workbooks that cannot be made (a pair edition needs a pair)."""
    people = [p for p in list_participants(session, cohort=cohort) if not p.excluded]
    if edition == "pair":
        owner_sets, skipped = _pair_owners(session, people)
    else:
        owner_sets, skipped = [[p] for p in people], []
    books = [
        collect_workbook(
            session,
            cohort=cohort,
            owners=owners,
            edition=edition,
            settings=settings,
            requester=None,
            paper=paper,
        )
        for owners in owner_sets
    ]
    return CohortBooks(books, skipped)


def export_workbooks(
    session: Session,
    *,
    cohort: Cohort,
    edition: Edition,
    settings: Settings,
    out_dir: Path,
    paper: str = "A4",
    as_zip: bool = False,
    merged: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Render every workbook of the cohort that can be made into ``out_dir``."""
    made = cohort_workbooks(session, cohort=cohort, edition=edition, settings=settings, paper=paper)
    if not made.books:
        problems = [Problem(s.line(), _("not exported"), "owners") for s in made.skipped]
        raise InvalidInput(
            _("nothing to export"),
            problems or [Problem("roster", _("the cohort has no participants"))],
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    named = list(
        render_many(
            made.books, pool=get_default_pool(), cache=pdf_cache(settings), on_progress=on_progress
        )
    )
    files: list[str] = []
    stem = f"{cohort.slug}-{edition}"
    if as_zip:
        (out_dir / f"{stem}.zip").write_bytes(zip_pdfs(named))
        files.append(f"{stem}.zip")
    if merged:
        # One outline entry per workbook, titled with its owners' names.
        titled = [
            (" & ".join(o.name for o in book.owners), pdf)
            for book, (_, pdf) in zip(made.books, named, strict=True)
        ]
        # Tagged like its workbooks: each one a part in its own language, the whole in the
        # cohort's; the document title in the facilitator's.
        merged_pdf = merge_pdfs(
            titled,
            language=normalise_language(cohort.language) or SOURCE_LANGUAGE,
            title=_("%(cohort)s · Buddy workbooks", cohort=cohort.name),
        )
        (out_dir / f"{stem}.pdf").write_bytes(merged_pdf)
        files.append(f"{stem}.pdf")
    if not as_zip and not merged:
        for name, pdf in named:
            (out_dir / name).write_bytes(pdf)
            files.append(name)
    return ExportResult(files, len(made.books), made.skipped)


@job_handler("workbooks")
def _run_export(
    session: Session, job: Job, settings: Settings, progress: Callable[[int, int], None]
) -> JobOutcome:
    cohort = session.get(Cohort, job.cohort_id)
    assert cohort is not None
    assert job.id is not None
    result = export_workbooks(
        session,
        cohort=cohort,
        edition=job.params.get("edition", "blank"),
        settings=settings,
        out_dir=job_dir(settings, job.id),
        paper=job.params.get("paper", "A4"),
        as_zip=bool(job.params.get("zip", True)),
        merged=bool(job.params.get("merged", True)),
        on_progress=progress,
    )
    return JobOutcome(result.files, result.summary())
