"""Inviting, resetting, deactivating and reactivating facilitators; set-password links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound
from app.models import AuditEvent, Facilitator, PasswordLink, WebSession, utcnow
from app.services import accounts
from app.services.accounts.service import LoginLimits, check_password, hash_token, start_session
from tests.conftest import PASSWORD, make_facilitator

LIMITS = LoginLimits(per_key=10, overall=20, window_seconds=300)
NEW_PASSWORD = "a brand new password"


def _signs_in(session: Session, email: str, password: str) -> bool:
    checked = check_password(session, email=email, password=password, client="t", limits=LIMITS)
    return checked.facilitator_id is not None


def _events(session: Session) -> list[tuple[str, str, str]]:
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    return [(e.actor, e.action, e.object_id) for e in rows if e.object_type == "facilitator"]


def test_an_invited_account_has_no_password_until_its_link_sets_one(session: Session) -> None:
    admin = make_facilitator(session, "ada@example.com", admin=True)

    issued = accounts.invite_facilitator(
        session, email=" Nia@Example.com ", name="Nia", actor=admin
    )

    user = issued.facilitator
    assert (user.email, user.name, user.is_admin, accounts.account_state(user)) == (
        "nia@example.com",
        "Nia",
        False,
        "invited",
    )
    assert not _signs_in(session, "nia@example.com", "")
    assert issued.url("https://t.example/") == f"https://t.example/password/{issued.token}"
    assert accounts.check_password_link(session, token=issued.token).id == user.id
    accounts.set_password_with_link(session, token=issued.token, password=NEW_PASSWORD)
    assert _signs_in(session, "nia@example.com", NEW_PASSWORD)
    assert accounts.account_state(user) == "active"


def test_a_set_password_link_works_once(session: Session) -> None:
    issued = accounts.invite_facilitator(session, email="nia@example.com")
    accounts.set_password_with_link(session, token=issued.token, password=NEW_PASSWORD)

    with pytest.raises(NotFound):
        accounts.set_password_with_link(session, token=issued.token, password="another password!")
    assert _signs_in(session, "nia@example.com", NEW_PASSWORD)


def test_an_expired_link_sets_nothing(session: Session) -> None:
    issued = accounts.invite_facilitator(session, email="nia@example.com")
    link = session.get(PasswordLink, hash_token(issued.token))
    assert link is not None
    link.expires_at = utcnow() - timedelta(seconds=1)
    session.add(link)
    session.flush()

    with pytest.raises(NotFound):
        accounts.set_password_with_link(session, token=issued.token, password=NEW_PASSWORD)


def test_a_too_short_password_is_refused_and_the_link_stays(session: Session) -> None:
    issued = accounts.invite_facilitator(session, email="nia@example.com")

    with pytest.raises(InvalidInput) as refused:
        accounts.set_password_with_link(session, token=issued.token, password="short")

    assert [p.field for p in refused.value.problems] == ["password"]
    assert accounts.check_password_link(session, token=issued.token).email == "nia@example.com"


def test_inviting_a_known_or_broken_address_is_refused(session: Session) -> None:
    make_facilitator(session, "fran@example.com")

    with pytest.raises(Conflict):
        accounts.invite_facilitator(session, email="FRAN@example.com")
    with pytest.raises(InvalidInput) as refused:
        accounts.invite_facilitator(session, email="fran at example.com")
    assert [p.field for p in refused.value.problems] == ["email"]


def test_a_reset_voids_the_password_the_sessions_and_the_older_link(session: Session) -> None:
    fran = make_facilitator(session, "fran@example.com")
    start_session(session, hours=1, facilitator_id=fran.id)
    first = accounts.reset_facilitator(session, facilitator=fran)

    second = accounts.reset_facilitator(session, facilitator=fran)

    assert not _signs_in(session, fran.email, PASSWORD)
    assert session.exec(select(WebSession).where(WebSession.facilitator_id == fran.id)).all() == []
    with pytest.raises(NotFound):
        accounts.check_password_link(session, token=first.token)
    accounts.set_password_with_link(session, token=second.token, password=NEW_PASSWORD)
    assert _signs_in(session, fran.email, NEW_PASSWORD)


def test_a_deactivated_account_cannot_sign_in_and_loses_its_sessions(session: Session) -> None:
    admin = make_facilitator(session, "ada@example.com", admin=True)
    fran = make_facilitator(session, "fran@example.com")
    start_session(session, hours=1, facilitator_id=fran.id)
    link = accounts.reset_facilitator(session, facilitator=fran)
    accounts.set_password_with_link(session, token=link.token, password=NEW_PASSWORD)

    accounts.deactivate_facilitator(session, facilitator=fran, actor=admin)

    assert accounts.account_state(fran) == "deactivated"
    assert not _signs_in(session, fran.email, NEW_PASSWORD)
    assert session.exec(select(WebSession).where(WebSession.facilitator_id == fran.id)).all() == []
    with pytest.raises(Conflict):
        accounts.reset_facilitator(session, facilitator=fran)
    accounts.reactivate_facilitator(session, facilitator=fran, actor=admin)
    assert _signs_in(session, fran.email, NEW_PASSWORD)


def test_a_deactivation_voids_a_pending_invitation(session: Session) -> None:
    issued = accounts.invite_facilitator(session, email="nia@example.com")

    accounts.deactivate_facilitator(session, facilitator=issued.facilitator)
    accounts.reactivate_facilitator(session, facilitator=issued.facilitator)

    with pytest.raises(NotFound):
        accounts.check_password_link(session, token=issued.token)


def test_an_admin_cannot_deactivate_themselves_nor_the_last_admin(session: Session) -> None:
    ada = make_facilitator(session, "ada@example.com", admin=True)

    with pytest.raises(Conflict, match="your own account"):
        accounts.deactivate_facilitator(session, facilitator=ada, actor=ada)
    with pytest.raises(Conflict, match="last active admin"):
        accounts.deactivate_facilitator(session, facilitator=ada)
    assert ada.active


def test_each_change_is_audited_with_ids_and_actions_only(session: Session) -> None:
    ada = make_facilitator(session, "ada@example.com", admin=True)
    issued = accounts.invite_facilitator(session, email="nia@example.com", actor=ada)
    nia = issued.facilitator
    accounts.set_password_with_link(session, token=issued.token, password=NEW_PASSWORD)
    reset = accounts.reset_facilitator(session, facilitator=nia, actor=ada)
    accounts.deactivate_facilitator(session, facilitator=nia, actor=ada)
    accounts.reactivate_facilitator(session, facilitator=nia, actor=ada)

    events = _events(session)

    a, n = f"facilitator:{ada.id}", str(nia.id)
    assert events[1:] == [
        (a, "facilitator.invite", n),
        (f"facilitator:{nia.id}", "facilitator.set_password", n),
        (a, "facilitator.reset", n),
        (a, "facilitator.deactivate", n),
        (a, "facilitator.reactivate", n),
    ]
    stored = repr([(e.detail, e.object_id) for e in session.exec(select(AuditEvent)).all()])
    for secret in (issued.token, reset.token, NEW_PASSWORD, "nia@example.com"):
        assert secret not in stored


def test_facilitators_are_found_by_id_or_email(session: Session) -> None:
    fran = make_facilitator(session, "fran@example.com")

    assert accounts.get_facilitator(session, ref=" FRAN@example.com").id == fran.id
    assert accounts.get_facilitator(session, ref=str(fran.id)).id == fran.id
    with pytest.raises(NotFound):
        accounts.get_facilitator(session, ref="nobody@example.com")
    assert [f.email for f in accounts.list_facilitators(session)] == ["fran@example.com"]
    assert isinstance(fran, Facilitator)
