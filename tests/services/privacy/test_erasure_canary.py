"""Erasure leaves nothing behind: a canary person is planted in every table and file that can
hold a person, erased through the admin's page, and then looked for everywhere.

Zelda Canary writes, answers the intake (and is named in someone's private avoid request), is
paired, signs in, is named in other people's roster rows and in a pending UTF-16 upload, has a
cached workbook and an export file. Her ids are unusual numbers so
that a reference to her is found in any column, foreign key or not. Every table of the metadata
must either hold a planted trace before the erasure or be listed in NOT_ABOUT_PEOPLE with the
reason it cannot: a new table fails this test until it is planted here or listed.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

import app.models  # noqa: F401  (every table on the metadata)
from app.core.config import Settings
from app.core.messages import Message, listing
from app.core.security import SESSION_COOKIE
from app.models import (
    AuditEvent,
    Facilitator,
    Job,
    MailBounce,
    PairingHistory,
    Participant,
    ParticipantPin,
    Person,
    RosterImport,
    SignInLink,
)
from app.models.intake import IntakeAnswer, IntakeAvoid
from app.services import links, mail
from app.services.accounts import service as accounts
from app.services.library import program
from app.services.plans import checkins, partnership, steps
from app.services.plans import service as plans
from app.services.tablet import Attempt, responses, signin
from tests.conftest import csrf_of, sign_in
from tests.services.tablet.factories import add_participant, make_cohort, make_group

PERSON_ID, PARTICIPANT_ID = 987653, 987654
NAME, EMAIL = "Zelda Canary", "zelda.canary@example.com"
TRACES = re.compile(rf"zelda|canary|{PERSON_ID}|{PARTICIPANT_ID}", re.IGNORECASE)
NOT_ABOUT_PEOPLE = {
    "cohort": "the program's name, dates and settings",
    "facilitator": "facilitators' accounts, never participants'",
    "cohort_facilitator": "which facilitator runs which cohort",
    "password_link": "hashed set-password links of facilitators' accounts",
    "agenda_block": "breaks and plenaries the facilitators named",
    "agenda_day": "the hours of each day",
    "agenda_item": "which exercise runs when",
    "cohort_exercise": "the exercise library's text, frozen for the cohort",
    "run_of_show": "where the room is in the day",
    "roster_profile": "how the cohort's files are read: header names and formats, never a row",
}


def _text_of(value: Any) -> str:
    if isinstance(value, bytes):
        return " ".join(value.decode(e, errors="ignore") for e in ("utf-8", "utf-16"))
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    return ""  # dates, times, numbers and flags cannot name anyone


def _traces_in_tables(session: Session) -> dict[str, int]:
    """Table -> how many of its rows mention Zelda or point at her."""
    found: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = session.execute(table.select()).all()
        hits = sum(1 for row in rows if any(TRACES.search(_text_of(v)) for v in row))
        if hits:
            found[table.name] = hits
    session.commit()  # end the read: the erasure's checkpoint must not wait for this session
    return found


def _traces_in_files(folder: Path) -> list[str]:
    """Files under ``folder`` whose bytes (or PDF text) name Zelda."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        text = _text_of(raw)
        if raw.startswith(b"%PDF"):
            text += " ".join(page.extract_text() for page in PdfReader(path).pages)
        if (
            re.search("zelda|canary", text, re.IGNORECASE)
            or b"z\x00e\x00l\x00d\x00a" in raw.lower()
        ):
            found.append(path.name)
    return found


def _plant_zelda(session: Session, settings: Settings, client: TestClient) -> Participant:
    cohort = make_cohort(session)
    ben, ana = add_participant(session, cohort, "Ben"), add_participant(session, cohort, "Ana")
    other = make_cohort(session, "Autumn")
    eve = add_participant(session, other, "Eve")
    assert cohort.id is not None
    session.add(Person(id=PERSON_ID, email=EMAIL, name=NAME))
    session.flush()
    zelda = Participant(
        id=PARTICIPANT_ID, cohort_id=cohort.id, person_id=PERSON_ID, name=NAME, email=EMAIL
    )
    session.add(zelda)
    session.flush()
    ana.manager_email, ana.avoid, eve.avoid = EMAIL, [EMAIL, ben.email], [EMAIL]
    group = make_group(session, cohort, [zelda, ben])
    group.reasons = [
        f"{NAME} brings sales; Ben brings finance",
        "Similar levels",
        Message("%(name)s brings %(tags)s", name=NAME, tags=listing(["sales"])),
        Message("%(a)s and %(b)s were buddies", a="Ben", b=NAME),
        Message("Shared experience: %(tags)s", tags=listing([NAME, "audit"])),
    ]
    group.participant_reasons = [f"You and {NAME.split()[0]} lead teams across regions"]
    session.add_all([ana, eve, group])
    session.add(
        PairingHistory(person_a_id=PERSON_ID, person_b_id=ben.person_id, cohort_id=cohort.id)
    )
    session.add(
        RosterImport(
            cohort_id=cohort.id,
            filename="roster.csv",
            data=f"Name,Email\n{NAME},{EMAIL}\nBen,{ben.email}\n".encode("utf-16"),
        )
    )
    bound = program.bound_exercise(session, cohort=cohort, exercise_id="meet-your-buddy")
    responses.save_answer(
        session,
        participant=zelda,
        exercise=bound,
        prompt_id="their-week",
        value="CANARY answer",
        base_version=0,
        idempotency_key="canary-key-1",
    )
    for version, goal in enumerate(("CANARY goal", "CANARY goal, revised")):
        plans.save_plan(
            session,
            participant=zelda,
            content={"aspiration": "CANARY aspiration", "goals": [{"what": goal}]},
            base_version=version,
            idempotency_key=f"canary-plan-{version}",
        )
    plans.set_shared_parts(session, participant=zelda, parts=["goals"])
    plans.ensure_plan(session, participant=ben)
    plans.set_shared_parts(session, participant=ben, parts=["goals"])
    plans.add_plan_comment(session, author=ben, owner=zelda, part="goals", text="Go Zelda")
    plans.add_plan_comment(session, author=zelda, owner=ben, part="goals", text="CANARY note")
    partnership.save_checkin_note(
        session, participant=zelda, checkin_date=date(2027, 4, 3), text="CANARY check-in"
    )
    partnership.propose_rhythm(session, participant=zelda, rhythm="30-60-90")
    partnership.agree_rhythm(session, participant=ben)
    [first, *_] = checkins.group_checkins(session, group=group)
    checkins.move_checkin(
        session,
        participant=zelda,
        checkin_id=first.id or 0,
        day=date(2027, 4, 8),
        at=clock(15, 0),
        now=datetime(2027, 4, 1, tzinfo=UTC),
    )
    steps.add_agreed_step(session, participant=zelda, text="CANARY step")
    theirs = steps.add_agreed_step(session, participant=ben, text="Ben's step")
    steps.tick_step(session, participant=zelda, step_id=theirs.id or 0)
    partnership.change_partnership(session, participant=zelda, state="paused", reason="no_time")
    responses.accept_agreement(session, participant=zelda)
    session.add(
        IntakeAnswer(
            participant_id=PARTICIPANT_ID,
            cohort_id=cohort.id,
            offers=["sales"],
            notes={"want-to-learn": "CANARY intake"},
        )
    )
    assert ana.id is not None
    assert ben.id is not None
    session.add(IntakeAvoid(participant_id=PARTICIPANT_ID, avoided_id=ben.id))
    session.add(IntakeAvoid(participant_id=ana.id, avoided_id=PARTICIPANT_ID))
    [card] = signin.issue_cards(
        session, cohort=cohort, participants=[zelda], secret="x" * 48, followup_days=180
    )
    zelda.print_answers = True
    session.add(ParticipantPin(participant_id=PARTICIPANT_ID, salt="0" * 32, pin_hash="f" * 64))
    tablet = accounts.start_session(session, hours=1, participant_id=PARTICIPANT_ID)
    # A personal link she signed in with (bound to the session it opened) and a fresh one.
    used = links.issue_link(session, PARTICIPANT_ID, base_url="http://testserver")
    link = session.exec(select(SignInLink).where(SignInLink.participant_id == PARTICIPANT_ID)).one()
    assert links.use_link(session, link=link)
    links.bind_session(session, link=link, session_id=tablet.session.id)
    links.issue_link(session, PARTICIPANT_ID, base_url="http://testserver", purpose="check-in")
    export = Job(cohort_id=cohort.id, kind="workbooks", params={}, state="done", created_by="x")
    session.add_all([zelda, export])
    session.flush()
    export.files = ["spring-participant-zelda-canary.pdf"]
    folder = settings.var_dir / "jobs" / str(export.id)
    folder.mkdir(parents=True)
    (folder / export.files[0]).write_bytes(b"Zelda Canary's workbook, as exported")
    session.add(
        AuditEvent(actor=f"participant:{PARTICIPANT_ID}", action="plan.share", object_type="plan")
    )
    session.commit()
    _plant_mail(session, settings, zelda)
    # A participant who tried the facilitators' sign-in with her own address.
    client.post("/login", data={"email": EMAIL, "password": "no", "csrf_token": csrf_of(client)})
    # Her workbook, rendered once on her tablet, waits in the render cache.
    client.cookies.set(SESSION_COOKIE, tablet.token)
    assert client.get("/p/workbook.pdf").status_code == 200
    client.cookies.delete(SESSION_COOKIE)
    assert card.code
    assert used.url
    return zelda


def _plant_mail(session: Session, settings: Settings, zelda: Participant) -> None:
    """A mail sent to her (its .eml in the demo's mail folder), one queued after it, her address
    refused by a mail server, and her reminders turned off."""

    def invite(key: str) -> None:
        mail.queue_mail(
            session,
            to=EMAIL,
            kind="invitation",
            template="smtp_check",
            language="en",
            context={"name": NAME, "site_url": "http://testserver"},
            dedupe_key=key,
            participant_id=PARTICIPANT_ID,
        )
        session.commit()

    invite("zelda-sent")
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    deadline = time.monotonic() + 10  # the web process's own sender may be the one sending
    while not list(settings.mail_folder.glob("*.eml")) and time.monotonic() < deadline:
        mail.send_queued_mail(engine, settings)
        time.sleep(0.05)
    invite("zelda-queued")
    # A new sign-in link she asked for on the sign-in page (its mail waits in the outbox).
    links.request_link(
        session,
        email=EMAIL.upper(),
        base_url="http://testserver",
        attempt=Attempt(device="phone-1", address="10.0.0.9", window_seconds=300),
        followup_days=180,
    )
    session.add(MailBounce(address=EMAIL, code=550))
    mail.set_reminders(session, participant=zelda, enabled=False)
    session.commit()


@pytest.mark.parametrize("surface", ["page", "api"])
def test_erasure_leaves_no_trace_in_any_table_or_file(
    surface: str,
    session: Session,
    settings: Settings,
    client: TestClient,
    engine: Engine,
    admin: Facilitator,
) -> None:
    zelda = _plant_zelda(session, settings, client)
    planted = _traces_in_tables(session)
    tables = {t.name for t in SQLModel.metadata.sorted_tables}
    assert sorted(tables - set(planted) - set(NOT_ABOUT_PEOPLE)) == [], (
        "plant Zelda in these new tables above, or list them in NOT_ABOUT_PEOPLE with why"
    )
    assert sorted(set(planted) & set(NOT_ABOUT_PEOPLE)) == []
    cached = _traces_in_files(settings.var_dir)
    assert "spring-participant-zelda-canary.pdf" in cached
    written = sorted(p.name for p in settings.mail_folder.glob("*.eml"))
    assert "00000001.eml" in written  # the mail sent to her, in the demo's mail folder
    assert len(cached) == 2 + len(written), cached  # and her workbook in the render cache

    token = sign_in(client, admin.email)
    if surface == "page":
        erased = client.post(
            f"/cohorts/spring/participants/{zelda.id}/erase",
            data={"confirm": EMAIL, "csrf_token": token},
        )
    else:
        erased = client.post(
            f"/api/v1/cohorts/spring/participants/{zelda.id}/erase",
            json={"confirm": EMAIL},
            headers={"X-CSRF-Token": token},
        )

    assert erased.status_code == {"page": 303, "api": 200}[surface]
    assert _traces_in_tables(session) == {}
    assert _traces_in_files(settings.var_dir) == []
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        files = [database, database.with_name(database.name + "-wal")]
        raw = b"".join(p.read_bytes() for p in files if p.exists()).lower()
        leftovers = [
            word
            for word in ("zelda", "canary")
            for spelling in (word.encode(), word.encode("utf-16-le"))
            if spelling in raw
        ]
        assert leftovers == []
