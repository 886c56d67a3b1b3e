"""All SQL for the patient registry. Relationships are lazy="raise": each query says what it loads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from openiop.models import (
    BreakGlassGrant,
    Commitment,
    Enrollment,
    Location,
    Patient,
    Program,
    StaffMember,
    Track,
)
from openiop.patients.enrollment_rules import OPEN_STATUSES
from openiop.patients.rules import PatientSearch

# ---- searching --------------------------------------------------------------------------


def _prefix(column: ColumnElement[str] | object, fragment: str) -> ColumnElement[bool]:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(escaped + "%", escape="\\")


def _first_or_preferred(fragment: str) -> ColumnElement[bool]:
    return or_(_prefix(Patient.first_name, fragment), _prefix(Patient.preferred_name, fragment))


def _search_filter(search: PatientSearch) -> ColumnElement[bool] | None:
    if search.mrn is not None:
        return Patient.mrn == search.mrn
    if search.date_of_birth is not None:
        return Patient.date_of_birth == search.date_of_birth
    if search.last_prefix or search.first_prefix:
        parts = []
        if search.last_prefix:
            parts.append(_prefix(Patient.last_name, search.last_prefix))
        if search.first_prefix:
            parts.append(_first_or_preferred(search.first_prefix))
        return and_(*parts)
    if search.words:
        every_word = and_(
            *(or_(_first_or_preferred(w), _prefix(Patient.last_name, w)) for w in search.words)
        )
        # "de la cruz" should find a last name with spaces in it, too.
        return or_(every_word, _prefix(Patient.last_name, " ".join(search.words)))
    return None


def _scope_filter(location_ids: frozenset[int] | None) -> ColumnElement[bool] | None:
    """A patient is at a site when registered there or enrolled there (ever)."""
    if location_ids is None:
        return None
    if not location_ids:
        return false()
    # An alias: the page query also joins Enrollment, which must not be correlated here.
    other = aliased(Enrollment)
    enrolled_here = (
        exists()
        .where(other.patient_id == Patient.id, other.location_id.in_(location_ids))
        .correlate(Patient)
    )
    return or_(Patient.registered_location_id.in_(location_ids), enrolled_here)


def _filtered(query: Select, search: PatientSearch, location_ids: frozenset[int] | None) -> Select:  # type: ignore[type-arg]
    for condition in (_search_filter(search), _scope_filter(location_ids)):
        if condition is not None:
            query = query.where(condition)
    return query


_NAME_ORDER = (func.lower(Patient.last_name), func.lower(Patient.first_name), Patient.id)


def _current_enrollment_id():  # type: ignore[no-untyped-def]
    """The patient's newest open enrollment (there should be at most one), per row."""
    other = aliased(Enrollment)
    return (
        select(func.max(other.id))
        .where(other.patient_id == Patient.id, other.status.in_(OPEN_STATUSES))
        .correlate(Patient)
        .scalar_subquery()
    )


def search_patients(
    session: Session,
    *,
    search: PatientSearch,
    location_ids: frozenset[int] | None,
    offset: int,
    limit: int,
) -> list[tuple[Patient, str | None, str | None, str | None]]:
    """One page of (patient, site name, track name, enrollment status), in one query.

    The page's ids are chosen first, so the current-enrollment lookups and joins run for
    25 rows rather than for every match; the plan stays cheap however the planner guesses.
    """
    page = (
        _filtered(select(Patient.id), search, location_ids)
        .order_by(*_NAME_ORDER)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    query = (
        select(Patient, Location.name, Track.name, Enrollment.status)
        .join(page, page.c.id == Patient.id)
        .outerjoin(Enrollment, Enrollment.id == _current_enrollment_id())
        .outerjoin(Location, Location.id == Enrollment.location_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .order_by(*_NAME_ORDER)
    )
    return [tuple(row) for row in session.execute(query).all()]  # type: ignore[misc]


def count_patients(
    session: Session, *, search: PatientSearch, location_ids: frozenset[int] | None
) -> int:
    query = _filtered(select(func.count(Patient.id)), search, location_ids)
    return session.execute(query).scalar_one()


# ---- one patient ------------------------------------------------------------------------


def _enrollment_loads():  # type: ignore[no-untyped-def]
    return (
        selectinload(Enrollment.program),
        selectinload(Enrollment.location),
        selectinload(Enrollment.track),
        selectinload(Enrollment.primary_counselor),
        selectinload(Enrollment.physician),
    )


def patient_record(session: Session, patient_id: int) -> Patient | None:
    """A patient with commitments and every enrollment (and what each refers to) loaded."""
    return session.execute(
        select(Patient)
        .options(
            selectinload(Patient.commitments),
            selectinload(Patient.enrollments).options(*_enrollment_loads()),
        )
        .where(Patient.id == patient_id)
    ).scalar_one_or_none()


def patient_by_id(session: Session, patient_id: int) -> Patient | None:
    return session.get(Patient, patient_id)


def highest_mrn(session: Session, prefix: str, digits: int) -> str | None:
    pattern = prefix + "_" * digits
    return session.execute(
        select(func.max(Patient.mrn)).where(Patient.mrn.like(pattern))
    ).scalar_one_or_none()


def mrn_taken(session: Session, mrn: str) -> bool:
    return session.execute(select(exists().where(Patient.mrn == mrn))).scalar_one()


def commitment(session: Session, commitment_id: int) -> Commitment | None:
    return session.get(Commitment, commitment_id)


def active_grant_expiry(
    session: Session, user_id: int, patient_id: int, at: datetime
) -> datetime | None:
    return session.execute(
        select(func.max(BreakGlassGrant.expires_at)).where(
            BreakGlassGrant.user_id == user_id,
            BreakGlassGrant.patient_id == patient_id,
            BreakGlassGrant.expires_at > at,
        )
    ).scalar_one_or_none()


# ---- enrollments ------------------------------------------------------------------------


def enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    return session.execute(
        select(Enrollment).options(*_enrollment_loads()).where(Enrollment.id == enrollment_id)
    ).scalar_one_or_none()


def enrollments_of(session: Session, patient_id: int) -> list[Enrollment]:
    return list(
        session.execute(
            select(Enrollment)
            .options(*_enrollment_loads())
            .where(Enrollment.patient_id == patient_id)
            .order_by(Enrollment.admit_date.desc(), Enrollment.id.desc())
        ).scalars()
    )


def _enrollments_at(location_ids: frozenset[int] | None) -> Select:  # type: ignore[type-arg]
    query = select(Enrollment)
    if location_ids is not None:
        query = query.where(Enrollment.location_id.in_(location_ids or {-1}))
    return query


def enrollments_at(
    session: Session, *, location_ids: frozenset[int] | None, offset: int, limit: int
) -> list[Enrollment]:
    query = _enrollments_at(location_ids).options(*_enrollment_loads())
    query = query.order_by(Enrollment.admit_date.desc(), Enrollment.id.desc())
    return list(session.execute(query.offset(offset).limit(limit)).scalars())


def count_enrollments_at(session: Session, *, location_ids: frozenset[int] | None) -> int:
    query = _enrollments_at(location_ids).with_only_columns(func.count(Enrollment.id))
    return session.execute(query).scalar_one()


def other_open_enrollment(session: Session, patient_id: int, exclude_id: int | None) -> bool:
    condition = and_(Enrollment.patient_id == patient_id, Enrollment.status.in_(OPEN_STATUSES))
    if exclude_id is not None:
        condition = and_(condition, Enrollment.id != exclude_id)
    return session.execute(select(exists().where(condition))).scalar_one()


def open_caseload(session: Session, staff_member_id: int, exclude_id: int | None) -> int:
    query = select(func.count(Enrollment.id)).where(
        Enrollment.primary_counselor_id == staff_member_id,
        Enrollment.status.in_(OPEN_STATUSES),
    )
    if exclude_id is not None:
        query = query.where(Enrollment.id != exclude_id)
    return session.execute(query).scalar_one()


# ---- the setup an enrollment refers to --------------------------------------------------


def locations(session: Session, location_ids: frozenset[int] | None) -> list[Location]:
    query = select(Location).where(Location.active.is_(True)).order_by(Location.name)
    if location_ids is not None:
        query = query.where(Location.id.in_(location_ids or {-1}))
    return list(session.execute(query).scalars())


def location(session: Session, location_id: int) -> Location | None:
    return session.get(Location, location_id)


def active_programs(session: Session, organization_id: int | None = None) -> list[Program]:
    query = select(Program).where(Program.active.is_(True)).order_by(Program.name)
    if organization_id is not None:
        query = query.where(Program.organization_id == organization_id)
    return list(session.execute(query).scalars())


def tracks_at(session: Session, location_ids: Sequence[int]) -> list[Track]:
    return list(
        session.execute(
            select(Track)
            .where(Track.location_id.in_(location_ids), Track.active.is_(True))
            .order_by(Track.name)
        ).scalars()
    )


def track(session: Session, track_id: int) -> Track | None:
    return session.get(Track, track_id)


def staff_at(session: Session, location_ids: Sequence[int]) -> list[StaffMember]:
    return list(
        session.execute(
            select(StaffMember)
            .options(selectinload(StaffMember.locations))
            .where(
                StaffMember.active.is_(True),
                StaffMember.locations.any(Location.id.in_(location_ids)),
            )
            .order_by(StaffMember.last_name, StaffMember.first_name)
        ).scalars()
    )


def staff_member(session: Session, staff_member_id: int) -> StaffMember | None:
    return session.execute(
        select(StaffMember)
        .options(selectinload(StaffMember.locations))
        .where(StaffMember.id == staff_member_id)
    ).scalar_one_or_none()
