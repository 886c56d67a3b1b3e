"""Availability screens: a staff member's weekly hours and time off, and a patient's one-off
blocks and scheduling preferences (linked from the patient's calendar and chart)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.calendar import patient_service, setup_service, views_service
from openiop.calendar.pages.common import (
    local_instant,
    page_router,
    parse_int,
    parse_time,
    redirect,
)
from openiop.calendar.patient_service import PARTS_OF_DAY
from openiop.kit.errors import ValidationFailed
from openiop.security.audit import Actor
from openiop.security.permissions import Permission, can
from openiop.web.deps import FormData, FormLists, PageActor, SessionDep
from openiop.web.render import render

router = page_router()
WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]


def _staff_page(
    request: Request, db: Session, actor: Actor, staff_id: int, errors=None, values=None, status=200
) -> Response:  # type: ignore[no-untyped-def]
    staff = setup_service.staff_for(db, actor=actor, staff_id=staff_id)
    zone = views_service.zone_of(db, staff.locations[0].id if staff.locations else None)
    context = {
        "staff": staff,
        "zone": zone,
        "hours": setup_service.hours_of(db, actor=actor, staff_id=staff_id),
        "time_off": setup_service.time_off_of(db, actor=actor, staff_id=staff_id),
        "sites": {loc.id: loc.name for loc in staff.locations},
        "site_options": [(loc.id, loc.name) for loc in staff.locations],
        "weekdays": WEEKDAYS,
        "day_names": dict(WEEKDAYS),
        "errors": errors or {},
        "values": values or {"weekday": "1", "start_time": "09:00", "end_time": "17:00"},
        "may_edit": actor.principal is not None
        and can(actor.principal, Permission.CALENDAR_CONFIGURE),
    }
    return render(request, "calendar/staff_availability.html", context, status)


@router.get("/calendar/staff/{staff_id}/availability")
def staff_availability(
    request: Request, staff_id: int, db: SessionDep, actor: PageActor
) -> Response:
    return _staff_page(request, db, actor, staff_id)


@router.post("/calendar/staff/{staff_id}/hours")
def add_hours(
    request: Request, staff_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        setup_service.add_hours(
            db,
            actor=actor,
            staff_id=staff_id,
            location_id=parse_int(form.get("location_id")) or 0,
            weekday=parse_int(form.get("weekday")) or 0,
            start_time=parse_time(form.get("start_time")),
            end_time=parse_time(form.get("end_time")),
        )
    except ValidationFailed as error:
        db.rollback()
        return _staff_page(request, db, actor, staff_id, error.field_errors, form, 422)
    return redirect(f"/calendar/staff/{staff_id}/availability")


@router.post("/calendar/staff/{staff_id}/hours/{row_id}/delete")
def remove_hours(staff_id: int, row_id: int, db: SessionDep, actor: PageActor) -> Response:
    setup_service.remove_hours(db, actor=actor, row_id=row_id)
    return redirect(f"/calendar/staff/{staff_id}/availability")


@router.post("/calendar/staff/{staff_id}/time-off")
def add_time_off(
    request: Request, staff_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    staff = setup_service.staff_for(db, actor=actor, staff_id=staff_id)
    zone = views_service.zone_of(db, staff.locations[0].id if staff.locations else None)
    try:
        setup_service.add_time_off(
            db,
            actor=actor,
            staff_id=staff_id,
            starts_at=local_instant(form.get("start_day"), form.get("start_time") or "00:00", zone),
            ends_at=local_instant(form.get("end_day"), form.get("end_time") or "23:59", zone),
            reason=form.get("reason"),
        )
    except ValidationFailed as error:
        db.rollback()
        return _staff_page(request, db, actor, staff_id, error.field_errors, form, 422)
    return redirect(f"/calendar/staff/{staff_id}/availability")


@router.post("/calendar/staff/{staff_id}/time-off/{row_id}/delete")
def remove_time_off(staff_id: int, row_id: int, db: SessionDep, actor: PageActor) -> Response:
    setup_service.remove_time_off(db, actor=actor, row_id=row_id)
    return redirect(f"/calendar/staff/{staff_id}/availability")


# ---- the patient's side ---------------------------------------------------------------------


def _patient_page(
    request: Request,
    db: Session,
    actor: Actor,
    patient_id: int,
    errors=None,
    values=None,
    status=200,
) -> Response:  # type: ignore[no-untyped-def]
    pref = patient_service.preference(db, actor=actor, patient_id=patient_id)
    zone = views_service.patient_zone(db, patient_id)
    defaults = {
        "preferred_weekdays": list(pref.preferred_weekdays or ""),
        "part_of_day": pref.part_of_day or "",
        "telehealth_ok": pref.telehealth_ok,
        "note": pref.note or "",
    }
    context = {
        "patient_id": patient_id,
        "zone": zone,
        "blocks": patient_service.blocks(db, actor=actor, patient_id=patient_id),
        "weekdays": WEEKDAYS,
        "parts": [("", "No preference"), *PARTS_OF_DAY.items()],
        "errors": errors or {},
        "values": {**defaults, **(values or {})},
        "may_edit": actor.principal is not None
        and can(actor.principal, Permission.APPOINTMENT_WRITE),
    }
    return render(request, "calendar/patient_availability.html", context, status)


@router.get("/calendar/patients/{patient_id}/availability")
def patient_availability(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    return _patient_page(request, db, actor, patient_id)


@router.post("/calendar/patients/{patient_id}/blocks")
def add_block(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    zone = views_service.patient_zone(db, patient_id)
    try:
        patient_service.add_block(
            db,
            actor=actor,
            patient_id=patient_id,
            starts_at=local_instant(form.get("day"), form.get("start_time"), zone),
            ends_at=local_instant(form.get("day"), form.get("end_time"), zone),
            label=form.get("label"),
        )
    except ValidationFailed as error:
        db.rollback()
        return _patient_page(request, db, actor, patient_id, error.field_errors, form, 422)
    return redirect(f"/calendar/patients/{patient_id}/availability")


@router.post("/calendar/patients/{patient_id}/blocks/{block_id}/delete")
def remove_block(patient_id: int, block_id: int, db: SessionDep, actor: PageActor) -> Response:
    patient_service.remove_block(db, actor=actor, block_id=block_id)
    return redirect(f"/calendar/patients/{patient_id}/availability")


@router.post("/calendar/patients/{patient_id}/preferences")
def save_preferences(
    request: Request,
    patient_id: int,
    db: SessionDep,
    actor: PageActor,
    form: FormData,
    lists: FormLists,
) -> Response:
    try:
        patient_service.save_preference(
            db,
            actor=actor,
            patient_id=patient_id,
            weekdays=lists.get("preferred_weekdays", []),
            part_of_day=form.get("part_of_day") or None,
            telehealth_ok=bool(form.get("telehealth_ok")),
            note=form.get("note"),
        )
    except ValidationFailed as error:
        db.rollback()
        values = {**form, "preferred_weekdays": lists.get("preferred_weekdays", [])}
        return _patient_page(request, db, actor, patient_id, error.field_errors, values, 422)
    return redirect(f"/calendar/patients/{patient_id}/availability?saved=1")
