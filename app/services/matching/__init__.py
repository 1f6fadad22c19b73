"""Buddy matching: the pure engine (scores, rules, exact optimum, bound, trio, explanations)
and the thin persistence around it (runs, locks, swaps, publishing, ending a pairing).

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.matching.context import MatchContext, build_context
from app.services.matching.engine import solve_context
from app.services.matching.explain import reasons_for
from app.services.matching.pairing import (
    compatibility,
    current_result,
    explain_pair,
    matrix_to_json,
    pairing_state,
    participant_by_id,
    proof_text,
    publish,
    result_to_json,
    run_matching,
    set_excluded,
    set_history_mode,
    set_locked,
    set_weights,
    swap_people,
)
from app.services.matching.pairing_end import end_group, join_group, waiting_people
from app.services.matching.pairing_store import (
    GroupView,
    cohort_weights,
    group_of,
    history_mode,
    list_groups,
)
from app.services.matching.rows import score_pool
from app.services.matching.types import MatchPerson, MatchResult, ResultDiff, Weights

__all__ = [
    "GroupView",
    "MatchContext",
    "MatchPerson",
    "MatchResult",
    "ResultDiff",
    "Weights",
    "build_context",
    "cohort_weights",
    "compatibility",
    "current_result",
    "end_group",
    "explain_pair",
    "group_of",
    "history_mode",
    "join_group",
    "list_groups",
    "matrix_to_json",
    "pairing_state",
    "participant_by_id",
    "proof_text",
    "publish",
    "reasons_for",
    "result_to_json",
    "run_matching",
    "score_pool",
    "set_excluded",
    "set_history_mode",
    "set_locked",
    "set_weights",
    "solve_context",
    "swap_people",
    "waiting_people",
]
