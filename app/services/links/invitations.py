"""Invitations: a mail to each chosen participant carrying a fresh personal link."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Cohort


def invitation_landing(session: Session, *, cohort: Cohort) -> str:
    """Where the link of an invitation (or of the link sheet) lands after sign-in.

    The hook for the intake: once a cohort can have an intake before day one, this returns
    ``"/intake"`` for a cohort that has one, so that the invitation opens it.
    """
    return "/"
