"""The live progress board: statuses and agreements, never what anyone wrote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.i18n import gettext
from app.core.templating import render
from app.deps import CohortDep, SessionDep
from app.services import tablet

router = APIRouter(include_in_schema=False)


@router.get("/cohorts/{slug}/progress")
def progress_page(request: Request, session: SessionDep, cohort: CohortDep) -> Response:
    return render(
        request,
        "facilitator/progress.html",
        {
            "cohort": cohort,
            "board": tablet.progress_board(session, cohort=cohort),
            # The labels are the service's (marked for translation there), shown here in the
            # reader's language.
            "status_labels": {k: gettext(v) for k, v in tablet.STATUS_LABELS.items()},
            "agreement_labels": {k: gettext(v) for k, v in tablet.AGREEMENT_LABELS.items()},
        },
    )
