"""Outgoing mail: our own templates in the reader's language, an outbox that sends each
message once through the job backend, SMTP (STARTTLS, TLS, login) or a folder of .eml files,
bounces, and the participant's opt-out of reminders.

No mail carries what anyone wrote: a mail's context holds names, dates, counts and links
only (``render.check_context`` refuses other values), and ``tests/mail_canary.py`` sweeps
every template for planted text.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package.
"""

from app.services.mail.dispatch import MAIL_TASK, wake_sender
from app.services.mail.outbox import (
    Attachment,
    forget_written_mail,
    is_reminder,
    mail_settings,
    queue_mail,
    use_mail_settings,
)
from app.services.mail.render import MailContextError, RenderedMail, render_mail
from app.services.mail.sender import SendReport, send_queued_mail
from app.services.mail.status import (
    KIND_LABELS,
    STATE_LABELS,
    CohortMail,
    ParticipantMail,
    cohort_mail_status,
)
from app.services.mail.transport import FolderTransport, SmtpTransport, make_transport
from app.services.mail.unsubscribe import (
    participant_for_token,
    reminders_enabled,
    set_reminders,
    unsubscribe_token,
    unsubscribe_url,
)

__all__ = [
    "KIND_LABELS",
    "MAIL_TASK",
    "STATE_LABELS",
    "Attachment",
    "CohortMail",
    "FolderTransport",
    "MailContextError",
    "ParticipantMail",
    "RenderedMail",
    "SendReport",
    "SmtpTransport",
    "cohort_mail_status",
    "forget_written_mail",
    "is_reminder",
    "mail_settings",
    "make_transport",
    "participant_for_token",
    "queue_mail",
    "reminders_enabled",
    "render_mail",
    "send_queued_mail",
    "set_reminders",
    "unsubscribe_token",
    "unsubscribe_url",
    "use_mail_settings",
    "wake_sender",
]
