"""Printed workbooks: collect a cohort's data into WorkbookData and export PDFs.

This module decides *what* goes to paper; every answer and plan part it prints comes from
``privacy.printable_answers`` / ``printable_pair_answers`` / ``printable_plan``, so the cone
of silence holds on paper as on screen. A cohort's export lives in ``workbook_export``.
Rendering itself (HTML, PDF, pool, cache) lives in ``workbook_render``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal, cast

from sqlmodel import Session

from app.core.config import Settings
from app.core.errors import InvalidInput, NotFound, Problem
from app.core.i18n import (
    SOURCE_LANGUAGE,
    current_language,
    format_time,
    normalise_language,
    use_locale,
)
from app.core.i18n import gettext as _
from app.models import Cohort, Participant
from app.services import library, plans, privacy
from app.services.agenda import get_agenda
from app.services.library import AGREEMENT_ID, BoundExercise, program_of
from app.services.matching import group_of, reasons_for
from app.services.ops import job_dir, list_jobs
from app.services.printing import (
    AgendaLine,
    Answer,
    Day,
    ExerciseSection,
    LicenceNote,
    PdfCache,
    Person,
    PromptSection,
    WorkbookData,
    day_label,
    format_date_range,
    render_workbook_pdf,
)

Edition = Literal["participant", "pair", "blank"]
EDITIONS: tuple[Edition, ...] = ("participant", "pair", "blank")
PAPERS = ("A4", "Letter")


_CACHES: dict[tuple[str, int, float], PdfCache] = {}


def pdf_cache(settings: Settings) -> PdfCache:
    """The render cache under ``var/pdf-cache`` with the configured bounds (one per process,
    so that pruning is spaced out across renders)."""
    folder = settings.var_dir / "pdf-cache"
    spec = (str(folder), settings.pdf_cache_mb, settings.pdf_cache_hours)
    if spec not in _CACHES:
        _CACHES[spec] = PdfCache(
            folder,
            max_bytes=settings.pdf_cache_mb * 1024 * 1024,
            max_age_seconds=settings.pdf_cache_hours * 3600,
        )
    return _CACHES[spec]


def dates_label(cohort: Cohort) -> str:
    """The programme's dates in the current language: "Mar 2 – 5, 2027", "2.–5. März 2027"."""
    start = cohort.start_date
    return format_date_range(start, start + timedelta(days=cohort.days - 1))


def _language_of(person: Participant, cohort: Cohort) -> str:
    return (
        normalise_language(person.language)
        or normalise_language(cohort.language)
        or SOURCE_LANGUAGE
    )


def edition_language(cohort: Cohort, owners: Sequence[Participant]) -> str:
    """The language a workbook is printed in: its reader's (``Participant.language``, else the
    cohort's). A pair's book is in the language both buddies read when they share one, else
    in the cohort's: one book, one language, the same whichever buddy downloads it."""
    spoken = {_language_of(o, cohort) for o in owners}
    if len(spoken) == 1:
        return spoken.pop()
    return normalise_language(cohort.language) or SOURCE_LANGUAGE


def _agenda(session: Session, cohort: Cohort) -> tuple[list[Day], dict[str, str]]:
    view = get_agenda(session, cohort=cohort)
    days = []
    day_of: dict[str, str] = {}
    for d in view.days:
        label = day_label(d.day, d.date)
        days.append(
            Day(
                label,
                [
                    AgendaLine(
                        format_time(e.start), format_time(e.end), e.title, e.exercise_kind or e.kind
                    )
                    for e in d.entries
                ],
            )
        )
        for e in d.entries:
            if e.exercise_id:
                day_of[e.exercise_id] = label
    return days, day_of


def format_value(value: Any) -> str:
    """An answer as printed text (lists as bullets, scales as "4 / 5")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        # Translators: an answer on the 1-5 scale, e.g. "4 / 5".
        return _("%(value)s / 5", value=value)
    if isinstance(value, list):
        return "\n".join(f"• {format_value(v)}" for v in value)
    if isinstance(value, dict):
        return "\n".join(
            f"{k.replace('_', ' ').capitalize()}: {format_value(v)}"
            for k, v in value.items()
            if v not in (None, "", [])
        )
    return str(value)


def _printable(
    session: Session,
    bound: BoundExercise,
    authors: Sequence[Participant],
    edition: Edition,
    requester: privacy.Viewer,
) -> list[tuple[Participant, dict[str, privacy.ReadableAnswer]]]:
    if edition == "blank":
        return []
    if edition == "pair":
        by_owner = privacy.printable_pair_answers(
            session, owners=authors, exercise=bound, requester=requester
        )
        return [(a, by_owner.get(a.id or 0, {})) for a in authors]
    return [
        (a, privacy.printable_answers(session, owner=a, exercise=bound, requester=requester))
        for a in authors
    ]


def _sections(
    session: Session,
    *,
    settings: Settings,
    program: Sequence[BoundExercise],
    day_of: dict[str, str],
    authors: Sequence[Participant],
    edition: Edition,
    requester: privacy.Viewer,
    trio: bool,
) -> list[ExerciseSection]:
    sections = []
    for bound in program:
        spec = _localized(bound.spec)
        trio_text = spec.trio_instructions if trio and spec.kind == "pair" else None
        by_id = {p.id: p for p in spec.prompts}
        answers: dict[str, list[Answer]] = {}
        for author, readable in _printable(session, bound, authors, edition, requester):
            for prompt_id, answer in readable.items():
                text = _answer_text(by_id.get(prompt_id), answer.value)
                if text:
                    answers.setdefault(prompt_id, []).append(Answer(author.name, text))
        sections.append(
            ExerciseSection(
                id=spec.id,
                title=spec.title,
                day_label=day_of.get(spec.id, ""),
                summary=spec.summary,
                steps=list(spec.steps),
                prompts=[
                    PromptSection(
                        p.id,
                        p.text,
                        p.type,
                        p.help or "",
                        p.lines,
                        p.visibility,
                        answers.get(p.id, []),
                        _option_labels(p),
                    )
                    for p in spec.prompts
                ],
                qr_url=f"{settings.base_url.rstrip('/')}/p/exercises/{spec.id}",
                trio_instructions=trio_text or "",
                credit=library.credit_line(spec.credit) if spec.credit is not None else "",
            )
        )
    return sections


def _licences(program: Sequence[BoundExercise]) -> list[LicenceNote]:
    return [
        LicenceNote(use.license, use.url or "")
        for use in library.licences_of(b.spec for b in program)
    ]


def _localized(spec: Any) -> Any:
    """The exercise in the current language, when the library offers translations
    (``library.localized(spec, language)``: translated fields, source text where missing);
    else as written."""
    localized = getattr(library, "localized", None)
    return localized(spec, current_language()) if callable(localized) else spec


def _answer_text(prompt: Any, value: Any) -> str:
    """An answer as printed; a choice shows the reader's label for the stored source option."""
    shown = getattr(prompt, "shown_answer", None) if prompt is not None else None
    if callable(shown) and isinstance(value, str | list):
        value = shown(value)
    return format_value(value)


def _option_labels(prompt: Any) -> list[str]:
    """A choice prompt's options as the reader sees them (the library's translated labels
    when it has them; the stored answer stays the source option)."""
    choices = getattr(prompt, "choices", None)
    if choices is not None and not callable(choices):
        return [label for _value, label in cast(list[tuple[str, str]], choices)]
    return list(prompt.options or [])


def _agreement_text(program: Sequence[BoundExercise]) -> str:
    agreement = next((_localized(b.spec) for b in program if b.spec.id == AGREEMENT_ID), None)
    if agreement is None:
        return ""
    return " ".join([agreement.summary, *agreement.steps])


def collect_workbook(
    session: Session,
    *,
    cohort: Cohort,
    owners: Sequence[Participant],
    edition: Edition,
    settings: Settings,
    requester: privacy.Viewer,
    paper: str = "A4",
) -> WorkbookData:
    """Everything one workbook prints, cleared through the visibility policy for ``requester``."""
    if edition not in EDITIONS:
        raise InvalidInput(
            _("unknown edition"),
            [
                Problem(
                    "edition",
                    _("must be one of: %(editions)s", editions=", ".join(EDITIONS)),
                    "edition",
                )
            ],
        )
    if paper not in PAPERS:
        raise InvalidInput(
            _("unknown paper size"), [Problem("paper", _("must be A4 or Letter"), "paper")]
        )
    if edition == "pair":
        # One order whoever asks, so that both buddies' copies are the same book.
        owners = sorted(owners, key=lambda o: (o.name, o.id or 0))
    language = edition_language(cohort, owners)
    # Collected in the reader's language: day names, dates, the privacy note, answers' words.
    with use_locale(language):
        return _collect(
            session,
            cohort=cohort,
            owners=owners,
            edition=edition,
            settings=settings,
            requester=requester,
            paper=paper,
            language=language,
        )


def _collect(
    session: Session,
    *,
    cohort: Cohort,
    owners: Sequence[Participant],
    edition: Edition,
    settings: Settings,
    requester: privacy.Viewer,
    paper: str,
    language: str,
) -> WorkbookData:
    program = program_of(session, cohort=cohort)
    days, day_of = _agenda(session, cohort)
    first = owners[0]
    group = group_of(session, participant=first)
    if isinstance(requester, Participant) and group and group.group.state != "published":
        group = None  # a participant learns their buddy when the pairs are published
    buddies = [m for m in (group.members if group else []) if m.id not in {o.id for o in owners}]
    reader = first.email if len(owners) == 1 else None
    shown = group.group.participant_reasons if group and edition != "blank" else []
    reasons = reasons_for(shown, reader)
    return WorkbookData(
        edition=edition,
        cohort_name=cohort.name,
        cohort_dates_label=dates_label(cohort),
        language=language,
        paper="Letter" if paper == "Letter" else "A4",
        owners=[Person(o.name, o.email) for o in owners],
        buddy_names=[b.name for b in buddies],
        pairing_reasons=reasons,
        agreement_text=_agreement_text(program),
        agenda_days=days,
        exercises=_sections(
            session,
            settings=settings,
            program=program,
            day_of=day_of,
            authors=owners,
            edition=edition,
            requester=requester,
            # A group of three shares the turns differently: its books say how.
            trio=len(owners) + len(buddies) >= 3,
        ),
        plan=plans.workbook_plan(session, owners=owners, edition=edition, requester=requester),
        checkins=plans.workbook_checkins(
            session, owners=owners, edition=edition, requester=requester
        ),
        notes_pages=2,
        privacy_note=privacy.workbook_privacy_note(
            edition=edition, owners=owners, requester=requester
        ),
        licences=_licences(program),
    )


def participant_workbook_pdf(
    session: Session, *, participant: Participant, settings: Settings, paper: str = "A4"
) -> bytes:
    """The participant's own filled workbook, for them to download at any time."""
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    data = collect_workbook(
        session,
        cohort=cohort,
        owners=[participant],
        edition="participant",
        settings=settings,
        requester=participant,
        paper=paper,
    )
    return render_workbook_pdf(data, cache=pdf_cache(settings))


def pair_workbook_pdf(
    session: Session, *, participant: Participant, settings: Settings, paper: str = "A4"
) -> bytes:
    """The pair's workbook as one of its members downloads it: shared answers only."""
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    view = group_of(session, participant=participant)
    if view is None or view.group.state != "published":
        raise NotFound(_("you have no buddy right now, so there is no pair workbook to print"))
    members = view.members
    data = collect_workbook(
        session,
        cohort=cohort,
        owners=members,
        edition="pair",
        settings=settings,
        requester=participant,
        paper=paper,
    )
    return render_workbook_pdf(data, cache=pdf_cache(settings))


def forget_printed_copies(session: Session, *, settings: Settings, cohort: Cohort) -> int:
    """Delete rendered PDFs that may hold erased or purged content: the whole render cache
    (its keys say nothing about whose content is inside) and the cohort's export files."""
    removed = 0
    cache = pdf_cache(settings).folder
    if cache.exists():
        removed += sum(1 for p in cache.rglob("*.pdf"))
        shutil.rmtree(cache, ignore_errors=True)
    for job in list_jobs(session, cohort=cohort, limit=10_000):
        if job.id is None:
            continue
        folder = job_dir(settings, job.id)
        if folder.exists():
            removed += sum(1 for p in folder.iterdir())
            shutil.rmtree(folder, ignore_errors=True)
        if job.files:
            job.files = []
            job.message = _("the files were deleted with the content they held")
            session.add(job)
    session.flush()
    return removed
