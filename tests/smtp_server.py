"""A real SMTP server for tests (aiosmtpd on a thread): it keeps what it accepted, and can
refuse recipients, defer, drop the connection mid-message, speak TLS and ask for a login."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from app.core.config import Settings

USER, PASSWORD = "tandem", "s3cret-mail"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Recorder:
    """The server's side: what arrived, and how to misbehave."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    """Recipient -> the code its RCPT gets (550: refused for good, 450: try later)."""
    drop_next: int = 0
    """This many messages get their connection closed at the end of DATA, unanswered."""
    logins: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        code = self.refuse.get(address)
        if code:
            return f"{code} {'5.1.1 no such user' if code >= 500 else '4.2.1 try again later'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_next:
            self.drop_next -= 1
            server.transport.close()  # the whole message arrived; its answer never leaves
            return "421 closing"
        parsed = email.message_from_bytes(envelope.original_content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(data, LoginPassword)
            and data.login == USER.encode()
            and data.password == PASSWORD.encode()
        )
        self.logins += int(ok)
        return AuthResult(success=ok)


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder
    controller: Any = None

    def settings_for(self, settings: Settings, **update: Any) -> Settings:
        """``settings`` pointed at this server (plain SMTP, no login, unless ``update`` says)."""
        values: dict[str, Any] = {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": "none",
            "smtp_timeout": 5.0,
            "smtp_from": "Tandem <tandem@example.org>",
        }
        return settings.model_copy(update=values | update)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_server(
    *,
    port: int | None = None,
    recorder: Recorder | None = None,
    tls: ssl.SSLContext | None = None,
    starttls: ssl.SSLContext | None = None,
    login: bool = False,
) -> Iterator[SmtpServer]:
    """Serve SMTP on 127.0.0.1 until the block ends (``tls``: implicit TLS; ``starttls``:
    STARTTLS required; ``login``: AUTH required, as ``USER`` / ``PASSWORD``)."""
    from aiosmtpd.controller import Controller

    recorder = recorder or Recorder()
    options: dict[str, Any] = {}
    if starttls is not None:
        options |= {"tls_context": starttls, "require_starttls": True}
    if login:
        options |= {
            "authenticator": recorder.authenticate,
            "auth_required": True,
            "auth_require_tls": starttls is not None or tls is not None,
        }
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port or free_port(),
        ssl_context=tls,
        server_hostname="localhost",
        **options,
    )
    controller.start()
    server = SmtpServer("127.0.0.1", controller.port, recorder, controller)
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class SelfSigned:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def self_signed(folder: Path) -> SelfSigned:
    """A certificate for 127.0.0.1 and localhost, made with openssl (skips without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate for the TLS tests")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return SelfSigned(cert, key)
