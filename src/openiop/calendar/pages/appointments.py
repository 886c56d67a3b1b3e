"""Booking, moving, cancelling and recording appointments in the browser.

A refused booking re-shows the form with what was typed and each clash named next to the
field to change (409 for a clash, 422 for impossible input); nothing is saved.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.calendar import booking_service, rules, service
from openiop.calendar.pages.common import local_instant, page_router, parse_int, redirect, today
from openiop.calendar.views_service import zone_of
from openiop.kit.errors import Conflict, DomainError, ValidationFailed
from openiop.security.audit import Actor
from openiop.security.permissions import Permission, can
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = page_router()
KINDS = list(rules.KIND_LABELS.items())


def _zone_of(db: Session, location_id: int | None) -> str:
    return zone_of(db, location_id)


def _form(
    request: Request,
    db: Session,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    location_id = parse_int(values.get("location_id"))
    if location_id is None:
        raise ValidationFailed(
            "Open the booking form from a site's calendar.",
            field_errors={"location_id": "Choose a site."},
        )
    fixed_patient = parse_int(values.get("fixed_patient"))
    offered = booking_service.choices(
        db, actor=actor, location_id=location_id, patient_id=fixed_patient
    )
    if not values.get("staff_member_id") and offered.primary_counselor_id:
        values = {**values, "staff_member_id": str(offered.primary_counselor_id)}
    context = {
        "values": values,
        "errors": errors or {},
        "message": message,
        "kinds": KINDS,
        "patients": [(p.id, f"{p.last_name}, {p.first_name} ({p.mrn})") for p in offered.patients],
        "staff": [
            (s.id, f"{s.full_name} ({s.credentials or 'no credential'})") for s in offered.staff
        ],
        "rooms": [(r.id, f"{r.name} (holds {r.capacity})") for r in offered.rooms],
        "zone": _zone_of(db, location_id),
    }
    return render(request, "calendar/appointment_form.html", context, status)


@router.get("/calendar/appointments/new")
def new_appointment(
    request: Request,
    db: SessionDep,
    actor: PageActor,
    location_id: str = "",
    patient_id: str = "",
    staff_member_id: str = "",
    day: str = "",
) -> Response:
    values = {
        "location_id": location_id,
        "patient_id": patient_id,
        "fixed_patient": patient_id,
        "staff_member_id": staff_member_id,
        "kind": "individual",
        "day": day or today().isoformat(),
        "start": "13:00",
        "minutes": "50",
    }
    return _form(request, db, actor, values)


def _slot_values(db: Session, form: dict[str, str]) -> dict[str, Any]:
    zone = _zone_of(db, parse_int(form.get("location_id")))
    starts = local_instant(form.get("day"), form.get("start"), zone)
    problems = {}
    if starts is None:
        problems["start"] = "Give a date and a start time."
    minutes = parse_int(form.get("minutes"))
    if minutes is None or not 5 <= minutes <= rules.MAX_APPOINTMENT_MINUTES:
        problems["minutes"] = "Give the length in minutes (5 to 480)."
    if problems:
        raise ValidationFailed(
            "Please correct: " + " ".join(problems.values()), field_errors=problems
        )
    telehealth = bool(form.get("telehealth"))
    return {
        "starts_at": starts,
        "minutes": minutes,
        "telehealth": telehealth,
        "room_id": None if telehealth else parse_int(form.get("room_id")),
    }


def _errors_for_form(error: DomainError) -> dict[str, str]:
    """Service field names as this form's: the start is typed as a date and a time."""
    renamed = {"starts_at": "start", "ends_at": "minutes"}
    return {renamed.get(k, k): v for k, v in error.field_errors.items()}


@router.post("/calendar/appointments/new")
def create_appointment(
    request: Request, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        patient_id = parse_int(form.get("patient_id"))
        staff_id = parse_int(form.get("staff_member_id"))
        missing = {
            k: "Choose one."
            for k, v in (("patient_id", patient_id), ("staff_member_id", staff_id))
            if v is None
        }
        if missing:
            raise ValidationFailed(
                "Please choose the patient and who holds it.", field_errors=missing
            )
        row = service.create_appointment(
            db,
            actor=actor,
            patient_id=patient_id,
            staff_member_id=staff_id,
            location_id=parse_int(form.get("location_id")) or 0,
            kind=form.get("kind", ""),
            **_slot_values(db, form),
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _form(
            request, db, actor, form, _errors_for_form(error), error.message, error.status_code
        )
    return redirect(f"/calendar/appointments/{row.id}?booked=1")


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    appointment_id: int,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    row = service.get_appointment(db, actor=actor, appointment_id=appointment_id)
    zone = _zone_of(db, row.location_id)
    principal = actor.principal
    may_change = principal is not None and can(principal, Permission.APPOINTMENT_WRITE)
    offered = (
        booking_service.choices(
            db, actor=actor, location_id=row.location_id, patient_id=row.patient_id
        )
        if may_change and row.status == "scheduled"
        else None
    )
    start_local = rules.as_local(row.starts_at, zone)
    defaults = {
        "day": start_local.date().isoformat(),
        "start": start_local.strftime("%H:%M"),
        "minutes": str(rules.minutes_of(row.starts_at, row.ends_at)),
        "staff_member_id": str(row.staff_member_id),
        "room_id": str(row.room_id or ""),
        "telehealth": "1" if row.telehealth else "",
    }
    context = {
        "a": row,
        "zone": zone,
        "kind_label": rules.KIND_LABELS.get(row.kind, row.kind),
        "status_label": rules.STATUS_LABELS.get(row.status, row.status),
        "start_local": start_local,
        "end_local": rules.as_local(row.ends_at, zone),
        "may_change": may_change and row.status == "scheduled",
        # Recording what happened is the attendance area's permission (it writes the ledger).
        "may_record": principal is not None and can(principal, Permission.ATTENDANCE_RECORD),
        "is_patient": principal is not None and principal.patient_id == row.patient_id,
        "staff": [(s.id, s.full_name) for s in offered.staff] if offered else [],
        "rooms": [(r.id, f"{r.name} (holds {r.capacity})") for r in offered.rooms]
        if offered
        else [],
        "values": {**defaults, **(values or {})},
        "errors": errors or {},
        "message": message,
        "booked": request.query_params.get("booked") == "1",
    }
    return render(request, "calendar/appointment.html", context, status)


@router.get("/calendar/appointments/{appointment_id}")
def appointment_detail(
    request: Request, appointment_id: int, db: SessionDep, actor: PageActor
) -> Response:
    return _detail(request, db, actor, appointment_id)


def _version(form: dict[str, str]) -> int:
    version = parse_int(form.get("version"))
    if version is None:
        raise ValidationFailed(
            "Reload the page and try again.", field_errors={"version": "Missing."}
        )
    return version


@router.post("/calendar/appointments/{appointment_id}/move")
def move_appointment(
    request: Request, appointment_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        service.move_appointment(
            db,
            actor=actor,
            appointment_id=appointment_id,
            version=_version(form),
            staff_member_id=parse_int(form.get("staff_member_id")),
            **_slot_values(
                db, {**form, "location_id": str(_location_of(db, actor, appointment_id))}
            ),
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _detail(
            request,
            db,
            actor,
            appointment_id,
            _errors_for_form(error),
            error.message,
            form,
            error.status_code,
        )
    return redirect(f"/calendar/appointments/{appointment_id}")


def _location_of(db: Session, actor: Actor, appointment_id: int) -> int:
    return service.get_appointment(db, actor=actor, appointment_id=appointment_id).location_id


@router.post("/calendar/appointments/{appointment_id}/cancel")
def cancel_appointment(
    request: Request, appointment_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    late = {"late": True, "early": False}.get(form.get("notice", ""))
    try:
        service.cancel_appointment(
            db,
            actor=actor,
            appointment_id=appointment_id,
            version=_version(form),
            reason=form.get("reason", ""),
            late=late,
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _detail(
            request,
            db,
            actor,
            appointment_id,
            error.field_errors,
            error.message,
            form,
            error.status_code,
        )
    return redirect(f"/calendar/appointments/{appointment_id}")


@router.post("/calendar/appointments/{appointment_id}/complete")
def complete_appointment(
    request: Request, appointment_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        service.complete_appointment(
            db,
            actor=actor,
            appointment_id=appointment_id,
            version=_version(form),
            outcome=form.get("outcome", ""),
            actual_minutes=parse_int(form.get("actual_minutes")),
            reason=form.get("record_reason") or None,
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        renamed = {"status": "outcome", "reason": "record_reason"}
        return _detail(
            request,
            db,
            actor,
            appointment_id,
            {renamed.get(k, k): v for k, v in error.field_errors.items()},
            error.message,
            form,
            error.status_code,
        )
    return redirect(f"/calendar/appointments/{appointment_id}")
