"""A realistic, invented workbook for previews, tests and the benchmark (no database needed)."""

from __future__ import annotations

from datetime import date, timedelta

from app.core.i18n import current_language, format_skeleton, use_locale
from app.services.printing.render import (
    AgendaLine,
    Answer,
    CheckInLine,
    Day,
    Edition,
    ExerciseSection,
    Goal,
    Paper,
    Person,
    PlanSection,
    PromptSection,
    WorkbookData,
    day_label,
    format_date_range,
    format_day,
)

_START = date(2025, 3, 3)
"""The invented programme's first day (a Monday)."""
_TITLES = [
    "Lifeline: the moments that shaped you",
    "What your buddy sees in you",
    "A hard conversation, rehearsed",
    "Leading through ambiguity",
    "Energy audit",
    "Feedback you did not ask for",
    "Your network, mapped",
    "Values in action",
    "Decisions under pressure",
    "The competitor next door",
    "Stories we tell about ourselves",
    "The next ninety days",
]
_PROMPTS = [
    ("Describe a moment from the last year when you felt most yourself at work.", "text"),
    ("What did your buddy notice that you had not?", "text"),
    ("How confident do you feel about this today?", "scale"),
    ("What will you try before we meet again?", "text"),
]
_ANSWER = (
    "I noticed that I slow down when the stakes are high, and that the team reads it as doubt. "
    "Talking it through with my buddy, I realised it is care, not hesitation.\n"
    "Next time I will say out loud what I am weighing, so people can help me weigh it."
)


def _exercise(
    day_no: int, slot: int, *, answered: bool, owners: list[Person], label: str
) -> ExerciseSection:
    index = (day_no * 3 + slot) % len(_TITLES)
    prompts = []
    for p_no, (text, kind) in enumerate(_PROMPTS, 1):
        answers = []
        if answered and kind == "text" and p_no % 2 == 1:
            answers = [
                Answer(o.name, f"{_ANSWER}\n({o.name.split()[0]}, day {day_no + 1})")
                for o in owners
            ]
        prompts.append(
            PromptSection(
                id=f"p{p_no}",
                text=text,
                type=kind,
                help="Write in full sentences; nobody grades this." if p_no == 1 else "",
                lines=5 if kind == "text" else 0,
                visibility="buddy" if p_no % 2 == 0 else "private",
                answers=answers,
            )
        )
    return ExerciseSection(
        id=f"ex-{day_no}-{slot}",
        title=_TITLES[index],
        day_label=label,
        summary="Twenty minutes alone, then twenty minutes with your buddy.",
        steps=[
            "Read the prompts and write freely for ten minutes.",
            "Swap workbooks only if you both want to; otherwise tell each other what stood out.",
            "Agree one thing each of you will try.",
        ],
        prompts=prompts,
        qr_url=f"http://127.0.0.1:8000/p/exercises/ex-{day_no}-{slot}",
    )


def make_sample_workbook(
    *,
    edition: Edition = "participant",
    paper: Paper = "A4",
    owner_name: str = "Ada Lovelace",
    exercises_per_day: int = 3,
    days: int = 4,
    notes_pages: int = 2,
    answered: bool = True,
    language: str = "en",
) -> WorkbookData:
    """Return a plausible workbook (about 30 pages with the defaults) built from invented data.

    The invented content stays English (it stands for what people wrote and the library's
    words); the dates are in ``language``, as the collection step writes them."""
    with use_locale(language):
        return _sample(edition, paper, owner_name, exercises_per_day, days, notes_pages, answered)


def _sample(
    edition: Edition,
    paper: Paper,
    owner_name: str,
    exercises_per_day: int,
    days: int,
    notes_pages: int,
    answered: bool,
) -> WorkbookData:
    first = owner_name.split()[0].lower()
    owners = [Person(owner_name, f"{first}@example.org")]
    buddies = ["Grace Hopper"]
    if edition == "pair":
        owners.append(Person("Grace Hopper", "grace@example.org"))
        buddies = [owner_name]
    labels = [day_label(d + 1, _START + timedelta(days=d)) for d in range(days)]
    agenda = [
        Day(
            label=labels[d],
            items=[
                AgendaLine("09:00", "09:30", "Arrival and check-in with your buddy", "plenary"),
                *[
                    AgendaLine(
                        f"{10 + 2 * s}:00",
                        f"{11 + 2 * s}:00",
                        _TITLES[(d * 3 + s) % len(_TITLES)],
                        "exercise",
                    )
                    for s in range(exercises_per_day)
                ],
                AgendaLine("12:30", "13:30", "Lunch", "break"),
                AgendaLine("16:30", "17:00", "Closing circle", "plenary"),
            ],
        )
        for d in range(days)
    ]
    exercises = [
        _exercise(d, s, answered=answered, owners=owners, label=labels[d])
        for d in range(days)
        for s in range(exercises_per_day)
    ]
    plan = (
        PlanSection(
            aspiration="Lead a team that argues well and decides quickly.",
            goals=[
                Goal(
                    what="Run every weekly meeting with a written decision log.",
                    why="Decisions get lost and we relitigate them.",
                    actions=["Draft the template", "Try it for four weeks", "Ask the team"],
                    measure="Fewer reopened decisions by the end of the quarter.",
                    support="Ask me in every check-in how the log is going.",
                    target_date=format_skeleton(date(2025, 6, 30), "MMMMd"),
                )
            ],
            strengths="Patience; curiosity; a long memory for people.",
            obstacles="My calendar, and my habit of saying yes.",
        )
        if answered
        else None
    )
    return WorkbookData(
        edition=edition,
        cohort_name="Spring Leadership Intensive",
        cohort_dates_label=format_date_range(_START, _START + timedelta(days=days - 1)),
        language=current_language(),
        paper=paper,
        owners=owners,
        buddy_names=buddies,
        pairing_reasons=[
            "You work in different functions: finance and engineering.",
            "One of you has led teams for ten years, the other for two.",
        ],
        agreement_text="We meet every second Friday at 8:00, by phone.\nWhat we say stays with us."
        if answered
        else "",
        agenda_days=agenda,
        exercises=exercises,
        plan=plan,
        checkins=[CheckInLine(format_day(date(2025, 3, 14)), "First call: how did the week go?")]
        if answered
        else [],
        notes_pages=notes_pages,
    )
