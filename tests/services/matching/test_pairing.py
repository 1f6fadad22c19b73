"""Pairing a cohort: run, lock, swap, exclude, publish, history across cohorts, end and re-pair."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput
from app.demo import read_demo_roster
from app.models import BuddyGroup, BuddyMember, Cohort, PairingHistory
from app.services.cohorts import service as cohorts
from app.services.matching import pairing
from app.services.roster import service as roster

TODAY = date(2026, 11, 26)
HEADER = "Name,Email,Level,Function,Country,Tenure,Manager Email,Avoid,Conflict Group\n"
ROWS = [
    "Ana Silva,ana@x.com,Manager,Finance,Portugal,3,,,\n",
    "Ben Okoro,ben@x.com,Manager,Sales,Nigeria,12,,,\n",
    "Cho Min,cho@x.com,Manager,Operations,Korea,1,,,\n",
    "Dev Rao,dev@x.com,Manager,Engineering,India,8,,,\n",
    "Eva Berg,eva@x.com,Manager,Legal,Sweden,5,,,\n",
]


def _cohort(session: Session, name: str, rows: list[str] | None = None) -> Cohort:
    c = cohorts.create_cohort(session, name=name, start_date=date(2027, 3, 1))
    data = (HEADER + "".join(rows)).encode() if rows is not None else read_demo_roster()
    roster.import_roster(session, cohort=c, data=data, today=TODAY)
    session.commit()
    return c


def _pairs(
    session: Session, cohort: Cohort, states: tuple[str, ...] = ("proposed", "published")
) -> set[frozenset[str]]:
    return {
        frozenset(p.email for p in v.members)
        for v in pairing.list_groups(session, cohort=cohort, states=states)
    }


def test_demo_cohort_everyone_gets_a_buddy_and_never_their_manager(session: Session) -> None:
    cohort = _cohort(session, "Demo")
    run = pairing.run_matching(session, cohort=cohort)
    assert run.result.unpaired == []
    sizes = sorted(len(v.members) for v in pairing.list_groups(session, cohort=cohort))
    assert sizes == [2] * 13
    people = {p.email: p for p in roster.list_participants(session, cohort=cohort)}
    for view in pairing.list_groups(session, cohort=cohort):
        emails = {p.email for p in view.members}
        for p in view.members:
            assert p.manager_email not in emails
            assert not set(p.avoid) & emails
        groups = [people[e].conflict_group for e in emails if people[e].conflict_group]
        assert len(groups) == len(set(groups))
        assert view.group.reasons
        assert view.group.participant_reasons


def test_odd_count_gives_exactly_one_trio(session: Session) -> None:
    cohort = _cohort(session, "Five", ROWS)
    pairing.run_matching(session, cohort=cohort)
    sizes = sorted(len(v.members) for v in pairing.list_groups(session, cohort=cohort))
    assert sizes == [2, 3]


def test_locked_group_survives_a_rerun(session: Session) -> None:
    cohort = _cohort(session, "Lock", ROWS[:4])
    pairing.run_matching(session, cohort=cohort)
    ana = pairing.participant_by_email(session, cohort=cohort, email="ana@x.com")
    cho = pairing.participant_by_email(session, cohort=cohort, email="cho@x.com")
    before = _pairs(session, cohort)
    if frozenset({"ana@x.com", "cho@x.com"}) not in before:
        pairing.swap_people(
            session,
            cohort=cohort,
            a=cho,
            b=next(
                p
                for v in pairing.list_groups(session, cohort=cohort)
                if ana in v.members
                for p in v.members
                if p != ana
            ),
        )
    view = next(v for v in pairing.list_groups(session, cohort=cohort) if ana in v.members)
    assert view.group.id is not None
    pairing.set_locked(session, cohort=cohort, group_id=view.group.id, locked=True)
    run = pairing.run_matching(session, cohort=cohort)
    assert frozenset({"ana@x.com", "cho@x.com"}) in _pairs(session, cohort)
    assert run.diff is not None


def test_swap_that_breaks_a_rule_is_refused_and_changes_nothing(session: Session) -> None:
    rows = [*ROWS[:3], "Dev Rao,dev@x.com,Manager,Engineering,India,8,ana@x.com,,\n"]
    cohort = _cohort(session, "Swap", rows)
    pairing.run_matching(session, cohort=cohort)
    session.commit()
    before = _pairs(session, cohort)
    ana = pairing.participant_by_email(session, cohort=cohort, email="ana@x.com")
    dev = pairing.participant_by_email(session, cohort=cohort, email="dev@x.com")
    partner_of_dev = next(
        p
        for v in pairing.list_groups(session, cohort=cohort)
        if dev in v.members
        for p in v.members
        if p != dev
    )
    with pytest.raises(InvalidInput, match="management chain"):
        pairing.swap_people(session, cohort=cohort, a=ana, b=partner_of_dev)
    session.rollback()
    assert _pairs(session, cohort) == before


def test_excluded_person_is_left_out(session: Session) -> None:
    cohort = _cohort(session, "Exclude", ROWS)
    eva = pairing.participant_by_email(session, cohort=cohort, email="eva@x.com")
    pairing.set_excluded(session, cohort=cohort, participant=eva, excluded=True)
    pairing.run_matching(session, cohort=cohort)
    assert all("eva@x.com" not in g for g in _pairs(session, cohort))
    assert sorted(len(g) for g in _pairs(session, cohort)) == [2, 2]


def test_publish_records_history_and_the_next_cohort_avoids_repeats(session: Session) -> None:
    first = _cohort(session, "First", ROWS[:4])
    pairing.run_matching(session, cohort=first)
    assert pairing.publish(session, cohort=first) == 2
    session.commit()
    assert first.status == "paired"
    assert len(session.exec(select(PairingHistory)).all()) == 2
    earlier = _pairs(session, first, ("published",))
    second = _cohort(session, "Second", ROWS[:4])
    pairing.run_matching(session, cohort=second)
    assert not earlier & _pairs(session, second)
    assert all(len(g) == 2 for g in _pairs(session, second))


def test_rerun_after_publish_is_a_conflict(session: Session) -> None:
    cohort = _cohort(session, "Pub", ROWS[:4])
    pairing.run_matching(session, cohort=cohort)
    pairing.publish(session, cohort=cohort)
    with pytest.raises(Conflict):
        pairing.run_matching(session, cohort=cohort)


SIX = [
    *ROWS[:4],
    "Fay Lu,fay@x.com,Manager,HR,China,2,,,\n",
    "Gus Rey,gus@x.com,Manager,Marketing,Chile,15,,,\n",
]
SEVEN = [*SIX, "Hal Ito,hal@x.com,Manager,Design,Japan,6,,,\n"]


def _published(session: Session, name: str, rows: list[str]) -> Cohort:
    cohort = _cohort(session, name, rows)
    pairing.run_matching(session, cohort=cohort)
    pairing.publish(session, cohort=cohort)
    session.commit()
    return cohort


def _live_memberships(session: Session, cohort: Cohort) -> dict[str, int]:
    counts: dict[str, int] = {}
    for view in pairing.list_groups(session, cohort=cohort):
        for p in view.members:
            counts[p.email] = counts.get(p.email, 0) + 1
    return counts


def _end(session: Session, cohort: Cohort, view: pairing.GroupView, reason: str = "other") -> None:
    assert view.group.id is not None
    pairing.end_group(session, cohort=cohort, group_id=view.group.id, reason=reason)
    session.commit()


def test_ending_a_pairing_changes_no_other_pair_and_its_people_wait(session: Session) -> None:
    cohort = _published(session, "End", SIX)
    views = pairing.list_groups(session, cohort=cohort)
    ending = views[0]
    others = {v.group.id: frozenset(p.email for p in v.members) for v in views[1:]}
    _end(session, cohort, ending, "conflict_of_interest")
    after = pairing.list_groups(session, cohort=cohort)
    assert {v.group.id: frozenset(p.email for p in v.members) for v in after} == others
    assert (ending.group.state, ending.group.end_reason) == ("ended", "conflict_of_interest")
    a, b = ending.members
    result = pairing.current_result(session, cohort=cohort)
    assert result.unpaired == sorted([a.email, b.email])
    assert [p.message for p in result.problems] == [
        f"{x.name} is waiting for a buddy: their pairing with {y.name} ended, and nobody "
        "else without a buddy can be paired with them"
        for x, y in sorted([(a, b), (b, a)], key=lambda xy: xy[0].email)
    ]
    [first, *_rest] = pairing.waiting_people(session, cohort=cohort)
    assert [o.group_id for o in first.options] != []
    assert {o.group_id for o in first.options} <= set(others)


def test_ending_a_second_pairing_pairs_the_waiting_people_across(session: Session) -> None:
    cohort = _published(session, "Across", SIX)
    views = pairing.list_groups(session, cohort=cohort)
    first, second, third = views
    _end(session, cohort, first)
    _end(session, cohort, second)
    after = pairing.list_groups(session, cohort=cohort)
    assert after[0].group.id == third.group.id
    fresh = [frozenset(p.email for p in v.members) for v in after[1:]]
    assert sorted(len(g) for g in fresh) == [2, 2]
    old = [frozenset(p.email for p in v.members) for v in (first, second)]
    assert all(len(g & o) == 1 for g in fresh for o in old)
    assert set(_live_memberships(session, cohort).values()) == {1}
    assert pairing.current_result(session, cohort=cohort).unpaired == []


def test_ending_a_pair_beside_the_trio_never_puts_anyone_in_two_groups(session: Session) -> None:
    cohort = _published(session, "Trio", SEVEN)
    views = pairing.list_groups(session, cohort=cohort)
    trio = next(v for v in views if len(v.members) == 3)
    pair = next(v for v in views if len(v.members) == 2)
    _end(session, cohort, pair)
    after = pairing.list_groups(session, cohort=cohort)
    assert trio.group.id in {v.group.id for v in after}
    assert trio.group.state == "published"
    assert set(_live_memberships(session, cohort).values()) == {1}
    assert len(after) == len(views) - 1


def test_the_database_refuses_a_second_live_group_for_one_person(session: Session) -> None:
    cohort = _published(session, "Twice", ROWS[:4])
    [first, second] = pairing.list_groups(session, cohort=cohort)
    assert cohort.id is not None
    extra = BuddyGroup(cohort_id=cohort.id, state="published")
    session.add(extra)
    session.flush()
    assert extra.id is not None
    for member in (first.members[0], second.members[0]):
        assert member.id is not None
        session.add(BuddyMember(group_id=extra.id, participant_id=member.id))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    ended = pairing.list_groups(session, cohort=cohort)[0]
    assert ended.members[0].id is not None
    ended.group.state = "ended"
    session.add(ended.group)
    session.flush()
    # A live membership cannot hang on an ended group either: the database copies the
    # group's state onto each membership and checks it.
    revive = text("UPDATE buddy_member SET live = :yes WHERE group_id = :g")
    with pytest.raises(IntegrityError):
        session.execute(revive, {"yes": True, "g": ended.group.id})
    session.rollback()


def test_a_waiting_person_joins_a_pair_only_when_every_rule_allows_it(session: Session) -> None:
    rows = [*SIX[:5], "Gus Rey,gus@x.com,Manager,Marketing,Chile,15,ana@x.com,,\n"]
    cohort = _published(session, "Join", rows)
    views = pairing.list_groups(session, cohort=cohort)
    gus_view = next(v for v in views if "gus@x.com" in {p.email for p in v.members})
    _end(session, cohort, gus_view)
    gus = pairing.participant_by_email(session, cohort=cohort, email="gus@x.com")
    with_ana = next(v for v in views if "ana@x.com" in {p.email for p in v.members})
    assert with_ana.group.id is not None
    with pytest.raises(InvalidInput) as refused:
        pairing.join_group(session, cohort=cohort, participant=gus, group_id=with_ana.group.id)
    assert refused.value.message == "Gus Rey cannot join this pair"
    [waiting] = [w for w in pairing.waiting_people(session, cohort=cohort) if w.participant == gus]
    assert with_ana.group.id not in {o.group_id for o in waiting.options}
    target = waiting.options[0]
    joined = pairing.join_group(session, cohort=cohort, participant=gus, group_id=target.group_id)
    session.commit()
    assert [p.email for p in joined.members] == sorted(
        [*target_emails(session, cohort, target.group_id)]
    )
    assert len(joined.members) == 3
    assert joined.group.score == target.score
    assert "gus@x.com" not in pairing.current_result(session, cohort=cohort).unpaired


def target_emails(session: Session, cohort: Cohort, group_id: int) -> list[str]:
    view = next(v for v in pairing.list_groups(session, cohort=cohort) if v.group.id == group_id)
    return sorted(p.email for p in view.members)


def test_before_the_first_run_nobody_is_without_a_buddy(session: Session) -> None:
    cohort = _cohort(session, "Fresh")
    assert pairing.pairing_state(session, cohort=cohort) == "not_paired"
    result = pairing.current_result(session, cohort=cohort)
    assert (result.groups, result.unpaired, result.problems) == ([], [], [])


def test_publish_with_someone_unpaired_names_them(session: Session) -> None:
    first = _cohort(session, "Before", ROWS[:2])
    pairing.run_matching(session, cohort=first)
    pairing.publish(session, cohort=first)
    again = _cohort(session, "After", [*ROWS[:2], *ROWS[2:4]])
    pairing.run_matching(session, cohort=again)
    views = pairing.list_groups(session, cohort=again)
    assert views
    ana = pairing.participant_by_email(session, cohort=again, email="ana@x.com")
    pairing.set_excluded(session, cohort=again, participant=ana, excluded=True)
    pairing.set_excluded(session, cohort=again, participant=ana, excluded=False)
    with pytest.raises(Conflict) as refused:
        pairing.publish(session, cohort=again)
    assert "Ana Silva" in refused.value.message
    assert "@" not in refused.value.message


def test_end_with_unknown_reason_is_refused(session: Session) -> None:
    cohort = _cohort(session, "Reason", ROWS[:4])
    pairing.run_matching(session, cohort=cohort)
    pairing.publish(session, cohort=cohort)
    gid = pairing.list_groups(session, cohort=cohort)[0].group.id
    assert gid is not None
    with pytest.raises(InvalidInput):
        pairing.end_group(session, cohort=cohort, group_id=gid, reason="he was rude")


def test_why_not_names_the_blocking_rule(session: Session) -> None:
    rows = [ROWS[0], "Ben Okoro,ben@x.com,Manager,Sales,Nigeria,12,,ana@x.com,\n", *ROWS[2:4]]
    cohort = _cohort(session, "Why", rows)
    ana = pairing.participant_by_email(session, cohort=cohort, email="ana@x.com")
    ben = pairing.participant_by_email(session, cohort=cohort, email="ben@x.com")
    cho = pairing.participant_by_email(session, cohort=cohort, email="cho@x.com")
    assert len(pairing.explain_pair(session, cohort=cohort, a=ana, b=ben)) == 1
    assert "not to be paired" in pairing.explain_pair(session, cohort=cohort, a=ana, b=ben)[0]
    assert pairing.explain_pair(session, cohort=cohort, a=ana, b=cho)[0].startswith(
        "Allowed: score"
    )


def test_matrix_is_symmetric_and_lists_blocked_pairs(session: Session) -> None:
    rows = [ROWS[0], "Ben Okoro,ben@x.com,Manager,Sales,Nigeria,12,,ana@x.com,\n", *ROWS[2:4]]
    cohort = _cohort(session, "Matrix", rows)
    matrix = pairing.compatibility(session, cohort=cohort)
    n = len(matrix.keys)
    assert all(matrix.scores[i][j] == matrix.scores[j][i] for i in range(n) for j in range(n))
    assert [(a, b) for a, b, _ in matrix.blocked] == [("ana@x.com", "ben@x.com")]


def test_history_as_a_penalty_allows_a_repeat_when_nothing_else_is_possible(
    session: Session,
) -> None:
    first = _cohort(session, "Earlier", ROWS[:2])
    pairing.run_matching(session, cohort=first)
    pairing.publish(session, cohort=first)
    second = _cohort(session, "Again", ROWS[:2])
    forbidden = pairing.run_matching(session, cohort=second)
    assert forbidden.result.unpaired == ["ana@x.com", "ben@x.com"]
    explained = pairing.current_result(session, cohort=second)
    assert len(explained.problems) == 2
    assert any("allow repeat buddies" in r for p in explained.problems for r in p.relaxations)
    pairing.set_history_mode(session, cohort=second, mode="penalty")
    allowed = pairing.run_matching(session, cohort=second)
    assert [g.members for g in allowed.result.groups] == [("ana@x.com", "ben@x.com")]
    with pytest.raises(InvalidInput):
        pairing.set_history_mode(session, cohort=second, mode="sometimes")
