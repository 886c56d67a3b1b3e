"""All SQL for attendance, the minutes ledger and the compliance dashboard.

Relationships are lazy="raise": every query says what it loads. The dashboard's figures come
from five aggregate queries for the whole location, whatever the number of patients.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session, joinedload

from openiop.models import (
    Appointment,
    AttendanceCorrection,
    DailyMinutes,
    Enrollment,
    GroupAttendance,
    GroupSession,
    Location,
    Patient,
    Program,
    Track,
    track_facilitators,
)

LEDGER_KINDS = ("individual", "physician")


# ---- sessions and rosters -------------------------------------------------------------------


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def locations(session: Session, location_ids: frozenset[int] | None) -> list[tuple[int, str]]:
    """(id, name) of the given sites, or of every site for None, by name."""
    query = select(Location.id, Location.name).order_by(Location.name, Location.id)
    if location_ids is not None:
        query = query.where(Location.id.in_(location_ids))
    return [(row[0], row[1]) for row in session.execute(query).all()]


def group_session(session: Session, session_id: int) -> GroupSession | None:
    return session.execute(
        select(GroupSession)
        .options(
            joinedload(GroupSession.track).selectinload(Track.facilitators),
            joinedload(GroupSession.facilitator),
            joinedload(GroupSession.room),
        )
        .where(GroupSession.id == session_id)
    ).scalar_one_or_none()


def sessions_on(
    session: Session,
    *,
    day: date,
    location_ids: frozenset[int] | None,
    staff_member_id: int | None,
) -> list[GroupSession]:
    """A day's group sessions at the given sites; with a staff id, only the ones they lead
    (as the session's facilitator or one of the track's facilitators)."""
    query = (
        select(GroupSession)
        .options(
            joinedload(GroupSession.track),
            joinedload(GroupSession.facilitator),
            joinedload(GroupSession.room),
        )
        .where(GroupSession.session_date == day)
        .order_by(GroupSession.starts_at, GroupSession.id)
    )
    if location_ids is not None:
        query = query.where(GroupSession.location_id.in_(location_ids))
    if staff_member_id is not None:
        leads_track = select(track_facilitators.c.track_id).where(
            track_facilitators.c.staff_member_id == staff_member_id
        )
        query = query.where(
            or_(
                GroupSession.facilitator_id == staff_member_id,
                GroupSession.track_id.in_(leads_track),
            )
        )
    return list(session.execute(query).unique().scalars())


def roster(session: Session, group: GroupSession) -> list[tuple[Enrollment, Patient]]:
    """The track's enrollments in care on the session's date, plus anyone already recorded.

    The two halves are a UNION of ids rather than one OR, so each uses its own index (the
    track's enrollments; the session's attendance) instead of scanning every enrollment."""
    recorded = select(GroupAttendance.enrollment_id).where(
        GroupAttendance.group_session_id == group.id
    )
    in_care = select(Enrollment.id).where(
        Enrollment.track_id == group.track_id,
        Enrollment.status != "pending",
        Enrollment.admit_date <= group.session_date,
        or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= group.session_date),
    )
    members = union(in_care, recorded).subquery()
    rows = session.execute(
        select(Enrollment, Patient)
        .join(members, members.c[0] == Enrollment.id)
        .join(Patient, Patient.id == Enrollment.patient_id)
        .order_by(func.lower(Patient.last_name), func.lower(Patient.first_name), Patient.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def attendance_for(session: Session, session_id: int) -> dict[int, GroupAttendance]:
    rows = session.execute(
        select(GroupAttendance).where(GroupAttendance.group_session_id == session_id)
    ).scalars()
    return {row.enrollment_id: row for row in rows}


def add(session: Session, row: object) -> None:
    session.add(row)


def flush(session: Session) -> None:
    session.flush()


# ---- appointments ---------------------------------------------------------------------------


def appointment(session: Session, appointment_id: int) -> Appointment | None:
    return session.execute(
        select(Appointment)
        .options(joinedload(Appointment.patient), joinedload(Appointment.enrollment))
        .where(Appointment.id == appointment_id)
    ).scalar_one_or_none()


def appointments_between(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    location_ids: frozenset[int] | None,
    staff_member_id: int | None,
) -> list[Appointment]:
    query = (
        select(Appointment)
        .options(joinedload(Appointment.patient))
        .where(Appointment.starts_at >= start, Appointment.starts_at < end)
        .where(Appointment.status != "cancelled")
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if location_ids is not None:
        query = query.where(Appointment.location_id.in_(location_ids))
    if staff_member_id is not None:
        query = query.where(Appointment.staff_member_id == staff_member_id)
    return list(session.execute(query).scalars())


def open_enrollment_id(session: Session, patient_id: int, location_id: int) -> int | None:
    """The enrollment an appointment without one counts towards."""
    return session.execute(
        select(func.max(Enrollment.id)).where(
            Enrollment.patient_id == patient_id,
            Enrollment.location_id == location_id,
            Enrollment.status == "active",
        )
    ).scalar_one_or_none()


# ---- the ledger -----------------------------------------------------------------------------


def enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    return session.execute(
        select(Enrollment)
        .options(joinedload(Enrollment.program), joinedload(Enrollment.location))
        .where(Enrollment.id == enrollment_id)
    ).scalar_one_or_none()


def group_day_sources(
    session: Session, enrollment_id: int, day: date
) -> list[tuple[int, datetime, datetime]]:
    """(minutes attended, session start, session end) for each of the day's held sessions."""
    rows = session.execute(
        select(GroupAttendance.minutes, GroupSession.starts_at, GroupSession.ends_at)
        .join(GroupSession, GroupSession.id == GroupAttendance.group_session_id)
        .where(
            GroupAttendance.enrollment_id == enrollment_id,
            GroupSession.session_date == day,
            GroupSession.status != "cancelled",
        )
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def appointment_day_sources(
    session: Session, enrollment: Enrollment, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """(kind, actual minutes) of the day's completed individual and physician appointments
    in start order, including the patient's appointments at the site that name no
    enrollment."""
    unassigned = and_(
        Appointment.enrollment_id.is_(None),
        Appointment.patient_id == enrollment.patient_id,
        Appointment.location_id == enrollment.location_id,
    )
    rows = session.execute(
        select(Appointment.kind, Appointment.actual_minutes)
        .where(
            or_(Appointment.enrollment_id == enrollment.id, unassigned),
            Appointment.kind.in_(LEDGER_KINDS),
            Appointment.status == "completed",
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return [(row[0], row[1] or 0) for row in rows]


def ledger_row(session: Session, enrollment_id: int, day: date) -> DailyMinutes | None:
    return session.execute(
        select(DailyMinutes).where(
            DailyMinutes.enrollment_id == enrollment_id, DailyMinutes.service_date == day
        )
    ).scalar_one_or_none()


def ledger_rows(
    session: Session, enrollment_id: int, first: date, last: date
) -> Sequence[DailyMinutes]:
    return (
        session.execute(
            select(DailyMinutes)
            .where(
                DailyMinutes.enrollment_id == enrollment_id,
                DailyMinutes.service_date >= first,
                DailyMinutes.service_date <= last,
            )
            .order_by(DailyMinutes.service_date)
        )
        .scalars()
        .all()
    )


def corrections_between(
    session: Session, enrollment_id: int, first: date, last: date
) -> Sequence[AttendanceCorrection]:
    return (
        session.execute(
            select(AttendanceCorrection)
            .where(
                AttendanceCorrection.enrollment_id == enrollment_id,
                AttendanceCorrection.service_date >= first,
                AttendanceCorrection.service_date <= last,
            )
            .order_by(AttendanceCorrection.changed_at, AttendanceCorrection.id)
        )
        .scalars()
        .all()
    )


# ---- the location dashboard: one query per figure, never one per patient ---------------------


def enrollments_in_care(session: Session, location_id: int, first: date, last: date) -> list[tuple]:  # type: ignore[type-arg]
    """(enrollment, patient, program, track name) for everyone in care at the site at some time
    between `first` and `last`: admitted by `last` and, if discharged, not before `first` — so
    a past week lists the people who were in care then, not the people in care today."""
    rows = session.execute(
        select(Enrollment, Patient, Program, Track.name)
        .join(Patient, Patient.id == Enrollment.patient_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .where(
            Enrollment.location_id == location_id,
            Enrollment.status != "pending",
            Enrollment.admit_date <= last,
            or_(Enrollment.discharge_date.is_(None), Enrollment.discharge_date >= first),
        )
        .order_by(func.lower(Patient.last_name), func.lower(Patient.first_name), Patient.id)
    ).all()
    return [tuple(row) for row in rows]


def ledger_days_at(
    session: Session, location_id: int, first: date, last: date
) -> dict[int, tuple[int, ...]]:
    """Per enrollment: its ledger days in the range, as (date, *LedgerDay figures) tuples."""
    columns = (
        DailyMinutes.group_minutes,
        DailyMinutes.group_scheduled_minutes,
        DailyMinutes.individual_session_minutes,
        DailyMinutes.physician_minutes,
        DailyMinutes.physician_visits,
    )
    rows = session.execute(
        select(DailyMinutes.enrollment_id, DailyMinutes.service_date, *columns).where(
            DailyMinutes.location_id == location_id,
            DailyMinutes.service_date >= first,
            DailyMinutes.service_date <= last,
        )
    ).all()
    found: dict[int, list[tuple]] = {}  # type: ignore[type-arg]
    for row in rows:
        found.setdefault(row[0], []).append(tuple(row[1:]))
    return found  # type: ignore[return-value]


def track_sessions(
    session: Session, location_id: int, first: date, last: date
) -> list[tuple[int, date, datetime, datetime]]:
    """(track, date, start, end) of the site's sessions that are not cancelled."""
    rows = session.execute(
        select(
            GroupSession.track_id,
            GroupSession.session_date,
            GroupSession.starts_at,
            GroupSession.ends_at,
        ).where(
            GroupSession.location_id == location_id,
            GroupSession.session_date >= first,
            GroupSession.session_date <= last,
            GroupSession.status != "cancelled",
        )
    ).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def booked_appointments(
    session: Session, location_id: int, start: datetime, end: datetime
) -> dict[tuple[int, str], int]:
    """(patient, kind) -> individual and physician appointments booked or held in the week."""
    rows = session.execute(
        select(Appointment.patient_id, Appointment.kind, func.count(Appointment.id))
        .where(
            Appointment.location_id == location_id,
            Appointment.kind.in_(LEDGER_KINDS),
            Appointment.status.in_(("scheduled", "completed")),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .group_by(Appointment.patient_id, Appointment.kind)
    ).all()
    return {(row[0], row[1]): row[2] for row in rows}


def patient_enrollments(session: Session, patient_id: int) -> Sequence[Enrollment]:
    """A patient's enrollments with program and site, active first, then the latest admitted."""
    return (
        session.execute(
            select(Enrollment)
            .options(joinedload(Enrollment.program), joinedload(Enrollment.location))
            .where(Enrollment.patient_id == patient_id)
            .order_by((Enrollment.status == "active").desc(), Enrollment.admit_date.desc())
        )
        .scalars()
        .all()
    )


def patient_name(session: Session, patient_id: int) -> str:
    row = session.execute(
        select(Patient.first_name, Patient.last_name).where(Patient.id == patient_id)
    ).one_or_none()
    return f"{row[0]} {row[1]}" if row else ""
