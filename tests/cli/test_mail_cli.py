"""``tandem mail``: a test mail through the configured transport, and sending the outbox."""

from __future__ import annotations

import email
from email.policy import default
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from tests.smtp_server import smtp_server


@pytest.mark.usefixtures("cli_env")
def test_mail_test_without_a_server_writes_an_eml_file_and_says_where(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["mail", "test", "ops@example.org", "--language", "es"])

    folder = tmp_path / "var" / "mail"
    assert result.exit_code == 0, result.output
    assert f"1 sent to the folder {folder}" in result.output
    [written] = folder.glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=default)
    assert message["To"] == "ops@example.org"


@pytest.mark.usefixtures("cli_env")
def test_mail_test_through_a_server_that_refuses_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as server:
        server.recorder.refuse["ops@example.org"] = 451
        monkeypatch.setenv("TANDEM_SMTP_HOST", server.host)
        monkeypatch.setenv("TANDEM_SMTP_PORT", str(server.port))
        monkeypatch.setenv("TANDEM_SMTP_SECURITY", "none")
        from app.core.config import get_settings

        get_settings.cache_clear()
        refused = CliRunner().invoke(cli, ["mail", "test", "ops@example.org"])
        server.recorder.refuse.clear()
        too_soon = CliRunner().invoke(cli, ["mail", "send"])

    assert refused.exit_code == 1
    assert "0 sent to the mail server 127.0.0.1, 1 to retry" in refused.output
    assert "recipient deferred (451)" in refused.output
    assert (too_soon.exit_code, server.recorder.messages) == (0, [])
    assert "1 waiting" in too_soon.output


@pytest.mark.usefixtures("cli_env")
def test_mail_test_with_a_bad_address_says_so_and_queues_nothing() -> None:
    result = CliRunner().invoke(cli, ["mail", "test", "not an address"])

    assert result.exit_code == 1
    assert "to: a mail address looks like name@example.org" in result.output
