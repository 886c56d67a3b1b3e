"""Appointment reminders by email, through an outbox.

A pass (`openiop reminders send`) does three things:
1. queue: one reminder row per upcoming scheduled appointment, and per group day for patients
   who asked for those, of patients who opted in; its send time is the lead time before the
   visit, moved out of the location's quiet hours (reminders_rules);
2. check every open row against its visit: a cancelled visit, an opt-out or a removed email
   drops the reminder; a moved visit moves its send time;
3. deliver the due rows one transaction each, so a message the mail server accepted is marked
   sent at once and a re-run never sends it again. A failed send records the error and is
   retried later with doubling waits, up to the attempt limit.

Sends are audited (a reminder discloses a visit's time to the patient's mailbox).
Functions take keyword arguments and never commit; the caller's units of work do.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from openiop.calendar import reminders_repository as repository
from openiop.calendar import reminders_rules as rules
from openiop.calendar.reminders_mail import SendFailed, Transport
from openiop.config import Settings
from openiop.kit import clock
from openiop.models import Appointment, GroupSession, Reminder
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry

JOB = Actor(None, "job", None, "openiop reminders")
# Queue this far beyond the lead time, so a visit moved earlier still gets its reminder.
QUEUE_SLACK = timedelta(days=2)

Units = Callable[[], AbstractContextManager[Session]]


@dataclass
class PassResult:
    queued: int = 0
    dropped: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def quiet_hours(settings: Settings) -> rules.QuietHours:
    return rules.QuietHours(
        rules.parse_clock(settings.reminder_quiet_start),
        rules.parse_clock(settings.reminder_quiet_end),
    )


def run_pass(units: Units, *, settings: Settings, transport: Transport) -> PassResult:
    """Queue, check and deliver; each step and each message in its own unit of work."""
    result = PassResult()
    with units() as session:
        result.queued = queue_reminders(session, settings=settings)
        result.dropped = check_open(session, settings=settings)
    with units() as session:
        ids = repository.due_ids(session, clock.now(), settings.reminder_max_attempts)
    for reminder_id in ids:
        with units() as session:
            result.count(
                deliver_one(
                    session, reminder_id=reminder_id, settings=settings, transport=transport
                )
            )
    return result


# ---- queueing ---------------------------------------------------------------------------


def queue_reminders(session: Session, *, settings: Settings) -> int:
    now = clock.now()
    end = now + timedelta(hours=settings.reminder_lead_hours) + QUEUE_SLACK
    added = 0
    # Held while queueing: each reminder's site zone then comes from the identity map.
    sites = repository.all_locations(session)  # noqa: F841
    for item in repository.appointments_to_remind(session, now, end):
        added += _add(session, settings, item.patient_id, item, appointment_id=item.id)
    for group, patient_id in repository.group_days_to_remind(session, now, end):
        added += _add(session, settings, patient_id, group, group_session_id=group.id)
    session.flush()
    return added


def _add(  # type: ignore[no-untyped-def]
    session: Session, settings: Settings, patient_id: int, visit, **subject: int
) -> int:
    session.add(
        Reminder(
            patient_id=patient_id,
            starts_at=visit.starts_at,
            send_after=_due(session, settings, visit),
            status="queued",
            attempts=0,
            **subject,
        )
    )
    return 1


def _due(session: Session, settings: Settings, visit: Appointment | GroupSession) -> datetime:
    return rules.due_at(
        visit.starts_at,
        lead_hours=settings.reminder_lead_hours,
        quiet=quiet_hours(settings),
        zone=_zone(session, visit.location_id),
    )


def _zone(session: Session, location_id: int) -> str:
    place = repository.location(session, location_id)
    return place.time_zone if place else "UTC"


# ---- checking open reminders against their visit ----------------------------------------


def check_open(session: Session, *, settings: Settings) -> int:
    """Drop reminders whose visit was cancelled or whose patient opted out; follow moves."""
    dropped = 0
    reminders = repository.open_reminders(session)
    rows = repository.preload(session, reminders)  # noqa: F841 (kept alive for the loop)
    tracks = repository.active_tracks(session, {r.patient_id for r in reminders})
    for reminder in reminders:
        visit = _visit(session, reminder)
        reason = _drop_reason(session, reminder, visit, tracks)
        if reason:
            _drop(reminder, reason)
            dropped += 1
        elif visit is not None and visit.starts_at != reminder.starts_at:
            reminder.starts_at = visit.starts_at
            reminder.send_after = _due(session, settings, visit)
    session.flush()
    return dropped


def _visit(session: Session, reminder: Reminder) -> Appointment | GroupSession | None:
    if reminder.appointment_id is not None:
        return repository.appointment(session, reminder.appointment_id)
    assert reminder.group_session_id is not None  # the table's check constraint
    return repository.group_session(session, reminder.group_session_id)


def _drop_reason(
    session: Session,
    reminder: Reminder,
    visit: Appointment | GroupSession | None,
    tracks: set[tuple[int, int]] | None = None,
) -> str | None:
    """Why the reminder must not be sent, if it must not. `tracks` are the active
    (patient, track) enrollments when known, saving a query per group-day reminder."""
    if visit is None or visit.status != "scheduled":
        return "visit cancelled"
    preference = repository.preference(session, reminder.patient_id)
    if preference is None or not preference.email_opt_in:
        return "patient opted out"
    if isinstance(visit, GroupSession):
        if not preference.group_days:
            return "patient opted out of group-day reminders"
        if tracks is None:
            tracks = repository.active_tracks(session, {reminder.patient_id})
        if (reminder.patient_id, visit.track_id) not in tracks:
            return "no longer enrolled on the track"
    patient = repository.patient(session, reminder.patient_id)
    if patient is None or not patient.email:
        return "no email address"
    return None


def _drop(reminder: Reminder, reason: str) -> None:
    reminder.status = "dropped"
    reminder.drop_reason = reason


# ---- delivering -------------------------------------------------------------------------


def deliver_one(
    session: Session, *, reminder_id: int, settings: Settings, transport: Transport
) -> str:
    """Send one due reminder. Returns sent, failed, postponed, dropped or skipped."""
    now = clock.now()
    reminder = repository.lock_reminder(session, reminder_id)
    if reminder is None or reminder.status not in repository.RETRYABLE:
        return "skipped"  # another sender has it, or it was settled meanwhile
    if reminder.send_after > now or reminder.attempts >= settings.reminder_max_attempts:
        return "skipped"
    visit = _visit(session, reminder)
    reason = _drop_reason(session, reminder, visit) or _too_late(reminder, now)
    if reason or visit is None:
        _drop(reminder, reason or "visit cancelled")
        return "dropped"
    zone = _zone(session, visit.location_id)
    later = rules.outside_quiet_hours(now, quiet=quiet_hours(settings), zone=zone)
    if later != now:
        reminder.send_after = later  # e.g. a retry that came due in the night
        return "postponed"
    return _send(session, reminder, visit, zone, settings=settings, transport=transport)


def _too_late(reminder: Reminder, now: datetime) -> str | None:
    return "visit already started" if now >= reminder.starts_at else None


def _send(  # type: ignore[no-untyped-def]
    session: Session, reminder: Reminder, visit, zone: str, *, settings: Settings, transport
) -> str:
    patient = repository.patient(session, reminder.patient_id)
    place = repository.location(session, visit.location_id)
    assert patient is not None and patient.email and place is not None  # checked by the caller
    body = rules.message_text(
        site=place.name,
        starts_at=visit.starts_at,
        zone=zone,
        video=isinstance(visit, Appointment) and visit.telehealth,
    )
    now = clock.now()
    reminder.attempts += 1
    reminder.last_attempt_at = now
    try:
        transport.send(to=patient.email, subject=rules.SUBJECT, body=body)
    except SendFailed as error:
        reminder.status, reminder.last_error = "failed", str(error)
        reminder.send_after = rules.retry_at(
            now, attempts=reminder.attempts, base_minutes=settings.reminder_retry_minutes
        )
        _audit(session, reminder, "failed")
        return "failed"
    reminder.status, reminder.sent_at, reminder.sent_to = "sent", now, patient.email
    reminder.last_error = None
    _audit(session, reminder, "sent")
    return "sent"


def _audit(session: Session, reminder: Reminder, detail: str) -> None:
    audit.record(
        session,
        JOB,
        AuditEntry(
            "reminder.send",
            patient_id=reminder.patient_id,
            object_type="reminder",
            object_id=reminder.id,
            detail=f"{detail}; attempt {reminder.attempts}",
        ),
    )


# ---- for operators ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    failing: list[Reminder]  # newest failures first: what an operator needs to look at


def outbox_status(session: Session, *, limit: int = 20) -> OutboxStatus:
    """Counts by status and the latest failures, without names or addresses (an operator
    investigating the mail server needs the errors, not who the patients are)."""
    counts = {status: 0 for status in ("queued", "sent", "failed", "dropped")}
    counts.update(repository.counts_by_status(session))
    return OutboxStatus(counts, repository.failing(session, limit))
