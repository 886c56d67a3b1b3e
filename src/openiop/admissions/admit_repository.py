"""All SQL of admitting an inquiry: the places, tracks and staff the admit form offers, staff
caseloads, patients who may be the same person, and the admission record itself."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from openiop.models import (
    AdmissionRecord,
    ClinicalTask,
    Commitment,
    Enrollment,
    Location,
    Patient,
    Program,
    StaffMember,
    Track,
)

OPEN_STATUSES = ("pending", "active")


def locations(session: Session, location_ids: Collection[int] | None) -> list[Location]:
    query = select(Location).where(Location.active).order_by(Location.name)
    if location_ids is not None:
        query = query.where(Location.id.in_(list(location_ids)))
    return list(session.scalars(query))


def tracks_at(session: Session, location_ids: Collection[int]) -> list[tuple[Track, Program]]:
    query = (
        select(Track, Program)
        .join(Program, Program.id == Track.program_id)
        .where(Track.active, Program.active, Track.location_id.in_(list(location_ids)))
        .order_by(Track.location_id, Track.start_time, Track.name)
    )
    return [(track, program) for track, program in session.execute(query)]


def track(session: Session, track_id: int) -> Track | None:
    return session.get(Track, track_id)


def staff_at(session: Session, location_ids: Collection[int]) -> list[StaffMember]:
    query = (
        select(StaffMember)
        .where(
            StaffMember.active,
            StaffMember.locations.any(Location.id.in_(list(location_ids))),
        )
        .options(selectinload(StaffMember.locations))
        .order_by(StaffMember.last_name, StaffMember.first_name)
    )
    return list(session.scalars(query))


def staff_member(session: Session, staff_id: int) -> StaffMember | None:
    query = (
        select(StaffMember)
        .where(StaffMember.id == staff_id)
        .options(selectinload(StaffMember.locations))
    )
    return session.scalars(query).first()


def open_caseloads(session: Session, staff_ids: Collection[int]) -> dict[int, int]:
    """Open enrollments (pending or active) per primary counselor."""
    if not staff_ids:
        return {}
    query = (
        select(Enrollment.primary_counselor_id, func.count(Enrollment.id))
        .where(
            Enrollment.primary_counselor_id.in_(list(staff_ids)),
            Enrollment.status.in_(OPEN_STATUSES),
        )
        .group_by(Enrollment.primary_counselor_id)
    )
    return {staff_id: count for staff_id, count in session.execute(query)}


def patient_candidates(
    session: Session, *, phone_tail: str | None, email: str | None, date_of_birth: date | None
) -> list[Patient]:
    """A coarse pre-filter; pipeline_rules.duplicate_reasons makes the real decision."""
    conditions = []
    if phone_tail:
        shown = f"({phone_tail[:3]}) {phone_tail[3:6]}-{phone_tail[6:]}"
        conditions.append(Patient.phone.in_([shown, phone_tail]))
    if email:
        conditions.append(func.lower(Patient.email) == email.strip().lower())
    if date_of_birth:
        conditions.append(Patient.date_of_birth == date_of_birth)
    if not conditions:
        return []
    query = select(Patient).where(or_(*conditions)).order_by(Patient.id).limit(50)
    return list(session.scalars(query))


def patient_sites(session: Session, patient_ids: Collection[int]) -> dict[int, set[int]]:
    """Where each patient is registered or enrolled: the sites whose staff may see them."""
    sites: dict[int, set[int]] = {pid: set() for pid in patient_ids}
    if not patient_ids:
        return sites
    registered = select(Patient.id, Patient.registered_location_id).where(
        Patient.id.in_(list(patient_ids))
    )
    enrolled = select(Enrollment.patient_id, Enrollment.location_id).where(
        Enrollment.patient_id.in_(list(patient_ids))
    )
    for query in (registered, enrolled):
        for patient_id, location_id in session.execute(query):
            sites[patient_id].add(location_id)
    return sites


def patient(session: Session, patient_id: int) -> Patient | None:
    return session.get(Patient, patient_id)


def commitments_of(session: Session, patient_id: int) -> list[Commitment]:
    query = (
        select(Commitment)
        .where(Commitment.patient_id == patient_id)
        .order_by(Commitment.weekday, Commitment.start_time)
    )
    return list(session.scalars(query))


def admission_of(session: Session, inquiry_id: int) -> AdmissionRecord | None:
    query = select(AdmissionRecord).where(AdmissionRecord.inquiry_id == inquiry_id)
    return session.scalars(query).first()


def tasks_of(session: Session, inquiry_id: int) -> list[ClinicalTask]:
    query = select(ClinicalTask).where(
        ClinicalTask.inquiry_id == inquiry_id, ClinicalTask.patient_id.is_not(None)
    )
    return list(session.scalars(query.order_by(ClinicalTask.due_date, ClinicalTask.id)))


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()
