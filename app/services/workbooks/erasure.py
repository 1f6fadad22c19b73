"""Data rights across every copy: erasing a participant or purging a cohort also deletes the
printed PDFs that may hold their words and, for an erasure, the demo folder's copies of the
mails sent to them. The page, the API and the command call these, never the parts alone."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.core.config import Settings
from app.models import Cohort, Participant
from app.services import mail, privacy
from app.services.workbooks.service import forget_printed_copies


def erase_participant_everywhere(
    session: Session, *, settings: Settings, cohort: Cohort, participant: Participant, actor: str
) -> dict[str, int]:
    """Delete everything about ``participant``, in the tables and in files; returns rows
    deleted per table (the audit trail keeps only a pseudonym)."""
    # The mail files are found through the outbox rows, so they go before the rows do.
    mail.forget_written_mail(session, settings=settings, participant=participant)
    counts = privacy.erase_participant(
        session, participant=participant, secret=settings.ensure_secret(), actor=actor
    )
    forget_printed_copies(session, settings=settings, cohort=cohort)
    return counts


def purge_cohort_everywhere(
    session: Session,
    *,
    settings: Settings,
    cohort: Cohort,
    today: date,
    actor: str,
    dry_run: bool = False,
) -> dict[str, int]:
    """Delete what the cohort's participants wrote once retention is over (Conflict before),
    and the printed copies; ``dry_run`` only counts."""
    counts = privacy.purge_cohort_content(
        session,
        cohort=cohort,
        today=today,
        retention_days=settings.retention_days,
        actor=actor,
        dry_run=dry_run,
    )
    if not dry_run:
        forget_printed_copies(session, settings=settings, cohort=cohort)
    return counts
