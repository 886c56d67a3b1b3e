"""JSON API of clinical records under /api/v1: treatment plans, measures, drug screens and the
site's clinical work list. Same services, permission checks and audit as the pages. Building
and signing a plan is in `plan_api`, mounted here."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from openiop.clinical import (
    discharge_service,
    drug_screen_service,
    measures_service,
    plan_api,
    plan_review_service,
    plan_service,
)
from openiop.clinical.drug_screen_rules import SUBSTANCE_CLASSES
from openiop.clinical.drug_screen_service import TrendRow
from openiop.clinical.plan_schemas import (
    DrugScreenIn,
    DrugScreenOut,
    DueOut,
    MeasureIn,
    MeasureOut,
    MeasuresOut,
    PlanChartOut,
    PlanOut,
    ResultOut,
    ReviewStatusOut,
    WorklistRow,
)
from openiop.instruments import check_answers, get_instrument
from openiop.kit.errors import ValidationFailed
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["clinical"])
router.include_router(plan_api.router)


@router.get("/patients/{patient_id}/treatment-plan", response_model=PlanChartOut)
def treatment_plan(patient_id: int, db: SessionDep, actor: ApiActor) -> PlanChartOut:
    chart = plan_service.plan_chart(db, actor=actor, patient_id=patient_id)
    status = chart.status
    return PlanChartOut(
        enrollment_id=chart.enrollment.id if chart.enrollment else None,
        active=PlanOut.model_validate(chart.active) if chart.active else None,
        draft=PlanOut.model_validate(chart.draft) if chart.draft else None,
        review=ReviewStatusOut(**{**status.__dict__, "problems": list(status.problems)})
        if status
        else None,
    )


@router.get("/patients/{patient_id}/measures", response_model=MeasuresOut)
def measures(patient_id: int, db: SessionDep, actor: ApiActor) -> MeasuresOut:
    chart = measures_service.measures_chart(db, actor=actor, patient_id=patient_id)
    given = sorted(
        (r for rows in chart.given.values() for r in rows), key=lambda r: r.administered_on
    )
    return MeasuresOut(
        given=[MeasureOut.model_validate(r) for r in given],
        due=[DueOut(**d.__dict__) for d in chart.due],
    )


@router.post("/patients/{patient_id}/measures", response_model=MeasureOut, status_code=201)
def give_measure(patient_id: int, body: MeasureIn, db: SessionDep, actor: ApiActor) -> MeasureOut:
    data: dict[str, object] = {f"item_{n}": str(a) for n, a in enumerate(body.answers, 1)}
    if body.administered_on:
        data["administered_on"] = body.administered_on.isoformat()
    # The service reads item_1..item_N; extra answers would be silently ignored, so refuse.
    check_answers(get_instrument(body.instrument), body.answers)
    row = measures_service.give(
        db, actor=actor, patient_id=patient_id, instrument=body.instrument, data=data
    )
    return MeasureOut.model_validate(row)


@router.get("/patients/{patient_id}/drug-screens", response_model=list[DrugScreenOut])
def drug_screens(patient_id: int, db: SessionDep, actor: ApiActor) -> list[DrugScreenOut]:
    rows = drug_screen_service.trend(db, actor=actor, patient_id=patient_id)
    return [_screen_out(r) for r in rows]


@router.post("/patients/{patient_id}/drug-screens", response_model=DrugScreenOut, status_code=201)
def collect(patient_id: int, body: DrugScreenIn, db: SessionDep, actor: ApiActor) -> DrugScreenOut:
    data = {
        "collected_on": body.collected_on.isoformat(),
        "observed": "yes" if body.observed else "no",
        "specimen": body.specimen,
        "testing": body.testing,
        "lab_name": body.lab_name or "",
        "note": body.note or "",
    }
    _unknown_classes(body)
    screen = drug_screen_service.collect(db, actor=actor, patient_id=patient_id, data=data)
    if body.results:
        results: dict[str, object] = {}
        for key, value in body.results.items():
            results[f"result_{key}"] = value.result
            results[f"medication_{key}"] = value.medication or ""
        screen = drug_screen_service.record_results(
            db, actor=actor, screen_id=screen.id, data=results
        )
    rows = drug_screen_service.trend_of(db, patient_id)
    return _screen_out(next(r for r in rows if r.screen.id == screen.id))


def _unknown_classes(body: DrugScreenIn) -> None:
    unknown = sorted(set(body.results) - set(SUBSTANCE_CLASSES))
    if unknown:
        known = ", ".join(SUBSTANCE_CLASSES)
        raise ValidationFailed(
            f"Unknown substance class {unknown[0]!r}; known: {known}.",
            field_errors={"results": f"Unknown substance class {unknown[0]!r}."},
        )


def _screen_out(row: TrendRow) -> DrugScreenOut:
    s = row.screen
    return DrugScreenOut(
        id=s.id,
        collected_on=s.collected_on,
        observed=s.observed,
        specimen=s.specimen,
        testing=s.testing,
        lab_name=s.lab_name,
        outcome=row.outcome,
        results=[ResultOut.model_validate(r) for r in s.results],
    )


@router.get("/locations/{location_id}/clinical-worklist", response_model=list[WorklistRow])
def worklist(location_id: int, db: SessionDep, actor: ApiActor) -> list[WorklistRow]:
    reviews = plan_review_service.overdue_reviews(db, actor=actor, location_id=location_id)
    due = measures_service.due_list(db, actor=actor, location_id=location_id)
    rows: dict[int, WorklistRow] = {}
    for item in reviews:
        e = item.enrollment
        rows[e.id] = WorklistRow(
            patient_id=e.patient_id,
            enrollment_id=e.id,
            patient_name=e.patient.full_name,
            plan_problems=list(item.status.problems),
            measures_due=[],
        )
    for item in due:
        e = item.enrollment
        row = rows.setdefault(
            e.id,
            WorklistRow(
                patient_id=e.patient_id,
                enrollment_id=e.id,
                patient_name=e.patient.full_name,
                plan_problems=[],
                measures_due=[],
            ),
        )
        row.measures_due = [DueOut(**d.__dict__) for d in item.due]
    return list(rows.values())


@router.get("/discharges/{summary_id}/pdf")
def discharge_pdf(summary_id: int, db: SessionDep, actor: ApiActor) -> Response:
    name, body = discharge_service.export_pdf(db, actor=actor, summary_id=summary_id)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
