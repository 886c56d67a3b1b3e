"""Enrollment forms: open an episode of care for a patient, edit or discharge it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openiop.kit.errors import Conflict, ValidationFailed
from openiop.patients import enrollment_rules as rules
from openiop.patients import enrollment_service as enrollments
from openiop.patients.forms import conflict_page, read_version, redirect
from openiop.security.permissions import Access
from openiop.web.deps import FormData, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def _staff_label(member) -> str:  # type: ignore[no-untyped-def]
    credentials = f" ({member.credentials.replace(',', ', ')})" if member.credentials else ""
    sites = ", ".join(site.name for site in member.locations)
    return f"{member.last_name}, {member.first_name}{credentials} — {sites}"


def _options(choices: enrollments.Choices) -> dict[str, list[tuple[Any, str]]]:
    sites = {site.id: site.name for site in choices.locations}
    programs = {program.id: program.name for program in choices.programs}
    return {
        "location_options": list(sites.items()),
        "program_options": list(programs.items()),
        "track_options": [
            (
                t.id,
                f"{t.name} — {sites.get(t.location_id, '')}, {programs.get(t.program_id, '')} "
                f"({t.start_time:%H:%M}–{t.end_time:%H:%M})",
            )
            for t in choices.tracks
        ],
        "counselor_options": [(m.id, _staff_label(m)) for m in choices.counselors],
        "physician_options": [(m.id, _staff_label(m)) for m in choices.physicians],
        "status_options": list(rules.ENROLLMENT_STATUSES.items()),
        "discharge_options": list(rules.DISCHARGE_TYPES.items()),
        "substance_options": list(rules.SUBSTANCES.items()),
    }


def _page(
    request: Request,
    context: enrollments.FormContext,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    row = context.enrollment
    return render(
        request,
        "patients/enrollment_form.html",
        {
            **_options(context.choices),
            "values": values,
            "errors": errors or {},
            "patient": context.patient,
            "enrollment": row,
            # Writers without full access record clinical fields at intake but are not shown
            # them afterwards, so the edit form leaves those fields out (and keeps them).
            "show_clinical": row is None or context.access >= Access.FULL,
            "action": f"/enrollments/{row.id}/edit"
            if row
            else f"/patients/{context.patient.id}/enrollments/new",
        },
        status,
    )


@router.get("/patients/{patient_id}/enrollments/new")
def new_enrollment_form(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    context = enrollments.new_form(db, actor=actor, patient_id=patient_id)
    return _page(request, context, {"status": "active"})


@router.post("/patients/{patient_id}/enrollments/new")
def create_enrollment(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        enrollments.create_enrollment(db, actor=actor, patient_id=patient_id, data=form)
    except ValidationFailed as error:
        context = enrollments.new_form(db, actor=actor, patient_id=patient_id)
        return _page(request, context, form, error.field_errors, 422)
    return redirect(f"/patients/{patient_id}")


@router.get("/enrollments/{enrollment_id}/edit")
def edit_enrollment_form(
    request: Request, enrollment_id: int, db: SessionDep, actor: PageActor
) -> Response:
    context = enrollments.edit_form(db, actor=actor, enrollment_id=enrollment_id)
    values = enrollments.form_values(context.enrollment, context.access)  # type: ignore[arg-type]
    return _page(request, context, values)


@router.post("/enrollments/{enrollment_id}/edit")
def edit_enrollment(
    request: Request, enrollment_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        row = enrollments.update_enrollment(
            db, actor=actor, enrollment_id=enrollment_id, version=read_version(form), changes=form
        )
    except ValidationFailed as error:
        context = enrollments.edit_form(db, actor=actor, enrollment_id=enrollment_id)
        return _page(request, context, form, error.field_errors, 422)
    except Conflict as error:
        return conflict_page(request, error, f"/enrollments/{enrollment_id}/edit")
    return redirect(f"/patients/{row.patient_id}")
