"""Agenda problems read in the facilitator's language (a tiny test catalog stands in)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from app.core.errors import InvalidInput
from app.core.i18n import use_locale
from app.services.agenda.checks import check_agenda_inputs
from app.services.agenda.solver import solve_agenda
from app.services.agenda.types import Pin
from tests.i18n_catalogs import install
from tests.services.agenda.test_agenda_solver import LUNCH, day, ex

GERMAN = {
    "the agenda cannot be built": "Die Agenda lässt sich nicht erstellen",
    "agenda": "Agenda",
    (
        "the selected exercises need %(needed)s; the day gives %(available)s",
        "the selected exercises need %(needed)s; the %(num)s days give %(available)s",
    ): (
        "Die gewählten Übungen brauchen %(needed)s; der Tag bietet %(available)s",
        "Die gewählten Übungen brauchen %(needed)s; die %(num)s Tage bieten %(available)s",
    ),
    "%(hours)s h": "%(hours)s Std.",
    "%(hours)s h %(minutes)s min": "%(hours)s Std. %(minutes)s Min.",
    "pin for '%(title)s' on day %(day)s at %(time)s overlaps %(block)s": (
        "Die Fixierung von „%(title)s“ an Tag %(day)s um %(time)s überschneidet sich mit %(block)s"
    ),
    "pin %(id)s": "Fixierung %(id)s",
}


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install(monkeypatch, tmp_path, {"de": GERMAN})


def test_capacity_problem_counts_days_in_the_readers_plural(german: None) -> None:
    with use_locale("de"):
        one, _ = check_agenda_inputs([day(1, time(9), time(15))], [ex("a", 400)])
        four, _ = check_agenda_inputs(
            [day(n, time(9), time(15), LUNCH) for n in (1, 2, 3, 4)],
            [ex(f"e{i}", 90) for i in range(14)],
        )

    assert (one[0].where, one[0].message) == (
        "Agenda",
        "Die gewählten Übungen brauchen 6 Std. 40 Min.; der Tag bietet 6 Std.",
    )
    assert four[0].message == "Die gewählten Übungen brauchen 21 Std.; die 4 Tage bieten 20 Std."


def test_a_refused_pin_names_the_pin_in_the_readers_language(german: None) -> None:
    days = [day(1, time(9), time(17)), day(2, time(9), time(17), LUNCH)]

    with use_locale("de"), pytest.raises(InvalidInput) as caught:
        solve_agenda(days, [ex("x", 30)], pins=[Pin("x", 2, time(12, 15))])

    assert caught.value.message == "Die Agenda lässt sich nicht erstellen"
    [problem] = caught.value.problems
    assert (problem.where, problem.message) == (
        "Fixierung x",
        "Die Fixierung von „X“ an Tag 2 um 12:15 überschneidet sich mit Lunch (12:00-13:00)",
    )


def test_the_same_problem_reads_in_english_outside_the_block(german: None) -> None:
    problems, _ = check_agenda_inputs([day(1, time(9), time(15))], [ex("a", 400)])

    assert problems[0].message == "the selected exercises need 6 h 40 min; the day gives 6 h"
