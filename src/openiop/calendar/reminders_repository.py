"""All SQL for the reminder outbox and patients' reminder preferences."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from openiop.models import (
    Appointment,
    Enrollment,
    GroupSession,
    Location,
    Patient,
    Reminder,
    ReminderPreference,
)

RETRYABLE = ("queued", "failed")
CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit


def preference(session: Session, patient_id: int) -> ReminderPreference | None:
    return session.get(ReminderPreference, patient_id)


def patient(session: Session, patient_id: int) -> Patient | None:
    return session.get(Patient, patient_id)


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def all_locations(session: Session) -> list[Location]:
    return list(session.scalars(select(Location)))


def appointments_to_remind(session: Session, start: datetime, end: datetime) -> list[Appointment]:
    """Scheduled appointments in the window, of opted-in patients, not yet in the outbox."""
    return list(
        session.scalars(
            select(Appointment)
            .join(ReminderPreference, ReminderPreference.patient_id == Appointment.patient_id)
            .outerjoin(Reminder, Reminder.appointment_id == Appointment.id)
            .where(
                ReminderPreference.email_opt_in.is_(True),
                Appointment.status == "scheduled",
                Appointment.starts_at > start,
                Appointment.starts_at <= end,
                Reminder.id.is_(None),
            )
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )


def group_days_to_remind(
    session: Session, start: datetime, end: datetime
) -> list[tuple[GroupSession, int]]:
    """(session, patient id) for each scheduled group day of a patient who asked for group
    reminders and is actively enrolled on the track that day, not yet in the outbox."""
    existing = and_(
        Reminder.group_session_id == GroupSession.id, Reminder.patient_id == Enrollment.patient_id
    )
    rows = session.execute(
        select(GroupSession, Enrollment.patient_id)
        .join(Enrollment, Enrollment.track_id == GroupSession.track_id)
        .join(ReminderPreference, ReminderPreference.patient_id == Enrollment.patient_id)
        .outerjoin(Reminder, existing)
        .where(
            ReminderPreference.email_opt_in.is_(True),
            ReminderPreference.group_days.is_(True),
            Enrollment.status == "active",
            Enrollment.admit_date <= GroupSession.session_date,
            GroupSession.status == "scheduled",
            # A day either side of the instants covers every zone; it lets an index help.
            GroupSession.session_date.between(
                (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
            ),
            GroupSession.starts_at > start,
            GroupSession.starts_at <= end,
            Reminder.id.is_(None),
        )
        .order_by(GroupSession.starts_at, GroupSession.id, Enrollment.patient_id)
    ).all()
    return [(group, patient_id) for group, patient_id in rows]


def open_reminders(session: Session) -> list[Reminder]:
    """Reminders not yet sent or dropped: checked against their visit before each run."""
    return list(
        session.scalars(
            select(Reminder).where(Reminder.status.in_(RETRYABLE)).order_by(Reminder.id)
        )
    )


def due_ids(session: Session, now: datetime, max_attempts: int) -> list[int]:
    return list(
        session.scalars(
            select(Reminder.id)
            .where(
                Reminder.status.in_(RETRYABLE),
                Reminder.send_after <= now,
                Reminder.attempts < max_attempts,
            )
            .order_by(Reminder.send_after, Reminder.id)
        )
    )


def lock_reminder(session: Session, reminder_id: int) -> Reminder | None:
    """The row, locked so a second sender running at the same time skips it."""
    return session.scalars(
        select(Reminder).where(Reminder.id == reminder_id).with_for_update(skip_locked=True)
    ).first()


def preload(session: Session, reminders: list[Reminder]) -> list[object]:
    """Load every row the checks of these reminders will ask for, a chunk of ids per query,
    so the per-reminder `session.get` calls below are answered from the identity map instead
    of costing a query each. The caller keeps the returned list while it works: the identity
    map holds rows weakly, so unreferenced ones would be forgotten at once."""
    ids = {
        Appointment: {r.appointment_id for r in reminders if r.appointment_id},
        GroupSession: {r.group_session_id for r in reminders if r.group_session_id},
        Patient: {r.patient_id for r in reminders},
    }
    kept: list = []  # type: ignore[type-arg]
    for model, wanted in ids.items():
        kept += _load(session, model, model.id, wanted)
    kept += _load(session, ReminderPreference, ReminderPreference.patient_id, ids[Patient])
    places = {v.location_id for v in kept if isinstance(v, Appointment | GroupSession)}
    return kept + _load(session, Location, Location.id, places)


def _load(session: Session, model, column, wanted: set[int]) -> list:  # type: ignore[no-untyped-def]
    ordered, rows = sorted(wanted), []
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows += session.scalars(select(model).where(column.in_(chunk))).all()
    return rows


def appointment(session: Session, appointment_id: int) -> Appointment | None:
    return session.get(Appointment, appointment_id)


def group_session(session: Session, group_session_id: int) -> GroupSession | None:
    return session.get(GroupSession, group_session_id)


def active_tracks(session: Session, patient_ids: set[int]) -> set[tuple[int, int]]:
    """(patient id, track id) of every active enrollment of these patients."""
    ordered, pairs = sorted(patient_ids), set()
    for start in range(0, len(ordered), CHUNK):
        rows = session.execute(
            select(Enrollment.patient_id, Enrollment.track_id).where(
                Enrollment.patient_id.in_(ordered[start : start + CHUNK]),
                Enrollment.status == "active",
                Enrollment.track_id.is_not(None),
            )
        )
        pairs |= {(patient_id, track_id) for patient_id, track_id in rows}
    return pairs


def patient_reminders(session: Session, patient_id: int, limit: int = 20) -> list[Reminder]:
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.patient_id == patient_id)
            .order_by(Reminder.starts_at.desc(), Reminder.id.desc())
            .limit(limit)
        )
    )


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
    return {status: count for status, count in rows}


def failing(session: Session, limit: int) -> list[Reminder]:
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.status == "failed")
            .order_by(Reminder.last_attempt_at.desc(), Reminder.id.desc())
            .limit(limit)
        )
    )
