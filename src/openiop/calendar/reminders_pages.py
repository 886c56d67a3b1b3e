"""Reminder choices: the patient's own page and the staff page for one patient."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from openiop.calendar import reminders_preferences as preferences
from openiop.kit.errors import Forbidden, ValidationFailed
from openiop.security.audit import Actor
from openiop.security.permissions import Role
from openiop.web.deps import FormData, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
MINE = "/calendar/reminders/mine"


def _own_patient(actor: Actor) -> int:
    principal = actor.principal
    if principal is None or principal.role is not Role.PATIENT or not principal.patient_id:
        raise Forbidden("This page is for patients; staff use a patient's reminders page.")
    return principal.patient_id


def _base(patient_id: int) -> str:
    return f"/calendar/reminders/patients/{patient_id}"


@router.get(MINE)
def my_reminders(request: Request, db: SessionDep, actor: PageActor) -> Response:
    patient_id = _own_patient(actor)
    found = preferences.view(db, actor=actor, patient_id=patient_id)
    return _page(request, found, action=MINE, own=True)


@router.post(MINE)
def change_my_reminders(
    request: Request, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    return _change(request, db, actor, _own_patient(actor), form, action=MINE, own=True)


@router.get("/calendar/reminders/patients/{patient_id}")
def patient_reminders(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    found = preferences.view(db, actor=actor, patient_id=patient_id)
    return _page(request, found, action=_base(patient_id), own=False)


@router.post("/calendar/reminders/patients/{patient_id}")
def change_patient_reminders(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    return _change(request, db, actor, patient_id, form, action=_base(patient_id), own=False)


def _change(  # type: ignore[no-untyped-def]
    request: Request, db, actor: Actor, patient_id: int, form: dict[str, str], *, action, own
) -> Response:
    opt_in, group_days = form.get("email_opt_in") == "yes", form.get("group_days") == "yes"
    try:
        preferences.change(
            db, actor=actor, patient_id=patient_id, email_opt_in=opt_in, group_days=group_days
        )
    except ValidationFailed as error:
        found = preferences.view(db, actor=actor, patient_id=patient_id)
        values = {"email_opt_in": opt_in, "group_days": group_days}
        return _page(
            request,
            found,
            action=action,
            own=own,
            errors=error.field_errors,
            values=values,
            status_code=422,
        )
    return RedirectResponse(f"{action}?saved=1", status_code=303)


def _page(  # type: ignore[no-untyped-def]
    request: Request, found, *, action: str, own: bool, errors=None, values=None, status_code=200
) -> Response:
    context = {
        "found": found,
        "action": action,
        "own": own,
        "errors": errors or {},
        "values": values or {"email_opt_in": found.email_opt_in, "group_days": found.group_days},
        "saved": request.query_params.get("saved") == "1",
        "quiet_start": request.app.state.settings.reminder_quiet_start,
        "quiet_end": request.app.state.settings.reminder_quiet_end,
    }
    return render(request, "calendar/reminders.html", context, status_code)
