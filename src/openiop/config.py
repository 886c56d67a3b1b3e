"""All settings in one object, read from OPENIOP_* environment variables.

Outside dev mode the app refuses to start with a missing or placeholder secret, because
session cookies, CSRF tokens and API tokens all lean on it.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev", "placeholder", "xxx"}
DEV_SECRET = "dev-only-secret-not-for-production"


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENIOP_", extra="ignore")

    dev_mode: bool = Field(default=False, description="Relaxes the secret check; demo only.")
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    default_time_zone: str = "America/Los_Angeles"
    session_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=24 * 7)
    mfa_required: bool = False
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    break_glass_minutes: int = Field(default=60, ge=5)
    cookie_secure: bool | None = None  # None: secure unless the request is to localhost
    # Fernet key for private SUD counseling notes (docs/notes.md); dev mode derives one.
    notes_key: str = ""
    # A note signed more than this many hours after the service is flagged as a late entry.
    notes_late_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Outgoing mail for appointment reminders (docs/calendar-feeds.md). No host: no sending.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_from: str = "reminders@openiop.invalid"
    smtp_timeout_seconds: int = Field(default=20, ge=1, le=300)
    reminder_lead_hours: int = Field(default=24, ge=1, le=24 * 7)
    reminder_quiet_start: str = Field(default="21:00", pattern=r"^\d{2}:\d{2}$")
    reminder_quiet_end: str = Field(default="08:00", pattern=r"^\d{2}:\d{2}$")
    reminder_max_attempts: int = Field(default=5, ge=1, le=50)
    reminder_retry_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'openiop.sqlite3').as_posix()}"
        if not self.secret_key and self.dev_mode:
            self.secret_key = DEV_SECRET
        return self

    def check_secret(self) -> None:
        """Raise ConfigError unless the secret is real (dev mode accepts the dev secret)."""
        if self.dev_mode:
            return
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or self.secret_key == DEV_SECRET:
            raise ConfigError(
                "OPENIOP_SECRET_KEY is missing or a placeholder: set it to a long random value, "
                "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'` "
                "(or set OPENIOP_DEV_MODE=1 for a local demo)."
            )
        if len(self.secret_key) < 32:
            raise ConfigError("OPENIOP_SECRET_KEY is too short: use at least 32 characters.")
        check_notes_key(self.notes_key)


def check_notes_key(key: str) -> None:
    """Private counseling notes are encrypted with this key: outside dev mode it must be a
    Fernet key (32 bytes, URL-safe base64), or the server refuses to start."""
    try:
        valid = len(base64.urlsafe_b64decode(key.encode())) == 32 if key else False
    except (ValueError, binascii.Error):
        valid = False
    if not valid:
        raise ConfigError(
            "OPENIOP_NOTES_KEY is missing or not a key: set it to the output of "
            "`python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'`"
            " and keep it with your backups (without it private notes cannot be read)."
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
