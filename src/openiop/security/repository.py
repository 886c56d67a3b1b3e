"""All SQL for accounts, sessions, tokens, access scope and break-the-glass grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from openiop.models import (
    ApiToken,
    AuditEvent,
    BreakGlassGrant,
    Enrollment,
    Patient,
    StaffMember,
    User,
    UserSession,
    track_facilitators,
)


def user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def staff_location_ids(session: Session, staff_member_id: int) -> frozenset[int]:
    staff = session.execute(
        select(StaffMember)
        .options(selectinload(StaffMember.locations))
        .where(StaffMember.id == staff_member_id)
    ).scalar_one()
    return frozenset(location.id for location in staff.locations)


def session_by_token_hash(session: Session, token_hash: str) -> UserSession | None:
    return session.execute(
        select(UserSession).where(UserSession.token_hash == token_hash)
    ).scalar_one_or_none()


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_hash)
    ).scalar_one_or_none()


def tokens_for_user(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
        ).scalars()
    )


def patient_location_ids(session: Session, patient_id: int) -> frozenset[int] | None:
    """Registering site plus every enrollment's site; None when the patient does not exist."""
    registered = session.execute(
        select(Patient.registered_location_id).where(Patient.id == patient_id)
    ).scalar_one_or_none()
    if registered is None:
        return None
    enrolled = session.execute(
        select(Enrollment.location_id).where(Enrollment.patient_id == patient_id)
    ).scalars()
    return frozenset({registered, *enrolled})


def care_team_staff_ids(session: Session, patient_id: int) -> frozenset[int]:
    """Primary counselor, physician and the group facilitators of each open enrollment."""
    open_enrollments = (
        select(Enrollment)
        .where(Enrollment.patient_id == patient_id, Enrollment.status != "discharged")
        .subquery()
    )
    direct = session.execute(
        select(open_enrollments.c.primary_counselor_id, open_enrollments.c.physician_id)
    ).all()
    facilitators = session.execute(
        select(track_facilitators.c.staff_member_id).where(
            track_facilitators.c.track_id.in_(select(open_enrollments.c.track_id))
        )
    ).scalars()
    ids = {staff_id for row in direct for staff_id in row if staff_id is not None}
    return frozenset(ids | set(facilitators))


def active_grant(
    session: Session, user_id: int, patient_id: int, at: datetime
) -> BreakGlassGrant | None:
    return session.execute(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.user_id == user_id,
            BreakGlassGrant.patient_id == patient_id,
            BreakGlassGrant.expires_at > at,
        )
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def grants_for_review(session: Session, *, pending_only: bool, limit: int = 200):  # type: ignore[no-untyped-def]
    query = (
        select(BreakGlassGrant, User.email, Patient.first_name, Patient.last_name, Patient.mrn)
        .join(User, User.id == BreakGlassGrant.user_id)
        .join(Patient, Patient.id == BreakGlassGrant.patient_id)
        .order_by(BreakGlassGrant.granted_at.desc())
        .limit(limit)
    )
    if pending_only:
        query = query.where(BreakGlassGrant.reviewed_at.is_(None))
    return session.execute(query).all()


def search_audit_events(  # type: ignore[no-untyped-def]
    session: Session,
    *,
    user: str | None,
    patient_id: int | None,
    action: str | None,
    refused_only: bool,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
):
    query = select(AuditEvent)
    if user:
        query = query.where(or_(AuditEvent.user_email.ilike(f"%{user}%")))
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if action:
        query = query.where(AuditEvent.action.like(f"{action}%"))
    if refused_only:
        query = query.where(AuditEvent.outcome == "refused")
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    # One row more than asked tells whether another page exists without a COUNT over
    # a table that grows to hundreds of millions of rows.
    rows = session.execute(
        query.order_by(AuditEvent.seq.desc()).offset(offset).limit(limit + 1)
    ).scalars()
    return list(rows)
