"""All SQL for group sessions, the curriculum, closures, staff availability and patients'
one-off blocks and preferences."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from openiop.models import (
    CurriculumTopic,
    GroupSession,
    Location,
    LocationClosure,
    PatientBlock,
    Program,
    StaffMember,
    StaffTimeOff,
    StaffWorkingHours,
    Track,
    staff_locations,
)


def active_locations(session: Session, location_ids: frozenset[int] | None) -> list[Location]:
    query = select(Location).where(Location.active.is_(True)).order_by(Location.name)
    if location_ids is not None:
        query = query.where(Location.id.in_(location_ids))
    return list(session.scalars(query))


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def location_by_code(session: Session, code: str) -> Location | None:
    return session.scalar(select(Location).where(func.upper(Location.code) == code.upper()))


def programs(session: Session) -> list[Program]:
    return list(session.scalars(select(Program).order_by(Program.name)))


def program(session: Session, program_id: int) -> Program | None:
    return session.get(Program, program_id)


def active_tracks(session: Session, location_ids: list[int]) -> list[Track]:
    return list(
        session.scalars(
            select(Track)
            .where(Track.active.is_(True), Track.location_id.in_(location_ids))
            .options(selectinload(Track.facilitators))
            .order_by(Track.location_id, Track.start_time, Track.id)
        )
    )


def session_dates(
    session: Session, track_ids: list[int], first: date, last: date
) -> set[tuple[int, date]]:
    rows = session.execute(
        select(GroupSession.track_id, GroupSession.session_date).where(
            GroupSession.track_id.in_(track_ids),
            GroupSession.session_date >= first,
            GroupSession.session_date <= last,
        )
    )
    return {(track_id, day) for track_id, day in rows}


def closures_at(
    session: Session, location_ids: list[int], first: date, last: date
) -> list[LocationClosure]:
    return list(
        session.scalars(
            select(LocationClosure).where(
                LocationClosure.location_id.in_(location_ids),
                LocationClosure.closed_on >= first,
                LocationClosure.closed_on <= last,
            )
        )
    )


def time_off_between(
    session: Session, staff_ids: list[int], start: datetime, end: datetime
) -> list[StaffTimeOff]:
    if not staff_ids:
        return []
    return list(
        session.scalars(
            select(StaffTimeOff).where(
                StaffTimeOff.staff_member_id.in_(staff_ids),
                StaffTimeOff.starts_at < end,
                StaffTimeOff.ends_at > start,
            )
        )
    )


def group_session(session: Session, session_id: int) -> GroupSession | None:
    return session.scalar(
        select(GroupSession)
        .where(GroupSession.id == session_id)
        .options(
            # The track's facilitators tell a stand-in from the usual facilitator.
            joinedload(GroupSession.track).selectinload(Track.facilitators),
            joinedload(GroupSession.facilitator),
            joinedload(GroupSession.covering_for),
            joinedload(GroupSession.room),
        )
    )


# ---- curriculum -----------------------------------------------------------------------


def topics(
    session: Session, program_id: int, *, active_only: bool = False
) -> list[CurriculumTopic]:
    query = select(CurriculumTopic).where(CurriculumTopic.program_id == program_id)
    if active_only:
        query = query.where(CurriculumTopic.active.is_(True))
    return list(session.scalars(query.order_by(CurriculumTopic.position)))


def topic(session: Session, topic_id: int) -> CurriculumTopic | None:
    return session.get(CurriculumTopic, topic_id)


def next_position(session: Session, program_id: int) -> int:
    top = session.scalar(
        select(func.max(CurriculumTopic.position)).where(CurriculumTopic.program_id == program_id)
    )
    return (top or 0) + 1


# ---- closures and staff availability ----------------------------------------------------


def closures_from(session: Session, location_id: int, first: date) -> list[LocationClosure]:
    return list(
        session.scalars(
            select(LocationClosure)
            .where(LocationClosure.location_id == location_id, LocationClosure.closed_on >= first)
            .order_by(LocationClosure.closed_on)
        )
    )


def closure(session: Session, closure_id: int) -> LocationClosure | None:
    return session.get(LocationClosure, closure_id)


def closure_on(session: Session, location_id: int, day: date) -> LocationClosure | None:
    return session.scalar(
        select(LocationClosure).where(
            LocationClosure.location_id == location_id, LocationClosure.closed_on == day
        )
    )


def staff_member(session: Session, staff_id: int) -> StaffMember | None:
    return session.scalar(
        select(StaffMember)
        .where(StaffMember.id == staff_id)
        .options(selectinload(StaffMember.locations))
    )


def staff_at(session: Session, location_ids: frozenset[int] | None) -> list[StaffMember]:
    query = select(StaffMember).where(StaffMember.active.is_(True))
    if location_ids is not None:
        query = query.where(
            StaffMember.id.in_(
                select(staff_locations.c.staff_member_id).where(
                    staff_locations.c.location_id.in_(location_ids)
                )
            )
        )
    return list(session.scalars(query.order_by(StaffMember.last_name, StaffMember.first_name)))


def hours_of(session: Session, staff_id: int) -> list[StaffWorkingHours]:
    return list(
        session.scalars(
            select(StaffWorkingHours)
            .where(StaffWorkingHours.staff_member_id == staff_id)
            .order_by(StaffWorkingHours.weekday, StaffWorkingHours.start_time)
        )
    )


def hours_row(session: Session, row_id: int) -> StaffWorkingHours | None:
    return session.get(StaffWorkingHours, row_id)


def time_off_from(session: Session, staff_id: int, since: datetime) -> list[StaffTimeOff]:
    return list(
        session.scalars(
            select(StaffTimeOff)
            .where(StaffTimeOff.staff_member_id == staff_id, StaffTimeOff.ends_at > since)
            .order_by(StaffTimeOff.starts_at)
        )
    )


def time_off_row(session: Session, row_id: int) -> StaffTimeOff | None:
    return session.get(StaffTimeOff, row_id)


# ---- patients' blocks -------------------------------------------------------------------


def blocks_from(session: Session, patient_id: int, since: datetime) -> list[PatientBlock]:
    return list(
        session.scalars(
            select(PatientBlock)
            .where(PatientBlock.patient_id == patient_id, PatientBlock.ends_at > since)
            .order_by(PatientBlock.starts_at)
        )
    )


def block(session: Session, block_id: int) -> PatientBlock | None:
    return session.get(PatientBlock, block_id)


def remove(session: Session, row: object) -> None:
    session.delete(row)
    session.flush()


def clear_hours(session: Session, staff_id: int) -> None:
    session.execute(delete(StaffWorkingHours).where(StaffWorkingHours.staff_member_id == staff_id))
