"""A realistic, invented workbook for previews, tests and the benchmark (no database needed)."""

from __future__ import annotations

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
)

_DAYS = ["Monday 3 March", "Tuesday 4 March", "Wednesday 5 March", "Thursday 6 March"]
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


def _exercise(day_no: int, slot: int, *, answered: bool, owners: list[Person]) -> ExerciseSection:
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
        day_label=f"Day {day_no + 1} · {_DAYS[day_no]}",
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
) -> WorkbookData:
    """Return a plausible workbook (about 30 pages with the defaults) built from invented data."""
    first = owner_name.split()[0].lower()
    owners = [Person(owner_name, f"{first}@example.org")]
    buddies = ["Grace Hopper"]
    if edition == "pair":
        owners.append(Person("Grace Hopper", "grace@example.org"))
        buddies = [owner_name]
    agenda = [
        Day(
            label=f"Day {d + 1} · {_DAYS[d]}",
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
        _exercise(d, s, answered=answered, owners=owners)
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
                    target_date="30 June",
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
        cohort_dates_label="3\u20136 March 2025",
        language="en",
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
        checkins=[CheckInLine("Friday 14 March", "First call: how did the week go?")]
        if answered
        else [],
        notes_pages=notes_pages,
    )
