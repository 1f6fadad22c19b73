"""The audit trail: ids and actions only, never what anyone wrote."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import AuditEvent


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int = "",
    cohort_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (``detail`` must hold counts and ids, not content)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        cohort_id=cohort_id,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event
