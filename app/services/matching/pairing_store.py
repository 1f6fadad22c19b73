"""Reading and writing buddy groups: the roster as the engine sees it, groups, history.

Shared by ``pairing`` (run, adjust, publish) and ``pairing_end`` (end, re-pair, join).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.core.i18n import gettext as _
from app.models import (
    BuddyGroup,
    BuddyMember,
    Cohort,
    Facilitator,
    PairingHistory,
    Participant,
    utcnow,
)
from app.services.matching.engine import (
    Group,
    HistoryMode,
    MatchContext,
    MatchPerson,
    MatchResult,
    Weights,
    build_context,
    rank_level,
)
from app.services.privacy import MatchingIntake, intake_for_matching
from app.services.roster import list_participants

LIVE_STATES = ("proposed", "published")


@dataclass(frozen=True, slots=True)
class GroupView:
    group: BuddyGroup
    members: list[Participant]


def actor_label(actor: Facilitator | None) -> str:
    """How the audit trail names who acted: a facilitator id or the command line."""
    return f"facilitator:{actor.id}" if actor is not None else "cli"


def cohort_weights(cohort: Cohort) -> Weights:
    """The cohort's matching weights (defaults where none were set)."""
    return Weights.model_validate(
        {k: v for k, v in (cohort.weights or {}).items() if k != "history_mode"}
    )


def history_mode(cohort: Cohort) -> HistoryMode:
    """Whether earlier buddies are never paired again ("forbid") or only scored down."""
    return "penalty" if (cohort.weights or {}).get("history_mode") == "penalty" else "forbid"


def people_of(session: Session, cohort: Cohort) -> list[Participant]:
    """Everyone on the cohort's roster."""
    return list_participants(session, cohort=cohort)


def _tenure(p: Participant, on: date) -> float | None:
    if p.hire_date is not None:
        return max(0.0, (on - p.hire_date).days / 365.25)
    return p.tenure_years


def _person(p: Participant, on: date, intake: MatchingIntake, apart: frozenset[str]) -> MatchPerson:
    assert p.id is not None
    return MatchPerson(
        key=p.email,
        name=p.name,
        level=p.level or None,
        level_rank=rank_level(p.level) if p.level else None,
        function=p.function or None,
        region=p.region or None,
        tenure_years=_tenure(p, on),
        manager_key=p.manager_email or None,
        languages=frozenset(p.languages) | intake.languages.get(p.id, frozenset()),
        tags=frozenset(p.tags),
        avoid=frozenset(p.avoid) | apart,
        conflict_groups=frozenset({p.conflict_group}) if p.conflict_group else frozenset(),
        offers=intake.offers.get(p.id, frozenset()),
        wants=intake.wants.get(p.id, frozenset()),
    )


def _apart_keys(people: Sequence[Participant], intake: MatchingIntake) -> dict[int, frozenset[str]]:
    """The private avoid requests as engine avoid lists. Each pair kept apart is written on
    the member with the smaller id, whoever asked: the engine keeps a pair apart either way,
    and nothing downstream can read the direction because none is kept."""
    email = {p.id: p.email for p in people}
    apart: dict[int, set[str]] = {}
    for pair in intake.apart:
        low, high = sorted(pair)
        if low in email and high in email:
            apart.setdefault(low, set()).add(email[high])
    return {pid: frozenset(keys) for pid, keys in apart.items()}


def _history(
    session: Session, cohort: Cohort, people: Sequence[Participant]
) -> set[frozenset[str]]:
    by_person = {p.person_id: p.email for p in people}
    rows = session.exec(
        select(PairingHistory).where(
            col(PairingHistory.person_a_id).in_(by_person),
            col(PairingHistory.person_b_id).in_(by_person),
        )
    ).all()
    return {
        frozenset({by_person[r.person_a_id], by_person[r.person_b_id]})
        for r in rows
        if r.cohort_id != cohort.id
    }


def _outside_manager_links(session: Session, people: Sequence[Participant]) -> dict[str, str]:
    # Managers outside this cohort may be participants elsewhere: their own managers extend
    # the chain, so a director two levels up is still never paired with their report.
    inside = {p.email for p in people}
    links: dict[str, str] = {}
    rows = session.exec(
        select(Participant.email, Participant.manager_email)
        .where(col(Participant.manager_email) != "")
        .order_by(col(Participant.updated_at))
    ).all()
    for email, manager in rows:
        if email not in inside:
            links[email] = manager
    return links


def engine_input(
    session: Session, cohort: Cohort, people: Sequence[Participant] | None = None
) -> tuple[list[MatchPerson], dict[str, Any]]:
    """The roster as engine people, and the options (weights, history, outside managers).

    ``people`` is the cohort's roster when the caller has already read it.
    """
    people = people_of(session, cohort) if people is None else people
    assert cohort.id is not None
    intake = intake_for_matching(session, cohort_id=cohort.id)
    apart = _apart_keys(people, intake)
    options: dict[str, Any] = {
        "weights": cohort_weights(cohort),
        "history": _history(session, cohort, people),
        "history_mode": history_mode(cohort),
        "extra_manager_links": _outside_manager_links(session, people),
    }
    persons = [
        _person(p, cohort.start_date, intake, apart.get(p.id or 0, frozenset())) for p in people
    ]
    return persons, options


def match_context(
    session: Session, *, cohort: Cohort, people: Sequence[Participant] | None = None
) -> MatchContext:
    """The pure engine's view of the cohort: people, weights, history and manager chains."""
    found, options = engine_input(session, cohort, people)
    return build_context(found, **options)


def list_groups(
    session: Session, *, cohort: Cohort, states: Sequence[str] = LIVE_STATES
) -> list[GroupView]:
    """The cohort's buddy groups in these states, each with its members."""
    groups = session.exec(
        select(BuddyGroup)
        .where(BuddyGroup.cohort_id == cohort.id, col(BuddyGroup.state).in_(states))
        .order_by(col(BuddyGroup.id))
    ).all()
    ids = [g.id for g in groups]
    members: dict[int, list[Participant]] = {gid: [] for gid in ids if gid is not None}
    rows = session.exec(
        select(BuddyMember.group_id, Participant)
        .join(Participant, col(Participant.id) == col(BuddyMember.participant_id))
        .where(col(BuddyMember.group_id).in_(ids))
        .order_by(col(Participant.name))
    ).all()
    for group_id, participant in rows:
        members[group_id].append(participant)
    return [GroupView(g, members[g.id]) for g in groups if g.id is not None]


def get_group(session: Session, *, cohort: Cohort, group_id: int) -> BuddyGroup:
    """A group of this cohort (NotFound otherwise)."""
    group = session.get(BuddyGroup, group_id)
    if group is None or group.cohort_id != cohort.id:
        raise NotFound(_("no such buddy group"))
    return group


def group_of(session: Session, *, participant: Participant) -> GroupView | None:
    """The participant's current (proposed or published) group, if any."""
    row = session.exec(
        select(BuddyGroup)
        .join(BuddyMember, col(BuddyMember.group_id) == col(BuddyGroup.id))
        .where(BuddyMember.participant_id == participant.id, col(BuddyGroup.state).in_(LIVE_STATES))
    ).first()
    if row is None:
        return None
    cohort = session.get(Cohort, participant.cohort_id)
    assert cohort is not None
    return next(v for v in list_groups(session, cohort=cohort) if v.group.id == row.id)


def as_result(views: Sequence[GroupView], unpaired: Sequence[str] = ()) -> MatchResult:
    """Stored groups as an engine result (keys are e-mails)."""
    groups = [
        Group(
            members=tuple(sorted(p.email for p in v.members)),
            score=v.group.score,
            reasons=list(v.group.reasons),
            participant_reasons=list(v.group.participant_reasons),
            locked=v.group.locked,
        )
        for v in views
    ]
    groups.sort(key=lambda g: g.members)
    return MatchResult(
        groups=groups,
        total=round(sum(g.score for g in groups), 6),
        unpaired=list(unpaired),
        optimal=False,
    )


def store_groups(
    session: Session,
    cohort: Cohort,
    groups: Sequence[Group],
    *,
    state: str = "proposed",
    people: Sequence[Participant] | None = None,
) -> list[int]:
    """Write engine groups as buddy groups in ``state``; returns the new groups' ids."""
    assert cohort.id is not None
    ids = {p.email: p.id for p in (people_of(session, cohort) if people is None else people)}
    published = utcnow() if state == "published" else None
    rows = [
        {
            "cohort_id": cohort.id,
            "score": g.score,
            "reasons": list(g.reasons),
            "participant_reasons": list(g.participant_reasons),
            "locked": g.locked,
            "state": state,
            "end_reason": "",
            "created_at": utcnow(),
            "published_at": published,
            "live": None if state == "ended" else True,
        }
        for g in groups
    ]
    if not rows:
        return []
    # One batched INSERT per table: storing 5,000 groups row by row through the ORM (with a
    # query per member for ``live``) took longer than pairing them.
    table = BuddyGroup.__table__  # type: ignore[attr-defined]
    new_ids = list(
        session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    members = [
        {"group_id": group_id, "participant_id": ids[key], "live": row["live"]}
        for group_id, row, g in zip(new_ids, rows, groups, strict=True)
        for key in g.members
    ]
    session.execute(insert(BuddyMember.__table__), members)  # type: ignore[attr-defined]
    return new_ids


def remember_pairs(session: Session, cohort: Cohort, members: Sequence[Participant]) -> None:
    """Record every two members as earlier buddies, so later cohorts avoid repeats."""
    for x, y in combinations(sorted(members, key=lambda p: p.person_id), 2):
        session.add(
            PairingHistory(person_a_id=x.person_id, person_b_id=y.person_id, cohort_id=cohort.id)
        )


def end_state(group: BuddyGroup, reason: str) -> None:
    """Mark a group ended; its memberships stop counting as live (the database follows)."""
    group.state = "ended"
    group.end_reason = reason
    group.ended_at = utcnow()
