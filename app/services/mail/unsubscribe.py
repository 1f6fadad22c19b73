"""The reminder opt-out: a signed link in every participant's mail, no sign-in needed.

The token is the participant id and an HMAC of it under the server's secret key, so it needs
no table and cannot be guessed for another participant. It only ever turns reminders off
(or, from the same page, back on): the worst a leaked link does is stop reminders, and the
participant can turn them on again from their account page.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlmodel import Session

from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import gettext as _
from app.models import MailOptOut, Participant

_PURPOSE = b"tandem-mail-unsubscribe:"


def _signature(secret: str, participant_id: int) -> str:
    digest = hmac.new(secret.encode(), _PURPOSE + str(participant_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def unsubscribe_token(settings: Settings, participant_id: int) -> str:
    """The token of a participant's unsubscribe link."""
    return f"{participant_id}.{_signature(settings.ensure_secret(), participant_id)}"


def unsubscribe_url(settings: Settings, participant_id: int) -> str:
    """The link in ``List-Unsubscribe`` and in the mail's footer."""
    base = settings.base_url.rstrip("/")
    return f"{base}/mail/unsubscribe/{unsubscribe_token(settings, participant_id)}"


def participant_for_token(session: Session, settings: Settings, token: str) -> Participant:
    """The participant a token names (NotFound for a forged, altered or stale token)."""
    ident, _dot, signature = token.partition(".")
    if not ident.isdigit() or len(ident) > 18:
        raise NotFound(_("this link is not valid"))
    expected = _signature(settings.ensure_secret(), int(ident))
    participant = session.get(Participant, int(ident))
    if participant is None or not hmac.compare_digest(expected, signature):
        raise NotFound(_("this link is not valid"))
    return participant


def reminders_enabled(session: Session, *, participant: Participant) -> bool:
    """False once the participant turned reminder mails off."""
    assert participant.id is not None
    return session.get(MailOptOut, participant.id) is None


def set_reminders(session: Session, *, participant: Participant, enabled: bool) -> None:
    """Turn a participant's reminder mails on or off (idempotent; flushes)."""
    assert participant.id is not None
    current = session.get(MailOptOut, participant.id)
    if enabled and current is not None:
        session.delete(current)
    elif not enabled and current is None:
        session.add(MailOptOut(participant_id=participant.id))
    session.flush()
