"""What happens on the tablets: sign-in cards, autosaved answers (versions, idempotency),
the pages' view of now and next, and progress without content for facilitators.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.tablet.cards import CardData, cards_of, render_cards_pdf
from app.services.tablet.language import (
    language_of,
    participant_language,
    set_participant_language,
)
from app.services.tablet.pin import (
    PIN_MAX,
    PIN_MIN,
    PinLocked,
    PinRejected,
    account_activity,
    cohort_zone,
    describe_device,
    device_label,
    device_parts,
    needs_new_pin,
    pin_reset_at,
    record_signin,
    reset_pin,
    set_pin,
    verify_pin,
)
from app.services.tablet.progress import AGREEMENT_LABELS, STATUS_LABELS, progress_board
from app.services.tablet.responses import (
    KEY_PATTERN,
    StaleAnswer,
    accept_agreement,
    save_answer,
)
from app.services.tablet.signin import (
    TICKET_SECONDS,
    Attempt,
    CardRejected,
    IssuedCard,
    card_statuses,
    device_store_key,
    issue_cards,
    pending_card,
    pending_ticket,
    redeem_card,
    revoke_card,
)
from app.services.tablet.views import (
    exercise_for,
    localized_spec,
    participant_exercise,
    participant_home,
)

__all__ = [
    "AGREEMENT_LABELS",
    "KEY_PATTERN",
    "PIN_MAX",
    "PIN_MIN",
    "STATUS_LABELS",
    "TICKET_SECONDS",
    "Attempt",
    "CardData",
    "CardRejected",
    "IssuedCard",
    "PinLocked",
    "PinRejected",
    "StaleAnswer",
    "accept_agreement",
    "account_activity",
    "card_statuses",
    "cards_of",
    "cohort_zone",
    "describe_device",
    "device_label",
    "device_parts",
    "device_store_key",
    "exercise_for",
    "issue_cards",
    "language_of",
    "localized_spec",
    "needs_new_pin",
    "participant_exercise",
    "participant_home",
    "participant_language",
    "pending_card",
    "pending_ticket",
    "pin_reset_at",
    "progress_board",
    "record_signin",
    "redeem_card",
    "render_cards_pdf",
    "reset_pin",
    "revoke_card",
    "save_answer",
    "set_participant_language",
    "set_pin",
    "verify_pin",
]
