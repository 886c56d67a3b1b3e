"""`openiop reminders send` end to end: its own engine and transactions, a real SMTP server."""

from __future__ import annotations

import socket
from datetime import UTC, date, time

import pytest
from sqlalchemy import select

from openiop.config import get_settings
from openiop.kit import clock
from openiop.models import Reminder, ReminderPreference
from tests.db.support_calendar_feeds import appointment, local
from tests.db.test_cli import cli_url, postgres_template, run, session_on  # noqa: F401
from tests.db.test_reminders import Inbox, smtp_server
from tests.personas import build_world


@pytest.fixture
def smtp_env(monkeypatch):  # type: ignore[no-untyped-def]
    box = Inbox()
    with smtp_server(box) as port:
        for name, value in {
            "OPENIOP_SMTP_HOST": "127.0.0.1",
            "OPENIOP_SMTP_PORT": str(port),
            "OPENIOP_SMTP_TLS": "none",
            "OPENIOP_REMINDER_LEAD_HOURS": "12",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


def _a_reminder_due(url: str) -> None:
    with session_on(url) as session:
        world = build_world(session)
        world.patient.email = "pat.q@example.net"
        session.add(ReminderPreference(patient_id=world.patient.id, email_opt_in=True))
        appointment(
            session,
            patient_id=world.patient.id,
            staff_member_id=world.users["care_counselor"].staff_member_id,
            location=world.site_a,
            day=date(2026, 11, 10),
            at=time(9),
        )
    clock.freeze(local(date(2026, 11, 10), time(8)).astimezone(UTC))


def test_send_queues_delivers_and_never_repeats(cli_url, smtp_env):  # noqa: F811
    _a_reminder_due(cli_url)
    first = run("reminders", "send")
    assert first.exit_code == 0, first.output
    assert "queued 1, dropped 0; 1 sent" in first.output
    second = run("reminders", "send")
    assert "queued 0, dropped 0; nothing due" in second.output
    assert [rcpt for rcpt, _ in smtp_env.messages] == [["pat.q@example.net"]]
    with session_on(cli_url) as session:
        (row,) = session.scalars(select(Reminder)).all()
        assert (row.status, row.attempts) == ("sent", 1)


def test_interval_below_ten_seconds_is_refused(cli_url):  # noqa: F811
    result = run("reminders", "send", "--loop", "--interval", "5")
    assert result.exit_code == 2 and "--interval" in result.output


def test_an_impossible_quiet_hour_is_named(cli_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENIOP_REMINDER_QUIET_START", "25:00")
    get_settings.cache_clear()
    result = run("reminders", "send")
    assert result.exit_code == 2
    assert "OPENIOP_REMINDER_QUIET_START" in result.output and "'25:00'" in result.output


def test_status_lists_failures_with_the_servers_error(cli_url, monkeypatch):  # noqa: F811
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name, value in {"OPENIOP_SMTP_HOST": "127.0.0.1", "OPENIOP_SMTP_PORT": str(port)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENIOP_SMTP_TLS", "none")
    get_settings.cache_clear()
    _a_reminder_due(cli_url)
    assert "1 failed" in run("reminders", "send").output
    result = run("reminders", "status")
    assert result.exit_code == 0
    assert "0 queued, 0 sent, 1 failed, 0 dropped" in result.output
    assert "ConnectionRefusedError" in result.output
    assert "Quillfeather" not in result.output and "pat.q@" not in result.output
