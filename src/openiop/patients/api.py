"""JSON API for the registry under /api/v1: patients and enrollments.

Same services, permission checks and audit as the pages. A patient is returned as a face
sheet whose `access` says "limited" or "full"; `clinical` is null unless full. Updates
(PATCH) must send the `version` they read: a different stored version gives 409.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from openiop.kit.pagination import Page, PageRequest
from openiop.patients import enrollment_service as enrollments
from openiop.patients import service
from openiop.patients.schemas import (
    EnrollmentDetail,
    EnrollmentIn,
    EnrollmentPage,
    EnrollmentPatch,
    EnrollmentSummary,
    FaceSheet,
    PatientIn,
    PatientPage,
    PatientPatch,
)
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["patients"])

# Detail first: a limited (summary) body lacks the detail's required fields, so each
# body validates as exactly the shape it was built as.
EnrollmentOut = EnrollmentDetail | EnrollmentSummary


def _paging(page: int, size: int) -> PageRequest:
    return PageRequest(page=page, size=size)


def _page_body(found: Page, model):  # type: ignore[no-untyped-def,type-arg]
    request = found.request
    return model(
        items=found.items,
        total=found.total,
        page=request.page,
        size=request.size,
        pages=found.pages,
    )


@router.get("/patients", response_model=PatientPage)
def list_patients(
    db: SessionDep,
    actor: ApiActor,
    q: str = Query("", description="Name fragments, an exact MRN, or a date of birth"),
    page: int = Query(1, ge=1),
    size: int = Query(25, ge=1, le=200),
) -> PatientPage:
    found = service.list_patients(db, actor=actor, query=q, page=_paging(page, size))
    return _page_body(found, PatientPage)


@router.post("/patients", response_model=FaceSheet, status_code=201)
def create_patient(body: PatientIn, db: SessionDep, actor: ApiActor) -> FaceSheet:
    patient = service.create_patient(db, actor=actor, data=body.model_dump(exclude_unset=True))
    return service.face_sheet(db, actor=actor, patient_id=patient.id)


@router.get("/patients/{patient_id}", response_model=FaceSheet)
def get_patient(patient_id: int, db: SessionDep, actor: ApiActor) -> FaceSheet:
    return service.face_sheet(db, actor=actor, patient_id=patient_id)


@router.patch("/patients/{patient_id}", response_model=FaceSheet)
def update_patient(
    patient_id: int, body: PatientPatch, db: SessionDep, actor: ApiActor
) -> FaceSheet:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    service.update_patient(
        db, actor=actor, patient_id=patient_id, version=body.version, changes=changes
    )
    return service.face_sheet(db, actor=actor, patient_id=patient_id)


@router.get("/enrollments", response_model=EnrollmentPage)
def list_enrollments(
    db: SessionDep,
    actor: ApiActor,
    patient_id: int | None = Query(None, description="Only this patient's enrollments"),
    page: int = Query(1, ge=1),
    size: int = Query(25, ge=1, le=200),
) -> EnrollmentPage:
    found = enrollments.list_enrollments(
        db, actor=actor, patient_id=patient_id, page=_paging(page, size)
    )
    return _page_body(found, EnrollmentPage)


@router.post("/enrollments", response_model=EnrollmentOut, status_code=201)
def create_enrollment(body: EnrollmentIn, db: SessionDep, actor: ApiActor) -> EnrollmentOut:
    data = body.model_dump(exclude_unset=True, exclude={"patient_id"})
    data.setdefault("status", body.status)
    row = enrollments.create_enrollment(db, actor=actor, patient_id=body.patient_id, data=data)
    row, access = enrollments.get_enrollment(db, actor=actor, enrollment_id=row.id)
    return enrollments.view(row, access)


@router.get("/enrollments/{enrollment_id}", response_model=EnrollmentOut)
def get_enrollment(enrollment_id: int, db: SessionDep, actor: ApiActor) -> EnrollmentOut:
    row, access = enrollments.get_enrollment(db, actor=actor, enrollment_id=enrollment_id)
    return enrollments.view(row, access)


@router.patch("/enrollments/{enrollment_id}", response_model=EnrollmentOut)
def update_enrollment(
    enrollment_id: int, body: EnrollmentPatch, db: SessionDep, actor: ApiActor
) -> EnrollmentOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    enrollments.update_enrollment(
        db, actor=actor, enrollment_id=enrollment_id, version=body.version, changes=changes
    )
    row, access = enrollments.get_enrollment(db, actor=actor, enrollment_id=enrollment_id)
    return enrollments.view(row, access)
