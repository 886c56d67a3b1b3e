"""Discharge pages: the drafted summary and its form, signing (which closes the enrollment)
and the PDF export."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.clinical import discharge_service, plan_service
from openiop.clinical.access import may_write, today
from openiop.clinical.pages.common import LABELS, new_router, redirect
from openiop.kit.errors import ValidationFailed
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = new_router()


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    patient_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = discharge_service.discharge_view(db, actor=actor, patient_id=patient_id)
    summary = view.summary
    if values is None:
        values = _values(summary) if summary else {"discharge_date": today().isoformat()}
    return render(
        request,
        "clinical/discharge.html",
        {
            **LABELS,
            "patient": plan_service.patient(db, patient_id),
            "view": view,
            "values": values,
            "errors": errors or {},
            "may_write": may_write(actor),
        },
        status,
    )


def _values(summary: Any) -> dict[str, Any]:
    return {
        "discharge_type": summary.discharge_type,
        "discharge_date": summary.discharge_date.isoformat(),
        "referral_to": summary.referral_to or "",
        "clinical_course": summary.clinical_course,
        "aftercare_plan": summary.aftercare_plan,
        "version": summary.version,
    }


@router.get("/patients/{patient_id}/discharge")
def discharge_page(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _page(request, db, actor, patient_id)


@router.post("/patients/{patient_id}/discharge")
def save_draft(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        discharge_service.save_draft(db, actor=actor, patient_id=patient_id, data=form)
    except ValidationFailed as error:
        db.rollback()
        errors = error.field_errors or {"form": error.message}
        return _page(request, db, actor, patient_id, form, errors, 422)
    return redirect(f"/patients/{patient_id}/discharge")


@router.post("/discharges/{summary_id}/sign")
def sign(
    request: Request, summary_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    version = form.get("version", "")
    try:
        summary = discharge_service.sign(
            db,
            actor=actor,
            summary_id=summary_id,
            version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as error:
        db.rollback()
        patient_id = discharge_service.patient_of(db, summary_id=summary_id)
        errors = error.field_errors or {"form": error.message}
        return _page(request, db, actor, patient_id, None, errors, 422)
    return redirect(f"/patients/{summary.patient_id}/discharge")


@router.get("/discharges/{summary_id}.pdf")
def export_pdf(request: Request, summary_id: int, db: SessionDep, actor: PageActor) -> Response:
    name, body = discharge_service.export_pdf(db, actor=actor, summary_id=summary_id)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
