"""A cohort's mail: who got what kind of mail and in what state, and which addresses bounced.
States only: no page shows a message's subject or body."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.i18n import gettext
from app.core.templating import render
from app.deps import CohortDep, SessionDep
from app.services import mail

router = APIRouter(include_in_schema=False)


@router.get("/cohorts/{slug}/mail")
def mail_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return render(
        request,
        "facilitator/mail.html",
        {
            "cohort": cohort,
            "status": mail.cohort_mail_status(session, cohort=cohort),
            "state_labels": {k: gettext(v) for k, v in mail.STATE_LABELS.items()},
            "kind_labels": {k: gettext(v) for k, v in mail.KIND_LABELS.items()},
        },
    )
