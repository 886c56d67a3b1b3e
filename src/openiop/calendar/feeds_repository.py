"""All SQL for calendar feeds: tokens, and the visits a feed lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from openiop.models import (
    Appointment,
    CalendarFeedToken,
    Enrollment,
    GroupSession,
    Location,
    Patient,
    StaffMember,
)

LONGEST_VISIT = timedelta(days=1)
OPEN_ENROLLMENT = ("pending", "active", "discharged")  # a discharged patient's past visits stay


@dataclass(frozen=True)
class Placed:
    """A visit with the site it happens at (name and zone), loaded in one query."""

    visit: Appointment | GroupSession
    site: str
    zone: str


def active_token(
    session: Session, *, staff_member_id: int | None = None, patient_id: int | None = None
) -> CalendarFeedToken | None:
    query = select(CalendarFeedToken).where(CalendarFeedToken.revoked_at.is_(None))
    if staff_member_id is not None:
        query = query.where(CalendarFeedToken.staff_member_id == staff_member_id)
    else:
        query = query.where(CalendarFeedToken.patient_id == patient_id)
    return session.scalars(query.order_by(CalendarFeedToken.id.desc()).limit(1)).first()


def live_token_by_hash(session: Session, token_hash: str) -> CalendarFeedToken | None:
    return session.scalars(
        select(CalendarFeedToken).where(
            CalendarFeedToken.token_hash == token_hash, CalendarFeedToken.revoked_at.is_(None)
        )
    ).first()


def patient_name(session: Session, patient_id: int) -> str | None:
    patient = session.get(Patient, patient_id)
    return patient.full_name if patient else None


def staff_member(session: Session, staff_member_id: int) -> StaffMember | None:
    return session.get(StaffMember, staff_member_id)


def staff_appointments(
    session: Session, staff_member_id: int, start: datetime, end: datetime
) -> list[Placed]:
    return _appointments(session, Appointment.staff_member_id == staff_member_id, start, end)


def patient_appointments(
    session: Session, patient_id: int, start: datetime, end: datetime
) -> list[Placed]:
    return _appointments(session, Appointment.patient_id == patient_id, start, end)


def _appointments(session: Session, who, start: datetime, end: datetime) -> list[Placed]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Appointment, Location.name, Location.time_zone)
        .join(Location, Location.id == Appointment.location_id)
        .options(joinedload(Appointment.room))
        # The lower bound on starts_at lets the (who, starts_at) indexes bound the scan.
        .where(who, Appointment.starts_at > start - LONGEST_VISIT, Appointment.starts_at < end)
        .where(Appointment.ends_at > start)
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return [Placed(visit, site, zone) for visit, site, zone in rows]


def facilitated_sessions(
    session: Session, staff_member_id: int, start: datetime, end: datetime
) -> list[Placed]:
    return _sessions(session, GroupSession.facilitator_id == staff_member_id, start, end)


def patient_group_sessions(
    session: Session, patient_id: int, start: datetime, end: datetime
) -> list[Placed]:
    """Sessions of the tracks the patient is enrolled on, within each enrollment's dates."""
    enrolled = (
        select(Enrollment.id)
        .where(
            Enrollment.patient_id == patient_id,
            Enrollment.track_id == GroupSession.track_id,
            Enrollment.status.in_(OPEN_ENROLLMENT),
            Enrollment.admit_date <= GroupSession.session_date,
            or_(
                Enrollment.discharge_date.is_(None),
                Enrollment.discharge_date >= GroupSession.session_date,
            ),
        )
        .exists()
    )
    tracks = select(Enrollment.track_id).where(Enrollment.patient_id == patient_id)
    return _sessions(session, and_(GroupSession.track_id.in_(tracks), enrolled), start, end)


def _sessions(session: Session, who, start: datetime, end: datetime) -> list[Placed]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(GroupSession, Location.name, Location.time_zone)
        .join(Location, Location.id == GroupSession.location_id)
        .options(joinedload(GroupSession.room))
        .where(who, GroupSession.session_date.between(*_dates(start, end)))
        .where(GroupSession.starts_at < end, GroupSession.ends_at > start)
        .order_by(GroupSession.starts_at, GroupSession.id)
    ).all()
    return [Placed(visit, site, zone) for visit, site, zone in rows]


def _dates(start: datetime, end: datetime) -> tuple[date, date]:
    """Local dates of service that can hold a session in [start, end), in any US zone: a day
    either side covers every offset, so the (…, session_date) indexes bound the scan."""
    return (start - LONGEST_VISIT).date(), (end + LONGEST_VISIT).date()
