"""What people said in the intake: the directional complementarity term and its words."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from app.core.i18n import use_locale
from app.services.matching import Weights, build_context, reasons_for, solve_context
from app.services.matching.engine import MatchPerson, solve
from app.services.matching.rows import score_pool
from tests.i18n_catalogs import install
from tests.services.matching.factories import person, rosters


def test_what_one_wants_to_learn_and_the_other_offers_counts_in_each_direction() -> None:
    ana = person("ana@x.example", wants=frozenset({"Turnarounds"}), offers=frozenset({"Pricing"}))
    ben = person("ben@x.example", offers=frozenset({"turnarounds"}))
    ctx = build_context([ana, ben], weights=Weights(complement=1.5))
    assert ctx.parts(0, 1)["complement"] == 1500  # Ana learns from Ben; Ben wants nothing
    mutual = person(
        "ben@x.example", offers=frozenset({"turnarounds"}), wants=frozenset({"pricing"})
    )
    assert build_context([ana, mutual]).parts(0, 1)["complement"] == 3000


def test_each_direction_counts_at_most_two_topics() -> None:
    topics = frozenset({"a", "b", "c", "d"})
    ana = person("ana@x.example", wants=topics, offers=topics)
    ben = person("ben@x.example", wants=topics, offers=topics)
    ctx = build_context([ana, ben], weights=Weights(complement=1.0))
    assert ctx.parts(0, 1)["complement"] == 4000
    assert int(score_pool(ctx, [0, 1]).scores[0, 1]) == ctx.score(0, 1)


def test_offering_what_the_other_offers_too_is_no_complement() -> None:
    ana = person("ana@x.example", offers=frozenset({"pricing"}), wants=frozenset({"hiring"}))
    ben = person("ben@x.example", offers=frozenset({"pricing"}), wants=frozenset({"hiring"}))
    assert build_context([ana, ben]).parts(0, 1)["complement"] == 0


@settings(max_examples=40, deadline=None)
@given(rosters(min_size=2, max_size=10))
def test_a_cohort_without_intake_scores_exactly_as_without_the_term(
    people: list[MatchPerson],
) -> None:
    with_term = build_context(people, weights=Weights(complement=4.0))
    without = build_context(people, weights=Weights(complement=0.0))
    everyone = list(range(len(people)))
    assert (score_pool(with_term, everyone).scores == score_pool(without, everyone).scores).all()
    assert solve_context(with_term).to_json() == solve_context(without).to_json()


def test_the_term_changes_who_is_paired_when_it_outweighs_the_rest() -> None:
    # Without intake the two pairings tie; what Ana wants to learn and Cai offers decides.
    people = [
        person("ana@x.example", wants=frozenset({"turnarounds"})),
        person("ben@x.example"),
        person("cai@x.example", offers=frozenset({"turnarounds"})),
        person("dan@x.example"),
    ]
    groups = {frozenset(g.members) for g in solve(people).groups}
    assert frozenset({"ana@x.example", "cai@x.example"}) in groups


def test_the_pair_reads_what_each_can_learn_from_the_other_in_its_own_words() -> None:
    people = [
        person(
            "alex@x.example",
            offers=frozenset({"turnarounds"}),
            wants=frozenset({"international teams"}),
        ),
        person(
            "sam@x.example",
            offers=frozenset({"international teams"}),
            wants=frozenset({"turnarounds"}),
        ),
    ]
    [group] = solve(people).groups
    assert "Alex wants to learn about international teams, which Sam can offer" in group.reasons
    assert reasons_for(group.participant_reasons, "sam@x.example") == [
        "Alex wants to learn about international teams, which you can offer",
        "You want to learn about turnarounds, which Alex can offer",
    ]
    assert reasons_for(group.participant_reasons, "ALEX@x.example ") == [
        "You want to learn about international teams, which Sam can offer",
        "Sam wants to learn about turnarounds, which you can offer",
    ]
    assert reasons_for(group.participant_reasons, None) == [
        "Alex wants to learn about international teams, which Sam can offer",
        "Sam wants to learn about turnarounds, which Alex can offer",
    ]


def test_the_learning_reasons_read_in_the_readers_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    people = [
        person("alex@x.example", offers=frozenset({"pricing"})),
        person("sam@x.example", wants=frozenset({"pricing", "hiring"})),
    ]
    [group] = solve(people).groups
    catalog = {
        "You want to learn about %(topics)s, which %(teacher)s can offer": (
            "Du willst mehr über %(topics)s lernen, und %(teacher)s kann es dir bieten"
        )
    }
    install(monkeypatch, tmp_path, {"de": catalog})
    with use_locale("de"):
        [shown] = [str(r) for r in reasons_for(group.participant_reasons, "sam@x.example")]
    assert shown == "Du willst mehr über pricing lernen, und Alex kann es dir bieten"
