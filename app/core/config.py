"""The one Settings object. Nothing else in the code reads the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
"""The checkout (or installed tree) root: ``exercises/`` and ``var/`` live here."""

SHIPPED_LIBRARY = ROOT / "exercises"


class Settings(BaseSettings):
    """Runtime configuration, from ``TANDEM_*`` environment variables or ``.env``."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite:///var/tandem.db"
    secret_key: str = ""
    var_dir: Path = ROOT / "var"
    base_url: str = "http://127.0.0.1:8000"
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "testserver"]
    )
    library_dirs: list[Path] = Field(default_factory=list)
    """Extra exercise folders (an organisation's own) loaded beside the shipped ``exercises/``."""
    session_hours: int = 12
    participant_idle_minutes: int = 30
    """A tablet left alone this long is signed out: the next person must not find it open."""
    participant_session_hours: int = 12
    """However busy, a participant signs in again after this long (one day in the room)."""
    card_attempts_per_device: int = 10
    """Wrong codes or PINs one tablet may try per window (``login_window_seconds``)."""
    card_attempts_per_address: int = 300
    """Wrong codes or PINs per network address and window: a room of tablets shares one."""
    followup_days: int = 180
    retention_days: int = 365
    login_attempts_per_window: int = 10
    login_window_seconds: int = 300
    login_failures_overall_per_window: int = 20
    """Failed facilitator sign-ins from everyone together per window; past it every sign-in
    waits for the window (a flood of random e-mails never trips the per-e-mail limit)."""
    max_upload_bytes: int = 8_000_000
    """A roster upload: room for an organisation of 20,000 people (the import's row limit)."""
    roster_upload_hours: float = 24.0
    """An uploaded roster waits this long for its confirmation, then it is deleted (it holds
    everyone's name and e-mail); confirming or cancelling deletes it at once."""
    max_body_bytes: int = 9_000_000
    """Any request body; above ``max_upload_bytes`` by the multipart envelope of an upload."""
    job_backend: Literal["inprocess", "queue"] = "inprocess"
    """Where workbook jobs run: a thread of the web process, or ``tandem worker`` processes
    fed through a job queue kept in PostgreSQL (``queue`` needs a PostgreSQL database)."""
    workbook_workers: int = 2
    render_timeout_seconds: float = 60.0
    render_memory_mb: int = 1024
    pdf_cache_mb: int = 512
    """Rendered workbooks kept on disk for re-exports; the least recently used go first."""
    pdf_cache_hours: float = 24.0
    """A rendered workbook unused for this long is deleted (it may hold words since changed)."""
    log_level: str = "INFO"
    smtp_host: str = ""
    """The mail server; empty (the demo) writes each mail as an .eml file under ``mail_dir``."""
    smtp_port: int = Field(default=0, ge=0, le=65535)
    """0 = the usual port for ``smtp_security``: 587 (starttls), 465 (tls), 25 (none)."""
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_from: str = "Tandem <tandem@localhost>"
    smtp_timeout: float = Field(default=30.0, gt=0)
    mail_dir: Path | None = None
    """Where mail goes without a server (default ``var_dir/mail``)."""
    hsts_seconds: int = Field(default=31_536_000, ge=0)
    """How long browsers must use HTTPS only (Strict-Transport-Security), sent when the base
    URL is https or the request came over TLS; 0 sends no header."""
    max_inflight_requests: int = 128
    """Requests handled at once by one process; more get 503 with Retry-After at once."""

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError(
                "TANDEM_SECRET_KEY must be set to at least 32 random characters in production"
            )
        return self

    @property
    def trusted_hosts(self) -> list[str]:
        """Host headers we answer to: the configured ones plus the base URL's host."""
        from urllib.parse import urlsplit

        host = urlsplit(self.base_url).hostname
        return sorted({*self.allowed_hosts, *([host] if host else [])})

    @property
    def mail_folder(self) -> Path:
        """The folder .eml files are written to when no mail server is configured."""
        return self.mail_dir or self.var_dir / "mail"

    @property
    def all_library_dirs(self) -> list[Path]:
        """The shipped library first, then the configured extra folders."""
        return [SHIPPED_LIBRARY, *self.library_dirs]

    def ensure_secret(self) -> str:
        """Return the secret key; in development, generate it once and keep it under var/."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if key_file.exists():
            self.secret_key = key_file.read_text().strip()
        else:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self.secret_key = secrets.token_urlsafe(48)
            key_file.write_text(self.secret_key)
            key_file.chmod(0o600)
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache to change them)."""
    return Settings()
