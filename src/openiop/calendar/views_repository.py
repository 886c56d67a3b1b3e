"""The SQL behind the week and day views: one query for group sessions, one for appointments.

Each loads what the grid shows (patient, staff member, room, track, whom a stand-in replaced,
and the track's own facilitators, for older covers that did not record it) in the same round trip, so a week of a busy site
is two queries whatever its size.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from openiop.models import (
    Appointment,
    Enrollment,
    GroupAttendance,
    GroupSession,
    Patient,
    PatientBlock,
    Room,
    Track,
)


def _sessions(first: date, last: date) -> Select:
    return (
        select(GroupSession)
        .where(GroupSession.session_date >= first, GroupSession.session_date <= last)
        .options(
            # Joined, not a second SELECT: the rows repeat per track facilitator (one or
            # two), which unique() folds back, and the view stays one query.
            joinedload(GroupSession.track).joinedload(Track.facilitators),
            joinedload(GroupSession.facilitator),
            joinedload(GroupSession.covering_for),
            joinedload(GroupSession.room),
        )
        .order_by(GroupSession.starts_at, GroupSession.id)
    )


def _appointments(start: datetime, end: datetime) -> Select:
    return (
        select(Appointment)
        .where(Appointment.starts_at < end, Appointment.ends_at > start)
        .options(
            joinedload(Appointment.patient),
            joinedload(Appointment.staff_member),
            joinedload(Appointment.room),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )


def sessions_at(session: Session, location_id: int, first: date, last: date) -> list[GroupSession]:
    query = _sessions(first, last).where(GroupSession.location_id == location_id)
    return list(session.scalars(query).unique())


def sessions_led(session: Session, staff_id: int, first: date, last: date) -> list[GroupSession]:
    query = _sessions(first, last).where(GroupSession.facilitator_id == staff_id)
    return list(session.scalars(query).unique())


def sessions_of_tracks(
    session: Session, track_ids: list[int], first: date, last: date
) -> list[GroupSession]:
    if not track_ids:
        return []
    query = _sessions(first, last).where(GroupSession.track_id.in_(track_ids))
    return list(session.scalars(query).unique())


def appointments_at(
    session: Session, location_id: int, start: datetime, end: datetime
) -> list[Appointment]:
    query = _appointments(start, end).where(Appointment.location_id == location_id)
    return list(session.scalars(query))


def appointments_of_staff(
    session: Session, staff_id: int, start: datetime, end: datetime
) -> list[Appointment]:
    query = _appointments(start, end).where(Appointment.staff_member_id == staff_id)
    return list(session.scalars(query))


def appointments_of_patient(
    session: Session, patient_id: int, start: datetime, end: datetime
) -> list[Appointment]:
    query = _appointments(start, end).where(Appointment.patient_id == patient_id)
    return list(session.scalars(query))


def blocks_between(
    session: Session, patient_id: int, start: datetime, end: datetime
) -> list[PatientBlock]:
    return list(
        session.scalars(
            select(PatientBlock)
            .where(
                PatientBlock.patient_id == patient_id,
                PatientBlock.starts_at < end,
                PatientBlock.ends_at > start,
            )
            .order_by(PatientBlock.starts_at)
        )
    )


def enrolled_patients(session: Session, location_id: int) -> list[Patient]:
    """Patients with an open enrollment at the site, for the booking form's list."""
    return list(
        session.scalars(
            select(Patient)
            .join(Enrollment, Enrollment.patient_id == Patient.id)
            .where(
                Enrollment.location_id == location_id, Enrollment.status.in_(("pending", "active"))
            )
            .order_by(Patient.last_name, Patient.first_name)
            .distinct()
        )
    )


def rooms_at(session: Session, location_id: int) -> list[Room]:
    return list(
        session.scalars(
            select(Room)
            .where(Room.location_id == location_id, Room.active.is_(True))
            .where(Room.telehealth.is_(False))  # a virtual room is booked as telehealth
            .order_by(Room.name)
        )
    )


ATTENDED = ("present", "late", "left_early")


def attended_sessions(session: Session, patient_id: int, session_ids: list[int]) -> set[int]:
    """Which of these group sessions the patient is recorded as having attended."""
    if not session_ids:
        return set()
    rows = session.scalars(
        select(GroupAttendance.group_session_id).where(
            GroupAttendance.patient_id == patient_id,
            GroupAttendance.group_session_id.in_(session_ids),
            GroupAttendance.status.in_(ATTENDED),
        )
    )
    return set(rows)
