"""JSON API under /api/v1/calendar: appointments, conflict checks, group sessions, weeks.

A booking or move that collides answers 409 with `detail` naming every clashing item and
`fields` saying which input to change; impossible input answers 422 naming the field.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from openiop.calendar import service, sessions_service, views_service
from openiop.calendar.conflicts import Slot, check_appointment
from openiop.calendar.rules import Week
from openiop.calendar.schemas import (
    AppointmentCancel,
    AppointmentComplete,
    AppointmentIn,
    AppointmentMove,
    AppointmentOut,
    ConflictCheck,
    ConflictOut,
    DayOut,
    GenerateIn,
    GenerateOut,
    GroupSessionOut,
    ItemOut,
    PlannedSessionOut,
    RequirementOut,
    SessionCancel,
    SessionCover,
    WeekOut,
)
from openiop.calendar.views_service import WeekView
from openiop.config import get_settings
from openiop.kit import clock
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["calendar"], prefix="/calendar")


@router.post("/appointments", response_model=AppointmentOut, status_code=201)
def create_appointment(body: AppointmentIn, db: SessionDep, actor: ApiActor) -> AppointmentOut:
    row = service.create_appointment(db, actor=actor, **body.model_dump())
    return AppointmentOut.model_validate(row)


@router.post("/appointments/check", response_model=ConflictCheck)
def check(body: AppointmentIn, db: SessionDep, actor: ApiActor) -> ConflictCheck:
    """Would this appointment fit? Nothing is written; the answer lists every conflict."""
    service.authorize_at(
        db,
        actor,
        location_id=body.location_id,
        patient_id=body.patient_id,
        action="appointment.check",
    )
    end = service.end_of(body.starts_at, body.ends_at, body.minutes, body.kind)
    slot = Slot(
        body.patient_id, body.staff_member_id, body.location_id, body.kind,
        body.starts_at, end, body.telehealth, body.room_id,
    )  # fmt: skip
    found = check_appointment(db, slot)
    return ConflictCheck(
        ok=not found,
        conflicts=[ConflictOut(code=c.code, field=c.field, message=c.message) for c in found],
    )


@router.get("/appointments/{appointment_id}", response_model=AppointmentOut)
def get_appointment(appointment_id: int, db: SessionDep, actor: ApiActor) -> AppointmentOut:
    row = service.get_appointment(db, actor=actor, appointment_id=appointment_id)
    return AppointmentOut.model_validate(row)


@router.post("/appointments/{appointment_id}/move", response_model=AppointmentOut)
def move_appointment(
    appointment_id: int, body: AppointmentMove, db: SessionDep, actor: ApiActor
) -> AppointmentOut:
    row = service.move_appointment(
        db, actor=actor, appointment_id=appointment_id, **body.model_dump()
    )
    return AppointmentOut.model_validate(row)


@router.post("/appointments/{appointment_id}/cancel", response_model=AppointmentOut)
def cancel_appointment(
    appointment_id: int, body: AppointmentCancel, db: SessionDep, actor: ApiActor
) -> AppointmentOut:
    row = service.cancel_appointment(
        db, actor=actor, appointment_id=appointment_id, **body.model_dump()
    )
    return AppointmentOut.model_validate(row)


@router.post("/appointments/{appointment_id}/complete", response_model=AppointmentOut)
def complete_appointment(
    appointment_id: int, body: AppointmentComplete, db: SessionDep, actor: ApiActor
) -> AppointmentOut:
    row = service.complete_appointment(
        db, actor=actor, appointment_id=appointment_id, **body.model_dump()
    )
    return AppointmentOut.model_validate(row)


@router.post("/group-sessions/generate", response_model=GenerateOut)
def generate(body: GenerateIn, db: SessionDep, actor: ApiActor) -> GenerateOut:
    report = sessions_service.generate_sessions(db, actor=actor, **body.model_dump())
    return GenerateOut(
        created=[PlannedSessionOut.model_validate(p) for p in report.created],
        skipped_existing=len(report.existing),
        skipped_closed=[s.session_date for s in report.closed],
    )


@router.post("/group-sessions/{session_id}/cancel", response_model=GroupSessionOut)
def cancel_session(
    session_id: int, body: SessionCancel, db: SessionDep, actor: ApiActor
) -> GroupSessionOut:
    row = sessions_service.cancel_session(
        db, actor=actor, session_id=session_id, **body.model_dump()
    )
    return GroupSessionOut.model_validate(row)


@router.post("/group-sessions/{session_id}/cover", response_model=GroupSessionOut)
def cover_session(
    session_id: int, body: SessionCover, db: SessionDep, actor: ApiActor
) -> GroupSessionOut:
    """Put a stand-in facilitator on one session: 422 when they may not lead it, 409 naming
    what they are already doing at that time."""
    row = sessions_service.cover_session(
        db, actor=actor, session_id=session_id, **body.model_dump()
    )
    return GroupSessionOut.model_validate(row)


def _week(start: date | None) -> Week:
    return Week.containing(start or clock.today_in(get_settings().default_time_zone))


def _week_out(view: WeekView) -> WeekOut:
    return WeekOut(
        title=view.title,
        subject=view.subject,
        subject_id=view.subject_id,
        time_zone=view.zone,
        week_start=view.week.monday,
        days=[
            DayOut(day=d.day, closed=d.closed, items=[ItemOut.model_validate(i) for i in d.items])
            for d in view.days
        ],
        requirements=[RequirementOut.model_validate(r) for r in view.requirements],
    )


WEEK = Query(None, description="Any date in the wanted week (default: this week)")


@router.get("/locations/{location_id}/week", response_model=WeekOut)
def location_week(
    location_id: int, db: SessionDep, actor: ApiActor, week: date | None = WEEK
) -> WeekOut:
    view = views_service.location_week(db, actor=actor, location_id=location_id, week=_week(week))
    return _week_out(view)


@router.get("/staff/{staff_id}/week", response_model=WeekOut)
def staff_week(staff_id: int, db: SessionDep, actor: ApiActor, week: date | None = WEEK) -> WeekOut:
    return _week_out(views_service.staff_week(db, actor=actor, staff_id=staff_id, week=_week(week)))


@router.get("/patients/{patient_id}/week", response_model=WeekOut)
def patient_week(
    patient_id: int, db: SessionDep, actor: ApiActor, week: date | None = WEEK
) -> WeekOut:
    view = views_service.patient_week(db, actor=actor, patient_id=patient_id, week=_week(week))
    return _week_out(view)
