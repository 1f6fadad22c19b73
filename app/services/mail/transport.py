"""Where mail goes: an SMTP server (one connection per batch), or a folder of .eml files.

Each send reports one of four outcomes, and the outbox acts on them: ``sent``; ``retry`` (a
4xx answer, a dropped or refused connection, a timeout: try again later, the message was not
accepted); ``bounced`` (the server refused the recipient with a 5xx: the address is marked
and nothing more goes to it); ``failed`` (a 5xx for the message itself: retrying would not
help). Errors keep the SMTP code and the kind of failure only, never a part of the message.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from app.core.config import Settings

Outcome = Literal["sent", "retry", "bounced", "failed"]
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True, slots=True)
class Delivery:
    outcome: Outcome
    error: str = ""
    code: int = 0
    connection_lost: bool = False
    """The server is gone: the rest of the batch waits for the next attempt."""


class Transport(Protocol):
    def send(self, *, outbox_id: int, sender: str, to: str, payload: bytes) -> Delivery: ...

    def close(self) -> None: ...


class FolderTransport:
    """Writes each message to ``<folder>/<outbox id>.eml``: a resend overwrites, never doubles."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_of(self, outbox_id: int) -> Path:
        return self.folder / f"{outbox_id:08d}.eml"

    def send(self, *, outbox_id: int, sender: str, to: str, payload: bytes) -> Delivery:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_of(outbox_id)
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(payload)
        os.replace(partial, target)  # atomic: an .eml in the folder is always whole
        return Delivery("sent")

    def close(self) -> None:
        return None


def _reply_code(exc: smtplib.SMTPResponseException) -> int:
    return int(exc.smtp_code)


class SmtpTransport:
    """One SMTP session reused for every message of a batch (reconnects when it drops)."""

    def __init__(self, settings: Settings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    @property
    def port(self) -> int:
        return self.settings.smtp_port or DEFAULT_PORTS[self.settings.smtp_security]

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, self.port, timeout=s.smtp_timeout, context=self.ssl_context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, self.port, timeout=s.smtp_timeout)
        try:
            # Each command waits for its answer: nothing gains from Nagle's batching.
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _session(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, *, outbox_id: int, sender: str, to: str, payload: bytes) -> Delivery:
        try:
            smtp = self._session()
        except smtplib.SMTPAuthenticationError as exc:
            return Delivery("retry", f"login refused ({_reply_code(exc)})", _reply_code(exc), True)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return Delivery("retry", f"cannot connect: {type(exc).__name__}", 0, True)
        try:
            smtp.sendmail(sender, [to], payload)
        except smtplib.SMTPRecipientsRefused as exc:
            code, _text = exc.recipients.get(to, (550, b""))
            self._reset(smtp)
            if 400 <= code < 500:
                return Delivery("retry", f"recipient deferred ({code})", code)
            return Delivery("bounced", f"recipient refused ({code})", code)
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return Delivery("retry", f"connection lost: {type(exc).__name__}", 0, True)
        except smtplib.SMTPResponseException as exc:
            code = _reply_code(exc)
            self._reset(smtp)
            if 400 <= code < 500:
                return Delivery("retry", f"server deferred ({code})", code)
            return Delivery("failed", f"server refused the message ({code})", code)
        except smtplib.SMTPException as exc:
            self._drop()
            return Delivery("retry", f"smtp error: {type(exc).__name__}", 0, True)
        return Delivery("sent")

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()


def make_transport(settings: Settings) -> Transport:
    """SMTP when ``TANDEM_SMTP_HOST`` is set, else the mail folder."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return FolderTransport(settings.mail_folder)
