"""What happens on the tablets: sign-in cards, autosaved answers (versions, idempotency),
the pages' view of now and next, and progress without content for facilitators.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.tablet.cards import CardData, render_cards_pdf
from app.services.tablet.progress import AGREEMENT_LABELS, STATUS_LABELS, progress_board
from app.services.tablet.responses import (
    KEY_PATTERN,
    StaleAnswer,
    accept_agreement,
    save_answer,
)
from app.services.tablet.signin import (
    CardRejected,
    IssuedCard,
    card_statuses,
    issue_cards,
    redeem_card,
    revoke_card,
)
from app.services.tablet.views import (
    exercise_for,
    participant_exercise,
    participant_home,
)

__all__ = [
    "AGREEMENT_LABELS",
    "KEY_PATTERN",
    "STATUS_LABELS",
    "CardData",
    "CardRejected",
    "IssuedCard",
    "StaleAnswer",
    "accept_agreement",
    "card_statuses",
    "exercise_for",
    "issue_cards",
    "participant_exercise",
    "participant_home",
    "progress_board",
    "redeem_card",
    "render_cards_pdf",
    "revoke_card",
    "save_answer",
]
