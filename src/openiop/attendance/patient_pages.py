"""The chart's attendance tab: one patient's compliance this week and last week (read-only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from openiop.attendance import patient_compliance_service
from openiop.web.deps import PageActor, SessionDep
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, include_in_schema=False)


@router.get("/patients/{patient_id}/compliance")
def patient_compliance(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    found = patient_compliance_service.patient_compliance(db, actor=actor, patient_id=patient_id)
    return render(request, "attendance/patient_compliance.html", {"found": found})
