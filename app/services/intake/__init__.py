"""The intake before day one: the questions (YAML beside the exercises, checked with
file:line errors), a participant's answers on their own device, and the facilitator's view
of who has answered (never what) with reminders for those who have not.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.intake.questions import (
    DEFAULT_FORM,
    QUESTION_TYPES,
    IntakeForm,
    ShownForm,
    ShownQuestion,
    current_form,
    load_intake_form,
    localized_form,
)
from app.services.intake.remind import (
    Reminded,
    remind_participant,
    reminder_key,
    send_intake_reminders,
)
from app.services.intake.service import (
    IntakeChoices,
    IntakePage,
    IntakeStatus,
    StatusRow,
    Vocabulary,
    cohort_vocabulary,
    intake_open,
    intake_page,
    intake_status,
    save_intake,
)

__all__ = [
    "DEFAULT_FORM",
    "QUESTION_TYPES",
    "IntakeChoices",
    "IntakeForm",
    "IntakePage",
    "IntakeStatus",
    "Reminded",
    "ShownForm",
    "ShownQuestion",
    "StatusRow",
    "Vocabulary",
    "cohort_vocabulary",
    "current_form",
    "intake_open",
    "intake_page",
    "intake_status",
    "load_intake_form",
    "localized_form",
    "remind_participant",
    "reminder_key",
    "save_intake",
    "send_intake_reminders",
]
