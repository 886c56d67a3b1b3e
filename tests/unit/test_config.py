"""Settings come from OPENIOP_* variables; outside dev mode a real secret is required."""

from __future__ import annotations

import pytest

from openiop.config import ConfigError, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENIOP_DATABASE_URL", "OPENIOP_DATA_DIR", "OPENIOP_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.default_time_zone == "America/Los_Angeles"
    assert settings.session_idle_minutes == 15
    assert settings.database_url == "sqlite:///var/openiop.sqlite3"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENIOP_DATABASE_URL", "postgresql://postgres@127.0.0.1/x")
    monkeypatch.setenv("OPENIOP_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("OPENIOP_MFA_REQUIRED", "yes")
    settings = Settings()
    assert settings.database_url.startswith("postgresql://")
    assert settings.session_idle_minutes == 5
    assert settings.mfa_required is True


@pytest.mark.parametrize("secret", ["", "change-me", "secret", "too-short-but-not-placeholder"])
def test_outside_dev_mode_a_real_secret_is_required(secret: str) -> None:
    with pytest.raises(ConfigError, match="OPENIOP_SECRET_KEY"):
        Settings(secret_key=secret, dev_mode=False).check_secret()


def test_dev_mode_fills_a_dev_secret_and_a_real_secret_passes() -> None:
    Settings(dev_mode=True).check_secret()
    Settings(secret_key="k" * 40, dev_mode=False).check_secret()


def test_create_app_refuses_to_start_without_a_secret() -> None:
    from openiop.app import create_app

    with pytest.raises(ConfigError, match="OPENIOP_SECRET_KEY"):
        create_app(Settings(secret_key="", dev_mode=False, database_url="sqlite://"))
