"""Attendance pages: today's sessions and appointments, a session's roster (plain form and
HTMX), completing appointments, and the location's compliance dashboard.

The roster form works without JavaScript (POST, then redirect); with HTMX the form swaps
itself in place. HTMX does not swap 4xx answers, so an HTMX submission with errors comes
back 200 with the errors shown; nothing was written either way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.attendance import appointment_service, compliance_service, day_service, service
from openiop.attendance.rules import COMPLETABLE, Status
from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
STATUSES = [(status.value, status.label) for status in Status]
APPOINTMENT_STATUSES = [(value, value.replace("_", " ").capitalize()) for value in COMPLETABLE]


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# ---- today ------------------------------------------------------------------------------------


@router.get("/attendance")
def today_page(
    request: Request, db: SessionDep, actor: PageActor, day: str | None = None
) -> Response:
    return _today(request, db, actor, _day(day), {}, {}, None)


def _today(
    request: Request,
    db: Session,
    actor: Actor,
    day: date | None,
    errors: dict[str, str],
    values: dict[str, str],
    failed_id: int | None,
    status_code: int = 200,
) -> Response:
    today = day_service.todays_sessions(db, actor=actor, day=day)
    visits = day_service.todays_appointments(db, actor=actor, day=today.day, zone=today.zone)
    context = {
        "today": today,
        "visits": visits,
        "errors": errors,
        "values": values,
        "failed_id": failed_id,
        "statuses": APPOINTMENT_STATUSES,
        "saved": request.query_params.get("saved"),
        "past_day": today.day < clock.today_in(today.zone),
    }
    return render(request, "attendance/today.html", context, status_code)


@router.post("/attendance/appointments/{appointment_id}")
def complete_appointment(
    appointment_id: int, request: Request, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    day = _day(form.get("day"))
    try:
        appointment_service.complete_appointment(
            db,
            actor=actor,
            appointment_id=appointment_id,
            status=form.get("status", ""),
            actual_minutes=form.get("actual_minutes"),
            reason=form.get("reason"),
        )
    except ValidationFailed as error:
        db.rollback()
        request.state.commit_on_error = True  # keep the audit of what the page shows
        return _today(request, db, actor, day, error.field_errors, form, appointment_id, 422)
    query = f"?day={day.isoformat()}&saved=appointment" if day else "?saved=appointment"
    return RedirectResponse(f"/attendance{query}#appointment-{appointment_id}", 303)


# ---- the roster -------------------------------------------------------------------------------


@router.get("/attendance/sessions/{session_id}")
def roster_page(session_id: int, request: Request, db: SessionDep, actor: PageActor) -> Response:
    view = service.roster(db, actor=actor, session_id=session_id)
    saved = request.query_params.get("saved") == "1"
    return _roster(request, view, {}, None, saved=saved)


def _roster(
    request: Request,
    view: service.RosterView,
    errors: dict[str, str],
    form: dict[str, str] | None,
    *,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    partial = _htmx(request)
    context: dict[str, Any] = {
        "view": view,
        "group": view.session,
        "errors": errors,
        "values": form if form is not None else _form_values(view),
        "statuses": STATUSES,
        "row_names": {str(row.enrollment_id): row.patient_name for row in view.rows},
        "saved": saved,
        "partial": partial,
    }
    name = "attendance/_roster_form.html" if partial else "attendance/roster.html"
    return render(request, name, context, 200 if partial else status_code)


def _form_values(view: service.RosterView) -> dict[str, str]:
    """What the form shows: recorded rows as recorded, the rest "present" (all present)."""
    values: dict[str, str] = {}
    for row in view.rows:
        values[f"status-{row.enrollment_id}"] = row.status or Status.PRESENT.value
        values[f"check_in-{row.enrollment_id}"] = row.check_in or ""
        values[f"check_out-{row.enrollment_id}"] = row.check_out or ""
    return values


def _rows_from(form: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for key, status in form.items():
        if key.startswith("status-"):
            enrollment_id = key.removeprefix("status-")
            rows.append(
                {
                    "enrollment_id": enrollment_id,
                    "status": status,
                    "check_in": form.get(f"check_in-{enrollment_id}", ""),
                    "check_out": form.get(f"check_out-{enrollment_id}", ""),
                }
            )
    return rows


@router.post("/attendance/sessions/{session_id}")
def record_roster(
    session_id: int, request: Request, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    version = form.get("version", "")
    try:
        view = service.record_attendance(
            db,
            actor=actor,
            session_id=session_id,
            rows=_rows_from(form),
            others=Status.PRESENT.value,  # anyone not on the form yet: all present
            reason=form.get("reason"),
            version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as error:
        db.rollback()
        request.state.commit_on_error = True
        view = service.roster(db, actor=actor, session_id=session_id)
        return _roster(request, view, error.field_errors, form, status_code=422)
    if _htmx(request):
        return _roster(request, view, {}, None, saved=True)
    return RedirectResponse(f"/attendance/sessions/{session_id}?saved=1", 303)


# ---- the location dashboard -------------------------------------------------------------------


@router.get("/attendance/dashboard")
def dashboard_page(
    request: Request,
    db: SessionDep,
    actor: PageActor,
    location: int | None = None,
    week: str | None = None,
) -> Response:
    location_id = location
    errors: dict[str, str] = {}
    try:
        board = compliance_service.dashboard(db, actor=actor, location_id=location_id, week=week)
    except ValidationFailed as error:
        errors = error.field_errors
        request.state.commit_on_error = True  # the page still shows (and audits) this week
        board = compliance_service.dashboard(db, actor=actor, location_id=location_id)
    context = {"board": board, "errors": errors, "week_value": week or board.week}
    return render(request, "attendance/dashboard.html", context, 422 if errors else 200)
