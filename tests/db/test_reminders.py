"""The reminder outbox against a real local SMTP server (aiosmtpd), with time frozen.

Times: the patient's individual session is Tuesday Nov 10, 2026 at 09:00 Pacific; quiet
hours are 21:00-08:00 at the site.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, select

from openiop.calendar import reminders_service
from openiop.calendar.reminders_mail import SmtpTransport
from openiop.kit import clock
from openiop.models import AuditEvent, Reminder, ReminderPreference
from tests.db.support_calendar_feeds import appointment, group_session, local
from tests.personas import build_world

MONDAY_MORNING = local(date(2026, 11, 9), time(10))
TUESDAY = date(2026, 11, 10)
PAT_EMAIL = "pat.q@example.net"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


class Refusing:
    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        return "554 5.3.0 Mail system unavailable for testing"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(handler) -> Iterator[int]:  # type: ignore[no-untyped-def]
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    with smtp_server(box) as port:
        yield box, port


def mail_settings(settings, port: int, **kw):  # type: ignore[no-untyped-def]
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "none",
        "smtp_from": "reminders@clinic.example",
        "reminder_lead_hours": 12,
        **kw,
    }
    return settings.model_copy(update=values)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    clock.freeze(MONDAY_MORNING.astimezone(UTC))
    w = build_world(db)
    w.patient.email = PAT_EMAIL
    db.add(ReminderPreference(patient_id=w.patient.id, email_opt_in=True))
    w.visit = appointment(
        db,
        patient_id=w.patient.id,
        staff_member_id=w.users["care_counselor"].staff_member_id,
        location=w.site_a,
        day=TUESDAY,
        at=time(9),
    )
    db.flush()
    return w


def run(db, settings):  # type: ignore[no-untyped-def]
    @contextmanager
    def unit():  # type: ignore[no-untyped-def]
        yield db
        db.flush()

    return reminders_service.run_pass(unit, settings=settings, transport=SmtpTransport(settings))


def at(moment: datetime) -> None:
    clock.freeze(moment.astimezone(UTC))


def reminders(db) -> list[Reminder]:  # type: ignore[no-untyped-def]
    return list(db.scalars(select(Reminder).order_by(Reminder.id)))


def test_an_evening_due_time_waits_for_the_morning_and_is_sent_once(db, world, settings, inbox):
    box, port = inbox
    config = mail_settings(settings, port)
    assert run(db, config).queued == 1
    (reminder,) = reminders(db)
    # 12 h before 09:00 is 21:00, inside quiet hours: postponed to 08:00 the same morning.
    assert reminder.send_after == local(TUESDAY, time(8)).astimezone(UTC)
    for moment in (local(date(2026, 11, 9), time(21, 30)), local(TUESDAY, time(7, 59))):
        at(moment)
        assert run(db, config).outcomes == {}
    assert box.messages == []
    at(local(TUESDAY, time(8)))
    assert run(db, config).outcomes == {"sent": 1}
    at(local(TUESDAY, time(8, 5)))
    assert run(db, config).outcomes == {} and run(db, config).queued == 0  # no duplicates
    assert len(box.messages) == 1
    recipients, raw = box.messages[0]
    message = message_from_bytes(raw)
    body = message.get_payload(decode=True).decode()
    assert recipients == [PAT_EMAIL] and message["Subject"] == "Appointment reminder"
    assert message["From"] == "reminders@clinic.example"
    assert "You have an appointment at Site A on Tuesday, November 10, 2026 at 9:00 AM" in body
    for word in ("Pat", "Quillfeather", "counsel", "Staffer", "F10", "alcohol"):
        assert word not in body
    assert (reminder.status, reminder.attempts, reminder.sent_to) == ("sent", 1, PAT_EMAIL)
    sends = db.scalars(select(AuditEvent).where(AuditEvent.action == "reminder.send")).all()
    assert [(e.patient_id, e.channel) for e in sends] == [(world.patient.id, "job")]


def test_a_cancelled_appointment_drops_its_reminder(db, world, settings, inbox):
    box, port = inbox
    config = mail_settings(settings, port)
    run(db, config)
    world.visit.status, world.visit.cancel_reason = "cancelled", "patient called"
    db.flush()
    at(local(TUESDAY, time(8)))
    result = run(db, config)
    assert result.dropped == 1 and result.outcomes == {}
    (reminder,) = reminders(db)
    assert (reminder.status, reminder.drop_reason) == ("dropped", "visit cancelled")
    assert box.messages == []


def test_a_moved_appointment_moves_its_reminder(db, world, settings, inbox):
    _, port = inbox
    config = mail_settings(settings, port)
    run(db, config)
    world.visit.starts_at = local(TUESDAY, time(15))
    world.visit.ends_at = local(TUESDAY, time(15, 50))
    db.flush()
    run(db, config)
    (reminder,) = reminders(db)
    assert reminder.starts_at == local(TUESDAY, time(15)).astimezone(UTC)
    assert reminder.send_after == local(TUESDAY, time(8)).astimezone(UTC)  # 03:00 → 08:00


def test_a_failing_server_marks_failed_and_the_reminder_is_retried_later(db, world, settings):
    # 24 h lead for a 20:55 visit: due Monday 20:55, just before quiet hours.
    world.visit.starts_at = local(TUESDAY, time(20, 55))
    world.visit.ends_at = local(TUESDAY, time(21, 45))
    db.flush()
    box = Inbox()
    with smtp_server(Refusing()) as bad_port:
        bad = mail_settings(settings, bad_port, reminder_lead_hours=24)
        run(db, bad)
        at(local(date(2026, 11, 9), time(20, 55)))
        assert run(db, bad).outcomes == {"failed": 1}
        (reminder,) = reminders(db)
        assert (reminder.status, reminder.attempts) == ("failed", 1)
        assert "554" in reminder.last_error and "unavailable" in reminder.last_error
        assert run(db, bad).outcomes == {}  # not again until the retry time
    with smtp_server(box) as good_port:
        good = mail_settings(settings, good_port, reminder_lead_hours=24)
        at(local(date(2026, 11, 9), time(21, 10)))  # retry due, but now in quiet hours
        assert run(db, good).outcomes == {"postponed": 1}
        assert reminder.send_after == local(TUESDAY, time(8)).astimezone(UTC)
        at(local(TUESDAY, time(8)))
        assert run(db, good).outcomes == {"sent": 1}
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 2, None)
    assert len(box.messages) == 1
    details = [
        e.detail for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "reminder.send"))
    ]
    assert details == ["failed; attempt 1", "sent; attempt 2"]


def test_an_unreachable_server_is_a_failure_with_the_reason(db, world, settings):
    config = mail_settings(settings, _free_port(), reminder_max_attempts=2)
    run(db, config)
    at(local(TUESDAY, time(8)))
    assert run(db, config).outcomes == {"failed": 1}
    (reminder,) = reminders(db)
    assert "ConnectionRefusedError" in reminder.last_error
    at(local(TUESDAY, time(8, 20)))
    assert run(db, config).outcomes == {"failed": 1}
    at(local(TUESDAY, time(8, 59)))
    assert run(db, config).outcomes == {}  # gave up after the attempt limit
    assert reminder.attempts == 2


def test_only_opted_in_patients_with_an_email_are_reminded(db, world, settings, inbox):
    box, port = inbox
    config = mail_settings(settings, port)
    other = world.other_patient
    other.email = "robin@example.net"  # has an email, never opted in
    appointment(
        db,
        patient_id=other.id,
        staff_member_id=world.users["other_site_counselor"].staff_member_id,
        location=world.site_b,
        day=TUESDAY,
        at=time(10),
    )
    world.patient.email = None  # opted in, but the address was removed
    db.flush()
    run(db, config)
    at(local(TUESDAY, time(8)))
    result = run(db, config)
    assert result.outcomes == {}
    (reminder,) = reminders(db)  # only the opted-in patient's appointment was queued
    assert (reminder.patient_id, reminder.status) == (world.patient.id, "dropped")
    assert reminder.drop_reason == "no email address"
    assert box.messages == []


def test_group_days_are_reminded_only_when_asked_for(db, world, settings, inbox):
    box, port = inbox
    config = mail_settings(settings, port)
    session = group_session(db, track=world.track_a, day=TUESDAY, facilitator_id=None)
    run(db, config)
    assert [r.appointment_id for r in reminders(db)] == [world.visit.id]
    preference = db.get(ReminderPreference, world.patient.id)
    preference.group_days = True
    db.flush()
    assert run(db, config).queued == 1
    group_reminder = reminders(db)[1]
    assert (group_reminder.group_session_id, group_reminder.patient_id) == (
        session.id,
        world.patient.id,
    )
    at(local(TUESDAY, time(8)))
    assert run(db, config).outcomes == {"sent": 2}
    bodies = [message_from_bytes(raw).get_payload(decode=True).decode() for _, raw in box.messages]
    assert all(b.startswith("You have an appointment at Site A") for b in bodies)
    assert not any("Relapse" in b or "group" in b.lower() for b in bodies)


def test_a_visit_already_started_is_not_reminded(db, world, settings, inbox):
    box, port = inbox
    config = mail_settings(settings, port)
    run(db, config)
    at(local(TUESDAY, time(9, 30)))  # the sender was down all morning
    assert run(db, config).outcomes == {"dropped": 1}
    assert reminders(db)[0].drop_reason == "visit already started"
    assert box.messages == []
    assert world.visit.starts_at - timedelta(hours=1) < clock.now()


def test_checking_the_outbox_costs_a_fixed_number_of_queries(db, world, settings, inbox):
    _, port = inbox
    config = mail_settings(settings, port)
    for hour in range(10, 18):  # eight more appointments the same day
        appointment(
            db,
            patient_id=world.patient.id,
            staff_member_id=world.users["care_counselor"].staff_member_id,
            location=world.site_a,
            day=TUESDAY,
            at=time(hour),
            minutes=30,
        )
    db.get(ReminderPreference, world.patient.id).group_days = True
    for day in (TUESDAY, date(2026, 11, 11)):
        group_session(db, track=world.track_a, day=day, facilitator_id=None)
    assert reminders_service.queue_reminders(db, settings=config) == 11
    db.expire_all()  # start from an empty identity map, as a new pass does
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert reminders_service.check_open(db, settings=config) == 0
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 8, "\n".join(
        s.split("WHERE")[0][:60] + s.split("WHERE")[-1][:60] for s in statements
    )
