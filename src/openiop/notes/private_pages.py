"""Private SUD counseling notes: one page per patient listing the signed-in clinician's own
notes and a form to add one. Nothing here is linked from the chart's note list."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.notes import private_service
from openiop.notes.service import patient_name
from openiop.web.deps import FormData, PageActor, SessionDep, SettingsDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def _page(request, db, actor, settings, patient_id, values, errors, status=200):  # type: ignore[no-untyped-def]
    notes = private_service.my_private_notes(
        db, actor=actor, patient_id=patient_id, settings=settings
    )
    context = {
        "patient_id": patient_id,
        "patient_name": patient_name(db, patient_id),
        "notes": notes,
        "values": values,
        "errors": errors,
    }
    response = render(request, "notes/private_notes.html", context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/patients/{patient_id}/private-notes")
def private_notes(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, settings: SettingsDep
) -> Response:
    today = clock.today_in(settings.default_time_zone)
    return _page(request, db, actor, settings, patient_id, {"service_date": today.isoformat()}, {})


@router.post("/patients/{patient_id}/private-notes")
def write_private_note(
    request: Request,
    patient_id: int,
    db: SessionDep,
    actor: PageActor,
    settings: SettingsDep,
    form: FormData,
) -> Response:
    try:
        private_service.write_private_note(
            db,
            actor=actor,
            patient_id=patient_id,
            service_date=form.get("service_date", ""),
            text=form.get("text", ""),
            settings=settings,
        )
    except ValidationFailed as error:
        db.rollback()
        return _page(request, db, actor, settings, patient_id, form, error.field_errors, 422)
    return RedirectResponse(f"/patients/{patient_id}/private-notes", status_code=303)
