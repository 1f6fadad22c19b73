"""Printed sign-in cards: one card per participant with a QR code and a short typed code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.errors import InvalidInput, Problem
from app.core.i18n import _
from app.models import Cohort
from app.services.printing import PAPERS, Paper, RenderPool, get_default_pool, workbook_environment
from app.services.tablet.language import language_of
from app.services.tablet.signin import IssuedCard

CARDS_PER_PAGE = 8


@dataclass(frozen=True, slots=True)
class CardData:
    """One participant's card: ``url`` carries the long sign-in token, ``code`` is typed by hand."""

    name: str
    cohort_name: str
    code: str
    url: str
    language: str = ""
    """The language the card's owner reads (``tablet.language_of``); "" = the page's."""


def cards_of(issued: Sequence[IssuedCard], cohort: Cohort, base_url: str) -> list[CardData]:
    """The printable cards of freshly issued sign-ins, each in its owner's language."""
    base = base_url.rstrip("/")
    return [
        CardData(
            card.participant.name,
            cohort.name,
            card.code,
            f"{base}/join/{card.token}",
            language_of(card.participant, cohort),
        )
        for card in issued
    ]


def render_cards_html(cohort_name: str, cards: list[CardData], *, paper: Paper = "A4") -> str:
    """Return print HTML with eight cards per page (2 x 4) and cut lines."""
    if paper not in PAPERS:
        raise InvalidInput(
            _("cannot print cards"),
            [Problem("cards", _("Unknown paper size: %(paper)s.", paper=str(paper)[:20]), "paper")],
        )
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    join_pages = {join_page_of(card.url) for card in cards}
    template = workbook_environment().get_template("cards.html")
    return template.render(
        cohort_name=cohort_name,
        pages=pages,
        paper=paper,
        join_page=join_pages.pop() if len(join_pages) == 1 else "",
    )


def join_page_of(card_url: str) -> str:
    """Where the code is typed, as a person types it: ``tandem.example.org/join`` for the
    card link ``https://tandem.example.org/join/<token>`` (the site's root is the
    facilitators' sign-in, not the tablet's)."""
    parts = urlsplit(card_url)
    return parts.netloc + parts.path.rsplit("/", 1)[0]


def render_cards_pdf(
    cohort_name: str,
    cards: list[CardData],
    *,
    paper: Paper = "A4",
    pool: RenderPool | None = None,
) -> bytes:
    """Render the sign-in cards of a cohort to PDF in a worker.

    Never cached: the cards carry live sign-in codes, which are kept nowhere but on paper.
    """
    html = render_cards_html(cohort_name, cards, paper=paper)
    return (pool or get_default_pool()).render_pdf(html)
