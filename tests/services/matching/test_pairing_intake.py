"""The intake feeds the matching: tag choices and languages reach the engine, and a private
avoid request keeps a pair apart without anyone reading who asked."""

from __future__ import annotations

from datetime import date
from itertools import combinations

from sqlmodel import Session, delete

from app.models import Cohort, Participant
from app.models.intake import IntakeAvoid
from app.services import intake
from app.services.cohorts import service as cohorts
from app.services.intake import IntakeChoices
from app.services.matching import pairing
from app.services.matching.pairing_store import engine_input
from app.services.privacy import pairs_apart_by_request
from app.services.roster import list_participants
from app.services.roster import service as roster

HEADER = "Name,Email,Level,Function,Country,Tenure,Languages,Tags\n"
ROWS = [
    "Ana Silva,ana@x.com,Manager,Finance,Portugal,3,English,turnarounds\n",
    "Ben Okoro,ben@x.com,Manager,Sales,Nigeria,12,English,international teams\n",
    "Cho Min,cho@x.com,Manager,Finance,Portugal,3,English,turnarounds\n",
    "Dev Rao,dev@x.com,Manager,Sales,Nigeria,12,English,international teams\n",
]


def _cohort(session: Session) -> tuple[Cohort, dict[str, Participant]]:
    cohort = cohorts.create_cohort(session, name="Spring", start_date=date(2027, 3, 1))
    data = (HEADER + "".join(ROWS)).encode()
    roster.import_roster(session, cohort=cohort, data=data, today=date(2026, 11, 26))
    session.commit()
    return cohort, {p.email[:3]: p for p in list_participants(session, cohort=cohort)}


def _pairs(session: Session, cohort: Cohort) -> set[frozenset[str]]:
    return {
        frozenset(p.email for p in v.members) for v in pairing.list_groups(session, cohort=cohort)
    }


def test_without_intake_the_engine_sees_the_roster_alone(session: Session) -> None:
    cohort, _ = _cohort(session)
    people, _ = engine_input(session, cohort)
    assert {(p.offers, p.wants, p.avoid) for p in people} == {
        (frozenset(), frozenset(), frozenset())
    }


def test_tag_choices_and_languages_reach_the_engine(session: Session) -> None:
    cohort, by = _cohort(session)
    intake.save_intake(
        session,
        participant=by["ana"],
        choices=IntakeChoices(
            offers=["turnarounds"], wants=["international teams"], notes={"want-to-learn": "x"}
        ),
    )
    people = {p.key: p for p in engine_input(session, cohort)[0]}
    assert (people["ana@x.com"].offers, people["ana@x.com"].wants) == (
        frozenset({"turnarounds"}),
        frozenset({"international teams"}),
    )
    assert people["ben@x.com"].offers == frozenset()


def test_a_privately_avoided_pair_is_never_formed(session: Session) -> None:
    cohort, by = _cohort(session)
    people = list(by.values())
    for asker, other in combinations(people, 2):
        session.exec(delete(IntakeAvoid))  # type: ignore[call-overload]
        intake.save_intake(session, participant=asker, choices=IntakeChoices(avoid=[other.id or 0]))
        pairing.run_matching(session, cohort=cohort)
        pairs = _pairs(session, cohort)
        assert frozenset({asker.email, other.email}) not in pairs, (asker.name, other.name)
        assert len(pairs) == 2


def test_the_facilitator_learns_only_that_a_pair_is_unavailable_by_request(
    session: Session,
) -> None:
    cohort, by = _cohort(session)
    ana, cho = by["ana"], by["cho"]
    both_ways = [(ana, cho), (cho, ana)]
    for asker, other in both_ways:
        intake.save_intake(session, participant=asker, choices=IntakeChoices(avoid=[other.id or 0]))
    assert cohort.id is not None
    assert pairs_apart_by_request(session, cohort_id=cohort.id) == 1
    one_way = pairing.explain_pair(session, cohort=cohort, a=ana, b=cho)
    session.exec(delete(IntakeAvoid))  # type: ignore[call-overload]
    intake.save_intake(session, participant=cho, choices=IntakeChoices(avoid=[ana.id or 0]))
    other_way = pairing.explain_pair(session, cohort=cohort, a=ana, b=cho)
    assert one_way == other_way == ["One asked not to be paired with the other"]
    matrix = pairing.compatibility(session, cohort=cohort)
    assert matrix.blocked == [("ana@x.com", "cho@x.com", "avoid")]


def test_what_the_pair_said_in_the_intake_reaches_them_in_their_own_words(
    session: Session,
) -> None:
    from datetime import UTC, datetime

    from app.services.tablet import participant_home

    cohort, by = _cohort(session)
    # Ana and Ben differ most on the roster; the intake says who can teach whom.
    intake.save_intake(
        session,
        participant=by["ana"],
        choices=IntakeChoices(offers=["turnarounds"], wants=["international teams"]),
    )
    intake.save_intake(
        session,
        participant=by["ben"],
        choices=IntakeChoices(offers=["international teams"], wants=["turnarounds"]),
    )
    pairing.run_matching(session, cohort=cohort)
    pairing.publish(session, cohort=cohort)
    session.commit()
    assert frozenset({"ana@x.com", "ben@x.com"}) in _pairs(session, cohort)

    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    ana = participant_home(session, participant=by["ana"], now=now).reasons
    ben = participant_home(session, participant=by["ben"], now=now).reasons
    assert "You want to learn about international teams, which Ben Okoro can offer" in ana
    assert "Ben Okoro wants to learn about turnarounds, which you can offer" in ana
    assert "You want to learn about turnarounds, which Ana Silva can offer" in ben
    cho = participant_home(session, participant=by["cho"], now=now).reasons
    assert not [r for r in cho if "learn" in r]
