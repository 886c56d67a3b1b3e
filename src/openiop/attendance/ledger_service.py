"""The minutes ledger: one row per enrollment per local date of service.

Every change to group attendance or to a completed appointment calls `recompute_day` in
the same transaction, which rebuilds the day's row from its sources. Rebuilding (rather
than adding and subtracting) means a correction can never leave the ledger out of step.
Compliance, billing and authorizations read the ledger only (docs/attendance.md).
Functions take keyword arguments and never commit.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.attendance import repository
from openiop.attendance.rules import LedgerDay
from openiop.kit import clock
from openiop.kit.errors import NotFound
from openiop.models import AttendanceCorrection, DailyMinutes, Enrollment
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry


def local_day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day in UTC (23 or 25 hours long on DST days)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return clock.as_utc(start), clock.as_utc(end)


def recompute_day(session: Session, *, enrollment_id: int, day: date) -> DailyMinutes | None:
    """Rebuild one ledger row from the day's attendance and completed appointments."""
    enrollment = repository.enrollment(session, enrollment_id)
    if enrollment is None:
        raise NotFound(f"No enrollment with id {enrollment_id}.")
    repository.flush(session)  # the sources must be visible to the queries below
    figures = _day_figures(session, enrollment, day)
    row = repository.ledger_row(session, enrollment_id, day)
    if row is None:
        if not any(figures.values()):
            return None
        row = DailyMinutes(
            enrollment_id=enrollment.id,
            patient_id=enrollment.patient_id,
            location_id=enrollment.location_id,
            service_date=day,
        )
        repository.add(session, row)
    for name, value in figures.items():
        setattr(row, name, value)
    row.updated_at = clock.now()
    repository.flush(session)
    return row


def _day_figures(session: Session, enrollment: Enrollment, day: date) -> dict[str, Any]:
    groups = repository.group_day_sources(session, enrollment.id, day)
    start, end = local_day_bounds(day, enrollment.location.time_zone)
    visits = repository.appointment_day_sources(session, enrollment, start, end)
    individual = [m for kind, m in visits if kind == "individual"]
    physician = [m for kind, m in visits if kind == "physician"]
    return {
        "group_minutes": sum(minutes for minutes, _, _ in groups),
        "group_sessions_attended": sum(minutes > 0 for minutes, _, _ in groups),
        "group_scheduled_minutes": sum(_length(s, e) for _, s, e in groups),
        "individual_minutes": sum(individual),
        "individual_sessions": len(individual),
        "individual_longest_minutes": max(individual, default=0),
        "individual_session_minutes": individual,  # in start order (the query's order)
        "physician_minutes": sum(physician),
        "physician_visits": len(physician),
    }


def _length(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def as_ledger_day(row: DailyMinutes) -> LedgerDay:
    return LedgerDay(
        service_date=row.service_date,
        group_minutes=row.group_minutes,
        group_scheduled_minutes=row.group_scheduled_minutes,
        individual_session_minutes=tuple(row.individual_session_minutes),
        physician_minutes=row.physician_minutes,
        physician_visits=row.physician_visits,
    )


def record_correction(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    enrollment_id: int | None,
    service_date: date,
    object_type: str,
    object_id: int,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AttendanceCorrection:
    """Keep a change after the day with its reason and before/after values, and audit it."""
    principal = actor.principal
    row = AttendanceCorrection(
        patient_id=patient_id,
        enrollment_id=enrollment_id,
        service_date=service_date,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        before=json.dumps(before, sort_keys=True, default=str),
        after=json.dumps(after, sort_keys=True, default=str),
        changed_by_user_id=principal.user_id if principal else None,
        changed_at=clock.now(),
    )
    repository.add(session, row)
    repository.flush(session)
    audit.record(
        session,
        actor,
        AuditEntry(
            "attendance.correct",
            patient_id=patient_id,
            object_type=object_type,
            object_id=object_id,
            detail=f"{service_date.isoformat()}: {reason}"[:500],
        ),
    )
    return row
