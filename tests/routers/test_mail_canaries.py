"""Canary sweep for mail: with text planted in every content table, every mail template, as
its feature builds it, carries none of it — subject, headers, both bodies, attachments — in the
outbox, in the demo's mail folder, and as a real SMTP server receives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.models import OutboxMessage, Participant
from app.services import mail
from app.services.mail.outbox import build_message
from tests.mail_canary import (
    CANARY,
    SCENARIOS,
    assert_no_canary,
    assert_outbox_without_canary,
    mail_templates,
)
from tests.routers.route_world import RouteWorld, app_for, build_route_world
from tests.routers.test_canaries import _plant, _plant_plans_and_partnership, _stored_text
from tests.smtp_server import smtp_server


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> RouteWorld:
    return build_route_world(tmp_path_factory.mktemp("mail-canary-world"))


def test_every_mail_template_has_a_canary_scenario() -> None:
    assert sorted(SCENARIOS) == mail_templates()


def test_no_mail_carries_what_anyone_wrote(world: RouteWorld, tmp_path: Path) -> None:
    with app_for(world, tmp_path / "copy") as app:
        settings: Settings = app.state.settings
        with Session(app.state.engine) as session:
            assert _plant(session, world.params["slug"]) > 100
        planted = _plant_plans_and_partnership(world, app)
        assert [c for c in planted if c in _stored_text(app)] == planted
        with Session(app.state.engine) as session:
            people = session.exec(select(Participant).order_by(col(Participant.id))).all()
            for scenario in SCENARIOS.values():
                for person in people:
                    scenario(session, settings, person)
            session.commit()
            queued = {r.template for r in session.exec(select(OutboxMessage)).all()}
        assert queued == set(SCENARIOS)
        held = assert_outbox_without_canary(app.state.engine, settings.mail_folder)
        with smtp_server() as server:
            report = mail.send_queued_mail(app.state.engine, server.settings_for(settings))
        mail.send_queued_mail(app.state.engine, settings)  # nothing left for the folder

    assert held == report.sent == len(server.recorder.messages) > 0
    for message in server.recorder.messages:
        assert_no_canary(message.as_bytes())


def test_the_sweep_finds_a_canary_in_an_attachment() -> None:
    """The check itself: a canary in an attachment or a header is found."""
    rendered = mail.render_mail(
        "smtp_check", language="en", context={"name": "Ana", "site_url": "http://x"}
    )
    attachment = mail.Attachment("notes.txt", "text/plain", f"{CANARY} my plan".encode())
    raw = build_message(
        Settings(_env_file=None),  # type: ignore[call-arg]
        to="a@example.com",
        rendered=rendered,
        message_id="<1@example.org>",
        attachments=[attachment],
    ).as_bytes()
    with pytest.raises(AssertionError, match=r"part text/plain notes\.txt"):
        assert_no_canary(raw)
