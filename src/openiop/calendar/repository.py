"""All SQL for appointments and for the facts a conflict check reads."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from openiop.models import (
    Appointment,
    Enrollment,
    GroupSession,
    Location,
    LocationClosure,
    Patient,
    PatientBlock,
    Room,
    SchedulingPreference,
    StaffMember,
    StaffTimeOff,
    StaffWorkingHours,
)

OCCUPYING = ("scheduled", "completed")
OPEN_ENROLLMENTS = ("pending", "active")


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def room(session: Session, room_id: int) -> Room | None:
    return session.get(Room, room_id)


def staff_member(session: Session, staff_id: int) -> StaffMember | None:
    return session.scalar(
        select(StaffMember)
        .where(StaffMember.id == staff_id)
        .options(selectinload(StaffMember.locations))
    )


def patient_with_commitments(session: Session, patient_id: int) -> Patient | None:
    return session.scalar(
        select(Patient).where(Patient.id == patient_id).options(selectinload(Patient.commitments))
    )


def open_enrollments(session: Session, patient_id: int) -> list[Enrollment]:
    return list(
        session.scalars(
            select(Enrollment)
            .where(Enrollment.patient_id == patient_id, Enrollment.status.in_(OPEN_ENROLLMENTS))
            .options(joinedload(Enrollment.program), joinedload(Enrollment.track))
            .order_by(Enrollment.admit_date.desc())
        )
    )


def preference(session: Session, patient_id: int) -> SchedulingPreference | None:
    return session.get(SchedulingPreference, patient_id)


def appointment(session: Session, appointment_id: int) -> Appointment | None:
    return session.scalar(
        select(Appointment)
        .where(Appointment.id == appointment_id)
        .options(
            joinedload(Appointment.patient),
            joinedload(Appointment.staff_member),
            joinedload(Appointment.room),
        )
    )


def _overlapping_appointments(start: datetime, end: datetime, exclude: int | None) -> Select:
    query = (
        select(Appointment)
        .where(
            Appointment.starts_at < end,
            Appointment.ends_at > start,
            Appointment.status.in_(OCCUPYING),
        )
        .options(joinedload(Appointment.patient), joinedload(Appointment.staff_member))
    )
    return query.where(Appointment.id != exclude) if exclude else query


def appointments_of_patient(
    session: Session, patient_id: int, start: datetime, end: datetime, exclude: int | None
) -> list[Appointment]:
    query = _overlapping_appointments(start, end, exclude)
    return list(session.scalars(query.where(Appointment.patient_id == patient_id)))


def appointments_of_staff(
    session: Session, staff_id: int, start: datetime, end: datetime, exclude: int | None
) -> list[Appointment]:
    query = _overlapping_appointments(start, end, exclude)
    return list(session.scalars(query.where(Appointment.staff_member_id == staff_id)))


def patients_seen_by_staff(
    session: Session, staff_id: int, start: datetime, end: datetime, exclude: int | None
) -> frozenset[int]:
    """Distinct patients a staff member has appointments with in [start, end): the caseload
    the weekly planner caps."""
    query = select(Appointment.patient_id).where(
        Appointment.staff_member_id == staff_id,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
        Appointment.status.in_(OCCUPYING),
    )
    if exclude:
        query = query.where(Appointment.id != exclude)
    return frozenset(session.scalars(query.distinct()))


def appointments_in_room(
    session: Session, room_id: int, start: datetime, end: datetime, exclude: int | None
) -> list[Appointment]:
    query = _overlapping_appointments(start, end, exclude)
    return list(session.scalars(query.where(Appointment.room_id == room_id)))


def _live_sessions(start: datetime, end: datetime) -> Select:
    return (
        select(GroupSession)
        .where(
            GroupSession.starts_at < end,
            GroupSession.ends_at > start,
            GroupSession.status != "cancelled",
        )
        .options(joinedload(GroupSession.track))
    )


def sessions_of_tracks(
    session: Session, track_ids: list[int], start: datetime, end: datetime
) -> list[GroupSession]:
    if not track_ids:
        return []
    query = _live_sessions(start, end).where(GroupSession.track_id.in_(track_ids))
    return list(session.scalars(query))


def sessions_led_by(
    session: Session, staff_id: int, start: datetime, end: datetime
) -> list[GroupSession]:
    query = _live_sessions(start, end).where(GroupSession.facilitator_id == staff_id)
    return list(session.scalars(query))


def sessions_in_room(
    session: Session, room_id: int, start: datetime, end: datetime
) -> list[GroupSession]:
    query = _live_sessions(start, end).where(GroupSession.room_id == room_id)
    return list(session.scalars(query))


def blocks_of_patient(
    session: Session, patient_id: int, start: datetime, end: datetime
) -> list[PatientBlock]:
    return list(
        session.scalars(
            select(PatientBlock).where(
                PatientBlock.patient_id == patient_id,
                PatientBlock.starts_at < end,
                PatientBlock.ends_at > start,
            )
        )
    )


def time_off_of_staff(
    session: Session, staff_id: int, start: datetime, end: datetime
) -> list[StaffTimeOff]:
    return list(
        session.scalars(
            select(StaffTimeOff).where(
                StaffTimeOff.staff_member_id == staff_id,
                StaffTimeOff.starts_at < end,
                StaffTimeOff.ends_at > start,
            )
        )
    )


def working_hours(session: Session, staff_id: int, location_id: int) -> list[StaffWorkingHours]:
    return list(
        session.scalars(
            select(StaffWorkingHours)
            .where(
                StaffWorkingHours.staff_member_id == staff_id,
                StaffWorkingHours.location_id == location_id,
            )
            .order_by(StaffWorkingHours.weekday, StaffWorkingHours.start_time)
        )
    )


def closures_between(
    session: Session, location_id: int, first: date, last: date
) -> list[LocationClosure]:
    return list(
        session.scalars(
            select(LocationClosure)
            .where(
                LocationClosure.location_id == location_id,
                LocationClosure.closed_on >= first,
                LocationClosure.closed_on <= last,
            )
            .order_by(LocationClosure.closed_on)
        )
    )


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
