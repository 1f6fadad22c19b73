"""Canary sweep of paper: what the printing consent lets the facilitators print, read back from
the exported PDFs with pypdf, and the pair edition downloaded from both sides.

Every text answer, plan part and check-in note of Ana and Ben carries a numbered canary; the
test knows which of them were shared with the buddy and asserts that exactly those, and no
others, reach each printed copy.
"""

from __future__ import annotations

import html
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from app.models import Cohort, Job, Participant
from app.services.library import program
from app.services.plans import partnership
from app.services.plans import service as plans
from app.services.tablet import responses
from tests.routers.route_world import RouteWorld, app_for, build_route_world, client_for

pytestmark = pytest.mark.one_database
TOKEN = re.compile(r"PRNT(\d{3})Q")


@dataclass(frozen=True, slots=True)
class Plant:
    owner: str
    where: str
    shared: bool


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> RouteWorld:
    return build_route_world(tmp_path_factory.mktemp("print-world"))


def _plant(app: FastAPI, world: RouteWorld) -> dict[int, Plant]:
    """A canary in every text answer, plan part and note of Ana and Ben; returns what each is."""
    planted: dict[int, Plant] = {}

    def token(owner: str, where: str, shared: bool) -> str:
        planted[len(planted)] = Plant(owner, where, shared)
        return f"PRNT{len(planted) - 1:03d}Q"

    with Session(app.state.engine) as session:
        people = {
            p.name: p
            for p in session.exec(
                select(Participant).where(Participant.name.in_(("Ana", "Ben")))  # type: ignore[attr-defined]
            ).all()
        }
        cohort = session.get(Cohort, people["Ana"].cohort_id)
        assert cohort is not None
        cohort_exercises = program.program_of(session, cohort=cohort)
        for person in people.values():
            responses.accept_agreement(session, participant=person)
        for bound in cohort_exercises:
            for prompt in bound.spec.prompts:
                if prompt.type not in responses.TEXT_LIMITS:
                    continue
                for name, person in people.items():
                    responses.save_answer(
                        session,
                        participant=person,
                        exercise=bound,
                        prompt_id=prompt.id,
                        value=token(
                            name, f"{bound.spec.id}/{prompt.id}", prompt.visibility == "buddy"
                        ),
                        base_version=0,
                        idempotency_key=f"print-{person.id}-{bound.spec.id}-{prompt.id}"[:100],
                    )
        for name, person in people.items():
            plan = plans.ensure_plan(session, participant=person)
            plans.save_plan(
                session,
                participant=person,
                content={
                    "aspiration": token(name, "plan/aspiration", False),
                    "goals": [{"id": "g1", "what": token(name, "plan/goals", True)}],
                    "strengths": token(name, "plan/strengths", False),
                    "obstacles": "",
                },
                base_version=plan.version,
                idempotency_key=f"print-plan-{person.id}",
            )
            plans.set_shared_parts(session, participant=person, parts=["goals"])
            partnership.save_checkin_note(
                session,
                participant=person,
                checkin_date=date(2027, 4, 5),
                text=token(name, "note", False),
            )
        session.commit()
    return planted


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\u200b", "")


def _found(text: str) -> set[int]:
    return {int(n) for n in TOKEN.findall(text)}


def _run(app: FastAPI, fac: TestClient, slug: str, edition: str) -> Job:
    """Start a facilitator export and wait for it to end."""
    started = fac.post(f"/cohorts/{slug}/workbooks", data={"edition": edition, "paper": "A4"})
    assert started.status_code == 303
    job_id = int(started.headers["location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 180
    while True:
        with Session(app.state.engine) as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.state in ("done", "failed"):
                break
        assert time.monotonic() < deadline, "the export never finished"
        time.sleep(0.2)
    return job


def _export(app: FastAPI, fac: TestClient, slug: str, edition: str) -> tuple[Job, dict[str, str]]:
    """A facilitator export that made every workbook, with the text of each PDF of its ZIP."""
    job = _run(app, fac, slug, edition)
    assert (job.state, job.message) == ("done", f"{_books(edition)} workbooks exported.")
    archive = fac.get(f"/cohorts/{slug}/jobs/{job.id}/files/{slug}-{edition}.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        return job, {name: _text(z.read(name)) for name in z.namelist()}


def _books(edition: str) -> int:
    return 4 if edition == "participant" else 2  # Ana, Ben, Cai, Dan; two pairs


def _one(books: dict[str, str], needle: str) -> str:
    [name] = [n for n in books if needle in n]
    return books[name]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_printing_consent_prints_what_was_shared_and_the_pair_edition_is_one_book(
    world: RouteWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slug = world.params["slug"]
    with app_for(world, tmp_path / "copy") as app:
        planted = _plant(app, world)
        shared = {n for n, p in planted.items() if p.shared}
        of = {name: {n for n, p in planted.items() if p.owner == name} for name in ("Ana", "Ben")}
        assert len(shared) > 10
        assert len(planted) - len(shared) > 10
        assert {"letter-to-myself/letter", "note", "plan/aspiration"} <= {
            p.where for p in planted.values() if not p.shared
        }
        with client_for(world, "self", app) as ana, client_for(world, "buddy", app) as ben:
            # Before consent, the facilitators' export carries no canary at all.
            with client_for(world, "facilitator", app) as fac:
                _, before = _export(app, fac, slug, "participant")
            assert [_found(t) for t in before.values()] == [set()] * 4
            for tablet in (ana, ben):
                consent = tablet.post("/p/workbook/print-consent", data={"allow": "true"})
                assert consent.status_code == 303
            own = _text(ana.get("/p/workbook.pdf").content)
            by_ana = _text(ana.get("/p/workbook/pair.pdf").content)
            by_ben = _text(ben.get("/p/workbook/pair.pdf").content)
            with client_for(world, "facilitator", app) as fac:
                job, printed = _export(app, fac, slug, "participant")
                _, pairs = _export(app, fac, slug, "pair")

            # The participant's own download holds everything of theirs, and nothing of Ben's
            # (check-in notes are kept for the check-ins, never printed).
            notes = {n for n, p in planted.items() if p.where == "note"}
            assert _found(own) == of["Ana"] - notes
            # The facilitators' copy holds exactly what Ana shared with her buddy.
            ana_book = _one(printed, "-ana.pdf")
            assert _found(ana_book) == of["Ana"] & shared
            assert _found(_one(printed, "-ben.pdf")) == of["Ben"] & shared
            assert "The facilitators printed this copy because you allowed it" in _flat(ana_book)
            assert "never what you wrote" not in _flat(ana_book)
            # The pair edition is one book, whoever downloads or prints it.
            pair_book = _one(pairs, "-ana-ben.pdf")
            assert by_ana == by_ben
            assert by_ana == pair_book
            assert _found(by_ana) == shared

            withdrawn = ana.post("/p/workbook/print-consent", data={"allow": "false"})
            assert withdrawn.status_code == 303
            with client_for(world, "facilitator", app) as fac:
                gone = fac.get(f"/cohorts/{slug}/jobs/{job.id}/files/{slug}-participant.zip")
                page = fac.get(f"/cohorts/{slug}/jobs/{job.id}")
                _, after = _export(app, fac, slug, "participant")
            assert gone.status_code == 404
            assert "a participant took back their consent to printing" in page.text
            assert _found(_one(after, "-ana.pdf")) == set()
            assert _found(_one(after, "-ben.pdf")) == of["Ben"] & shared
    assert TOKEN.search(caplog.text) is None


def test_an_ended_partnership_is_left_out_of_the_pair_export_which_says_why(
    world: RouteWorld, tmp_path: Path
) -> None:
    slug = world.params["slug"]
    with app_for(world, tmp_path / "copy") as app:
        with client_for(world, "stranger", app) as cai:
            ended = cai.post("/p/partnership/state", data={"state": "ended", "reason": "no_time"})
            assert ended.status_code == 303
        with client_for(world, "facilitator", app) as fac:
            job = _run(app, fac, slug, "pair")
            page = fac.get(f"/cohorts/{slug}/jobs/{job.id}")
            archive = fac.get(f"/cohorts/{slug}/jobs/{job.id}/files/{slug}-pair.zip")
    message = (
        "1 workbook exported. Not exported (1): Cai & Dan: the buddy partnership has ended, "
        "so there is no pair workbook."
    )
    assert (job.state, job.message) == ("done", message)
    assert html.escape(message, quote=False) in page.text
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert z.namelist() == ["spring-pair-ana-ben.pdf"]
