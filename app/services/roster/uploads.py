"""Uploaded roster files waiting between preview and confirm: they hold every name and e-mail
of the file, valid or not, so they are kept only as long as the facilitator needs them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.core.i18n import gettext
from app.models import Cohort, RosterImport, utcnow
from app.services.ops import record_event

_STORED_AS = ("utf-8", "utf-16-le", "utf-16-be", "cp1252")
"""How a stored upload may spell a name (see ``text.decode_roster``): erasure looks in each."""


def expire_uploads(session: Session, *, max_age_hours: float, now: datetime | None = None) -> int:
    """Delete every upload older than ``max_age_hours``; returns how many went."""
    cutoff = (now or utcnow()) - timedelta(hours=max_age_hours)
    result = session.execute(delete(RosterImport).where(col(RosterImport.created_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def count_expired_uploads(
    session: Session, *, max_age_hours: float, now: datetime | None = None
) -> int:
    """How many uploads ``expire_uploads`` would delete now."""
    cutoff = (now or utcnow()) - timedelta(hours=max_age_hours)
    return len(
        session.exec(select(RosterImport.id).where(col(RosterImport.created_at) < cutoff)).all()
    )


def cancel_upload(session: Session, *, cohort: Cohort, import_id: int, actor: str) -> None:
    """Throw away an upload of this cohort without applying it (NotFound if it is gone)."""
    pending = session.get(RosterImport, import_id)
    if pending is None or pending.cohort_id != cohort.id:
        raise NotFound(gettext("this upload has expired or was already cancelled"))
    session.delete(pending)
    record_event(
        session,
        actor=actor,
        action="roster.cancel",
        object_type="roster_import",
        object_id=import_id,
        cohort_id=cohort.id,
    )
    session.flush()


def _spellings(text: str) -> list[bytes]:
    folded = text.strip().lower()
    return [folded.encode(e, errors="ignore") for e in _STORED_AS] if folded else []


def forget_uploads_mentioning(session: Session, *, texts: list[str]) -> int:
    """Delete every upload, of any cohort, whose file holds one of ``texts`` in any encoding
    a roster may come in (erasure: a pending file must not keep an erased person's row)."""
    needles = [n for t in texts for n in _spellings(t) if n]
    removed = 0
    for upload in session.exec(select(RosterImport)).all():
        # bytes.lower() folds ASCII letters, which also folds the ASCII text of UTF-16.
        haystack = upload.data.lower()
        if any(needle in haystack for needle in needles):
            session.delete(upload)
            removed += 1
    session.flush()
    return removed
