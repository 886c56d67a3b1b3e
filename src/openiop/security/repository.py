"""All SQL for accounts, sessions, tokens, access scope and break-the-glass grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openiop.models import (
    ApiToken,
    AuditEvent,
    BreakGlassGrant,
    Enrollment,
    Patient,
    User,
    UserSession,
    staff_locations,
    track_facilitators,
)


def user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def staff_location_ids(session: Session, staff_member_id: int) -> frozenset[int]:
    return frozenset(
        session.execute(
            select(staff_locations.c.location_id).where(
                staff_locations.c.staff_member_id == staff_member_id
            )
        ).scalars()
    )


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


def patient_scope_ids(
    session: Session, patient_id: int
) -> tuple[frozenset[int] | None, frozenset[int]]:
    """Where the patient is seen (registering site and every enrollment's site; None when
    there is no such patient) and the care team (primary counselor, physician and group
    facilitators of each open enrollment), in two queries."""
    rows = session.execute(
        select(
            Patient.registered_location_id,
            Enrollment.location_id,
            Enrollment.status,
            Enrollment.primary_counselor_id,
            Enrollment.physician_id,
            Enrollment.track_id,
        )
        .select_from(Patient)
        .outerjoin(Enrollment, Enrollment.patient_id == Patient.id)
        .where(Patient.id == patient_id)
    ).all()
    if not rows:
        return None, frozenset()
    locations = {rows[0].registered_location_id}
    locations |= {r.location_id for r in rows if r.location_id is not None}
    open_rows = [r for r in rows if r.status is not None and r.status != "discharged"]
    team = {s for r in open_rows for s in (r.primary_counselor_id, r.physician_id) if s}
    tracks = {r.track_id for r in open_rows if r.track_id is not None}
    if tracks:
        team |= set(
            session.execute(
                select(track_facilitators.c.staff_member_id).where(
                    track_facilitators.c.track_id.in_(tracks)
                )
            ).scalars()
        )
    return frozenset(locations), frozenset(team)


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
