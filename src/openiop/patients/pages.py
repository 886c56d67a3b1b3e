"""Patient pages: the list and search, the face sheet, the patient's own view, emergency
access, and the register/edit forms with weekly commitments. Enrollment forms live in
enrollment_pages.py and are mounted on this router."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.kit.pagination import Page, PageRequest
from openiop.patients import enrollment_pages, enrollment_rules, rules, service
from openiop.patients.forms import conflict_page, read_version, redirect
from openiop.patients.schemas import FaceSheet
from openiop.security import audit
from openiop.security import service as security
from openiop.security.audit import Actor
from openiop.security.permissions import Permission, Role, can, may_break_glass
from openiop.web.deps import FormData, PageActor, SessionDep, SettingsDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
PAGE_SIZE = 25
LABELS = {
    "sexes": rules.SEX_AT_BIRTH,
    "kinds": rules.COMMITMENT_KINDS,
    "weekdays": rules.WEEKDAYS,
    "statuses": enrollment_rules.ENROLLMENT_STATUSES,
    "discharge_types": enrollment_rules.DISCHARGE_TYPES,
    "substances": enrollment_rules.SUBSTANCES,
}


def refused_page(
    request: Request, db: Session, actor: Actor, refusal: security.Refused, patient_id: int
) -> Response:
    """403 with a way forward: staff may ask for emergency access. The refusal is audited
    like any other (work rolled back, the event kept)."""
    db.rollback()
    audit.record(db, actor, refusal.audit_entry)
    request.state.commit_on_error = True
    offer = actor.principal is not None and may_break_glass(actor.principal)
    return render(
        request,
        "patients/refused.html",
        {
            "patient_id": patient_id,
            "message": refusal.message,
            "offer_break_glass": offer,
        },
        403,
    )


# ---- list and search --------------------------------------------------------------------


@router.get("/patients")
def patient_list(
    request: Request, db: SessionDep, actor: PageActor, q: str = "", page: int = 1
) -> Response:
    wanted = PageRequest(page=page, size=PAGE_SIZE)
    errors: dict[str, str] = {}
    try:
        found = service.list_patients(db, actor=actor, query=q, page=wanted)
    except ValidationFailed as error:
        found, errors = Page([], 0, wanted), error.field_errors
    base_url = "/patients?" + (urlencode({"q": q}) + "&" if q.strip() else "")
    return render(
        request,
        "patients/list.html",
        {
            "found": found,
            "q": q,
            "values": {"q": q},
            "errors": errors,
            "base_url": base_url,
        },
        422 if errors else 200,
    )


# ---- face sheet, own record, emergency access -------------------------------------------


def _sheet_page(request: Request, sheet: FaceSheet, own: bool) -> Response:
    principal = request.state.actor.principal
    return render(
        request,
        "patients/face_sheet.html",
        {
            **LABELS,
            "sheet": sheet,
            "own": own,
            "offer_break_glass": not own
            and sheet.access == "limited"
            and may_break_glass(principal),
            "may_edit": not own and can(principal, Permission.PATIENT_UPDATE),
            "may_enroll": not own and can(principal, Permission.ENROLLMENT_WRITE),
        },
    )


@router.get("/patients/new")
def new_patient_form(request: Request, db: SessionDep, actor: PageActor) -> Response:
    security.require(db, actor, Permission.PATIENT_CREATE, action="patient.create")
    return _patient_form(request, db, actor, {"state": "CA", "preferred_language": "English"})


@router.post("/patients/new")
def create_patient(request: Request, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    try:
        patient = service.create_patient(db, actor=actor, data=form)
    except ValidationFailed as error:
        return _patient_form(request, db, actor, form, error.field_errors, 422)
    return redirect(f"/patients/{patient.id}")


def _patient_form(
    request: Request,
    db: Session,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    sites = service.registration_sites(db, actor=actor)
    return render(
        request,
        "patients/patient_form.html",
        {
            **LABELS,
            "values": values,
            "errors": errors or {},
            "fields": rules.PATIENT_FIELDS,
            "site_options": [(site.id, site.name) for site in sites],
            "patient": None,
        },
        status,
    )


@router.get("/patients/{patient_id}")
def face_sheet(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    principal = actor.principal
    if principal and principal.role is Role.PATIENT and principal.patient_id == patient_id:
        return redirect("/me")
    try:
        sheet = service.face_sheet(db, actor=actor, patient_id=patient_id)
    except security.Refused as refusal:
        return refused_page(request, db, actor, refusal, patient_id)
    return _sheet_page(request, sheet, own=False)


@router.get("/me")
def my_record(request: Request, db: SessionDep, actor: PageActor) -> Response:
    principal = actor.principal
    if principal is None or principal.role is not Role.PATIENT:
        return redirect("/patients")
    if principal.patient_id is None:
        raise NotFound("No patient record is linked to your account.")
    sheet = service.face_sheet(db, actor=actor, patient_id=principal.patient_id)
    return _sheet_page(request, sheet, own=True)


@router.get("/patients/{patient_id}/break-glass")
def break_glass_form(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    service.check_break_glass(db, actor=actor, patient_id=patient_id)
    return _break_glass_page(request, patient_id, {}, {})


@router.post("/patients/{patient_id}/break-glass")
def break_glass(
    request: Request,
    patient_id: int,
    db: SessionDep,
    settings: SettingsDep,
    actor: PageActor,
    form: FormData,
) -> Response:
    service.check_break_glass(db, actor=actor, patient_id=patient_id)
    reason = form.get("reason", "")
    try:
        security.break_glass(
            db, actor=actor, patient_id=patient_id, reason=reason, settings=settings
        )
    except ValidationFailed as error:
        return _break_glass_page(request, patient_id, {"reason": reason}, error.field_errors, 422)
    return redirect(f"/patients/{patient_id}")


def _break_glass_page(
    request: Request,
    patient_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "patients/break_glass.html",
        {
            "patient_id": patient_id,
            "values": values,
            "errors": errors,
            "minutes": settings.break_glass_minutes,
        },
        status,
    )


# ---- editing ----------------------------------------------------------------------------


@router.get("/patients/{patient_id}/edit")
def edit_patient_form(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    security.require(db, actor, Permission.PATIENT_UPDATE, action="patient.update")
    sheet = service.face_sheet(db, actor=actor, patient_id=patient_id)
    return _edit_page(request, db, actor, sheet, sheet.patient.model_dump())


@router.post("/patients/{patient_id}/edit")
def edit_patient(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        service.update_patient(
            db, actor=actor, patient_id=patient_id, version=read_version(form), changes=form
        )
    except ValidationFailed as error:
        sheet = service.face_sheet(db, actor=actor, patient_id=patient_id)
        return _edit_page(request, db, actor, sheet, form, error.field_errors, status=422)
    except Conflict as error:
        return conflict_page(request, error, f"/patients/{patient_id}/edit")
    return redirect(f"/patients/{patient_id}")


def _edit_page(
    request: Request,
    db: Session,
    actor: Actor,
    sheet: FaceSheet,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    c_values: dict[str, Any] | None = None,
    c_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    principal = actor.principal
    assert principal is not None
    sites = service.registration_sites(db, actor=actor, keep=sheet.patient.registered_location_id)
    return render(
        request,
        "patients/patient_form.html",
        {
            **LABELS,
            "values": values,
            "errors": errors or {},
            "patient": sheet.patient,
            "sheet": sheet,
            "fields": service.editable_fields(principal),
            "site_options": [(site.id, site.name) for site in sites],
            "may_edit_commitments": service.may_edit_commitments(principal),
            "c_values": c_values or {},
            "c_errors": c_errors or {},
            "weekday_options": list(rules.WEEKDAYS.items()),
            "kind_options": list(rules.COMMITMENT_KINDS.items()),
        },
        status,
    )


@router.post("/patients/{patient_id}/commitments")
def add_commitment(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        service.add_commitment(db, actor=actor, patient_id=patient_id, data=form)
    except ValidationFailed as error:
        sheet = service.face_sheet(db, actor=actor, patient_id=patient_id)
        return _edit_page(
            request,
            db,
            actor,
            sheet,
            sheet.patient.model_dump(),
            c_values=form,
            c_errors=error.field_errors,
            status=422,
        )
    return redirect(f"/patients/{patient_id}/edit#commitments")


@router.post("/patients/{patient_id}/commitments/{commitment_id}/remove")
def remove_commitment(
    request: Request, patient_id: int, commitment_id: int, db: SessionDep, actor: PageActor
) -> Response:
    service.remove_commitment(db, actor=actor, patient_id=patient_id, commitment_id=commitment_id)
    return redirect(f"/patients/{patient_id}/edit#commitments")


router.include_router(enrollment_pages.router)
