"""Treatment plan pages: the plan (active, draft being built, history), the small forms that
build a draft, the three signatures, reviews and objective statuses, and the patient's own
signed plan. A form with a mistake re-shows the plan with that form's values and messages.

Every form carries the plan version it was rendered with. Two clinicians with the same plan
open in two tabs: the second to save gets the form back (409) with what they typed, the plan
as it now is, and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openiop.clinical import (
    plan_edit_service,
    plan_review_service,
    plan_service,
    plan_signing_service,
)
from openiop.clinical.access import may_write
from openiop.clinical.pages.common import LABELS, new_router, redirect
from openiop.clinical.plan_service import StalePlan
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = new_router()

STALE = "This plan was changed by someone else since you opened it — review and save again."


def _plan_page(
    request: Request,
    db: Session,
    actor: Actor,
    patient_id: int,
    failed: tuple[str, dict[str, str], dict[str, str]] | None = None,
    status_code: int = 422,
) -> Response:
    chart = plan_service.plan_chart(db, actor=actor, patient_id=patient_id)
    key, errors, values = failed or ("", {}, {})
    staff = plan_service.staff_choices(db, enrollment=chart.enrollment) if chart.enrollment else []
    return render(
        request,
        "clinical/plan.html",
        {
            **LABELS,
            "patient": plan_service.patient(db, patient_id),
            "chart": chart,
            "staff_options": staff,
            "may_write": may_write(actor),
            "role": str(actor.principal.role) if actor.principal else "",
            "failed_key": key,
            "errors": errors,
            "values": values,
            "complete": plan_service.complete,
            "stale": status_code == 409,
        },
        status_code if failed else 200,
    )


def _attempt(
    request: Request,
    db: Session,
    actor: Actor,
    patient_id: int,
    key: str,
    form: dict[str, str],
    change: Callable[[], Any],
) -> Response:
    try:
        change()
    except ValidationFailed as error:
        db.rollback()  # nothing half-written; the page below reads the record as it was
        errors = error.field_errors or {"form": error.message}
        return _plan_page(request, db, actor, patient_id, (key, errors, form))
    except Conflict as error:
        db.rollback()
        message = STALE if isinstance(error, StalePlan) else error.message
        return _plan_page(request, db, actor, patient_id, (key, {"form": message}, form), 409)
    return redirect(f"/patients/{patient_id}/plan#{key}")


def _version(form: dict[str, str]) -> int | None:
    """The plan version the form was rendered with. A form without one (posted by hand, or
    from a page older than the field) is not checked; one that is not a number never
    matches, so it is refused as stale rather than saved over someone's change."""
    raw = form.get("version", "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() else -1


@router.get("/patients/{patient_id}/plan")
def plan_page(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    return _plan_page(request, db, actor, patient_id)


@router.post("/patients/{patient_id}/plan/start")
def start_plan(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    def change() -> None:
        plan_service.start_plan(db, actor=actor, patient_id=patient_id)

    return _attempt(request, db, actor, patient_id, "draft", {}, change)


@router.post("/plans/{plan_id}/problems")
def add_problem(
    request: Request, plan_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, plan_id=plan_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        "problem",
        form,
        lambda: plan_edit_service.add_problem(
            db, actor=actor, plan_id=plan_id, data=form, version=_version(form)
        ),
    )


@router.post("/plan-problems/{problem_id}/goals")
def add_goal(
    request: Request, problem_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, problem_id=problem_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        f"goal-{problem_id}",
        form,
        lambda: plan_edit_service.add_goal(
            db, actor=actor, problem_id=problem_id, data=form, version=_version(form)
        ),
    )


@router.post("/plan-goals/{goal_id}/objectives")
def add_objective(
    request: Request, goal_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, goal_id=goal_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        f"objective-{goal_id}",
        form,
        lambda: plan_edit_service.add_objective(
            db, actor=actor, goal_id=goal_id, data=form, version=_version(form)
        ),
    )


@router.post("/plan-objectives/{objective_id}/interventions")
def add_intervention(
    request: Request, objective_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, objective_id=objective_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        f"intervention-{objective_id}",
        form,
        lambda: plan_edit_service.add_intervention(
            db, actor=actor, objective_id=objective_id, data=form, version=_version(form)
        ),
    )


@router.post("/plan-objectives/{objective_id}/status")
def objective_status(
    request: Request, objective_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, objective_id=objective_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        f"status-{objective_id}",
        form,
        lambda: plan_review_service.set_objective_status(
            db, actor=actor, objective_id=objective_id, data=form, version=_version(form)
        ),
    )


@router.post("/plans/{plan_id}/sign")
def sign(
    request: Request, plan_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, plan_id=plan_id)
    signer = form.get("signer", "")
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        f"sign-{signer}",
        form,
        lambda: plan_signing_service.sign(
            db,
            actor=actor,
            plan_id=plan_id,
            signer=signer,
            typed_name=form.get("typed_name", ""),
            version=_version(form),
        ),
    )


@router.post("/plans/{plan_id}/reviews")
def review(
    request: Request, plan_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_service.patient_of(db, plan_id=plan_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        "review",
        form,
        lambda: plan_review_service.record_review(
            db,
            actor=actor,
            plan_id=plan_id,
            kind=form.get("kind", ""),
            note=form.get("note", ""),
            version=_version(form),
        ),
    )


@router.get("/me/plan")
def own_plan(request: Request, db: SessionDep, actor: PageActor) -> Response:
    plans = plan_service.own_signed_plans(db, actor=actor)
    return render(request, "clinical/own_plan.html", {**LABELS, "plans": plans})


@router.post("/plan-items/{kind}/{item_id}/remove")
def remove_item(
    request: Request, kind: str, item_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    patient_id = plan_edit_service.patient_of_item(db, kind=kind, item_id=item_id)
    return _attempt(
        request,
        db,
        actor,
        patient_id,
        "draft",
        form,
        lambda: plan_edit_service.remove_item(
            db, actor=actor, kind=kind, item_id=item_id, version=_version(form)
        ),
    )
