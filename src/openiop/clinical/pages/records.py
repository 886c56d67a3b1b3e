"""Forms that add to the record on a staff device: a questionnaire (PHQ-9, GAD-7, BAM), a
drug screen collection and its results."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.clinical import drug_screen_service, measures_service, plan_service
from openiop.clinical.access import authorize_chart, today
from openiop.clinical.pages.common import LABELS, new_router, redirect
from openiop.instruments import get_instrument
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = new_router()


# ---- questionnaires ---------------------------------------------------------------------


def _measure_form(
    request: Request,
    db: Session,
    patient_id: int,
    instrument: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    message: str | None = None,
) -> Response:
    if instrument not in LABELS["measures"]:
        raise NotFound(f"{instrument} is not given here; choose PHQ-9, GAD-7 or BAM.")
    return render(
        request,
        "clinical/measure_form.html",
        {
            "patient": plan_service.patient(db, patient_id),
            "instrument": get_instrument(instrument),
            "values": values,
            "errors": errors,
            "message": message,
        },
        status,
    )


@router.get("/patients/{patient_id}/measures/{instrument}")
def measure_form(
    request: Request, patient_id: int, instrument: str, db: SessionDep, actor: PageActor
) -> Response:
    authorize_chart(db, actor=actor, patient_id=patient_id, action="measure.form", write=True)
    return _measure_form(request, db, patient_id, instrument, {}, {})


@router.post("/patients/{patient_id}/measures/{instrument}")
def give_measure(
    request: Request,
    patient_id: int,
    instrument: str,
    db: SessionDep,
    actor: PageActor,
    form: FormData,
) -> Response:
    try:
        measures_service.give(
            db, actor=actor, patient_id=patient_id, instrument=instrument, data=form
        )
    except ValidationFailed as error:
        db.rollback()
        errors = error.field_errors or {"answers": error.message}
        return _measure_form(request, db, patient_id, instrument, form, errors, 422, error.message)
    return redirect(f"/patients/{patient_id}/clinical#h-measures")


# ---- drug screens -----------------------------------------------------------------------


def _collection_form(
    request: Request,
    db: Session,
    patient_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {**LABELS, "patient": plan_service.patient(db, patient_id)}
    return render(
        request,
        "clinical/screen_form.html",
        {**context, "values": values, "errors": errors},
        status,
    )


@router.get("/patients/{patient_id}/drug-screens/new")
def collection_form(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    authorize_chart(db, actor=actor, patient_id=patient_id, action="drug_screen.form", write=True)
    today_text = today().isoformat()
    return _collection_form(request, db, patient_id, {"collected_on": today_text}, {})


@router.post("/patients/{patient_id}/drug-screens/new")
def collect(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        screen = drug_screen_service.collect(db, actor=actor, patient_id=patient_id, data=form)
    except ValidationFailed as error:
        db.rollback()
        return _collection_form(request, db, patient_id, form, error.field_errors, 422)
    if screen.testing == "point_of_care":  # a cup reads at once: go straight to the results
        return redirect(f"/drug-screens/{screen.id}/results")
    return redirect(f"/patients/{patient_id}/clinical#h-screens")


def _results_form(
    request: Request,
    actor: Actor,
    db: Session,
    screen_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    screen = drug_screen_service.screen_for(db, screen_id)
    authorize_chart(
        db,
        actor=actor,
        patient_id=screen.patient_id,
        action="drug_screen.results_form",
        write=True,
        object_type="drug_screen",
        object_id=screen.id,
    )
    return render(
        request,
        "clinical/results_form.html",
        {
            **LABELS,
            "patient": plan_service.patient(db, screen.patient_id),
            "screen": screen,
            "values": values,
            "errors": errors,
        },
        status,
    )


@router.get("/drug-screens/{screen_id}/results")
def results_form(request: Request, screen_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _results_form(request, actor, db, screen_id, {}, {})


@router.post("/drug-screens/{screen_id}/results")
def record_results(
    request: Request, screen_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        screen = drug_screen_service.record_results(db, actor=actor, screen_id=screen_id, data=form)
    except ValidationFailed as error:
        db.rollback()
        errors = error.field_errors or {"form": error.message}
        return _results_form(request, actor, db, screen_id, form, errors, 422)
    return redirect(f"/patients/{screen.patient_id}/clinical#h-screens")
