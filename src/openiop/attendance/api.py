"""JSON API for attendance, the minutes ledger and weekly compliance under /api/v1.

Same services, permission checks and audit as the pages (docs/attendance.md, docs/api.md).
"""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Query

from openiop.attendance import appointment_service, compliance_service, service
from openiop.attendance.schemas import (
    AppointmentCompletionIn,
    AppointmentOut,
    AttendanceIn,
    ComplianceOut,
    CorrectionOut,
    LedgerDayOut,
    LedgerOut,
    RosterOut,
    RosterRowOut,
)
from openiop.attendance.service import RosterView
from openiop.models import AttendanceCorrection
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["attendance"])


def _roster_out(view: RosterView) -> RosterOut:
    group = view.session
    return RosterOut(
        session_id=group.id,
        track=group.track.name,
        topic=group.topic,
        session_date=group.session_date,
        starts_at=group.starts_at,
        ends_at=group.ends_at,
        status=group.status,
        scheduled_minutes=view.scheduled_minutes,
        rows=[RosterRowOut(**row.__dict__) for row in view.rows],
    )


@router.get("/attendance/sessions/{session_id}", response_model=RosterOut)
def get_roster(session_id: int, db: SessionDep, actor: ApiActor) -> RosterOut:
    return _roster_out(service.roster(db, actor=actor, session_id=session_id))


@router.put("/attendance/sessions/{session_id}", response_model=RosterOut)
def record_roster(
    session_id: int, body: AttendanceIn, db: SessionDep, actor: ApiActor
) -> RosterOut:
    view = service.record_attendance(
        db,
        actor=actor,
        session_id=session_id,
        rows=[row.model_dump() for row in body.rows],
        others=body.others,
        reason=body.reason,
        version=body.version,
    )
    return _roster_out(view)


@router.post("/attendance/appointments/{appointment_id}", response_model=AppointmentOut)
def complete_appointment(
    appointment_id: int, body: AppointmentCompletionIn, db: SessionDep, actor: ApiActor
) -> AppointmentOut:
    row = appointment_service.complete_appointment(
        db,
        actor=actor,
        appointment_id=appointment_id,
        status=body.status,
        actual_minutes=body.actual_minutes,
        reason=body.reason,
    )
    return AppointmentOut.model_validate(row, from_attributes=True)


@router.get("/enrollments/{enrollment_id}/compliance", response_model=ComplianceOut)
def weekly_compliance(
    enrollment_id: int,
    db: SessionDep,
    actor: ApiActor,
    week: str | None = Query(None, description="ISO week, e.g. 2026-W49; default this week"),
) -> ComplianceOut:
    result = compliance_service.enrollment_compliance(
        db, actor=actor, enrollment_id=enrollment_id, week=week
    )
    return ComplianceOut(**result.as_api_dict())


@router.get("/enrollments/{enrollment_id}/minutes", response_model=LedgerOut)
def minutes_ledger(
    enrollment_id: int,
    db: SessionDep,
    actor: ApiActor,
    start: date = Query(alias="from", description="First local date of service"),
    end: date = Query(alias="to", description="Last local date of service"),
) -> LedgerOut:
    enrollment, rows, corrections = compliance_service.ledger(
        db, actor=actor, enrollment_id=enrollment_id, first=start, last=end
    )
    return LedgerOut(
        enrollment_id=enrollment.id,
        patient_id=enrollment.patient_id,
        days=[LedgerDayOut.model_validate(row, from_attributes=True) for row in rows],
        corrections=[_correction(row) for row in corrections],
    )


def _correction(row: AttendanceCorrection) -> CorrectionOut:
    return CorrectionOut(
        service_date=row.service_date,
        object_type=row.object_type,
        object_id=row.object_id,
        reason=row.reason,
        before=json.loads(row.before),
        after=json.loads(row.after),
        changed_by_user_id=row.changed_by_user_id,
        changed_at=row.changed_at,
    )
