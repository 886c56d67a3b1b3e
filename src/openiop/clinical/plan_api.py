"""JSON API for treatment plans under /api/v1: start a draft, add, change and remove its
problems, goals, objectives and interventions, take the three signatures, and on the active plan
record objective progress and dated reviews. Same services, rules, permission checks and audit
as the plan page.

Every change sends the plan `version` it was made on and answers the plan with its new
version; a stale version is a 409 and changes nothing.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from openiop.clinical import (
    plan_edit_service,
    plan_review_service,
    plan_service,
    plan_signing_service,
)
from openiop.clinical.plan_schemas import (
    DraftIn,
    GoalIn,
    GoalPatch,
    InterventionIn,
    InterventionPatch,
    ObjectiveIn,
    ObjectivePatch,
    ObjectiveStatusIn,
    PlanChangeOut,
    PlanOut,
    ProblemIn,
    ProblemPatch,
    ReviewIn,
    SignatureIn,
)
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["clinical"])

ITEMS = {
    "problems": "problem",
    "goals": "goal",
    "objectives": "objective",
    "interventions": "intervention",
}


def _plan(db: Session, plan_id: int) -> PlanOut:
    return PlanOut.model_validate(plan_service.load_plan(db, plan_id))


def _changed(db: Session, plan_id: int, item_id: int) -> PlanChangeOut:
    return PlanChangeOut(item_id=item_id, plan=_plan(db, plan_id))


def _data(body: BaseModel, parent: str | None = None) -> dict[str, object]:
    """The fields sent, without the version (and the parent id, which the service takes
    apart)."""
    exclude = {"version", parent} if parent else {"version"}
    return body.model_dump(exclude_unset=True, exclude=exclude)


@router.post("/patients/{patient_id}/treatment-plans", response_model=PlanOut, status_code=201)
def start_plan(patient_id: int, body: DraftIn, db: SessionDep, actor: ApiActor) -> PlanOut:
    draft = plan_service.start_plan(
        db, actor=actor, patient_id=patient_id, enrollment_id=body.enrollment_id
    )
    return _plan(db, draft.id)


@router.get("/treatment-plans/{plan_id}", response_model=PlanOut)
def read_plan(plan_id: int, db: SessionDep, actor: ApiActor) -> PlanOut:
    return PlanOut.model_validate(plan_service.read_plan(db, actor=actor, plan_id=plan_id))


@router.post("/treatment-plans/{plan_id}/problems", response_model=PlanChangeOut, status_code=201)
def add_problem(plan_id: int, body: ProblemIn, db: SessionDep, actor: ApiActor) -> PlanChangeOut:
    row = plan_edit_service.add_problem(
        db, actor=actor, plan_id=plan_id, data=_data(body), version=body.version
    )
    return _changed(db, plan_id, row.id)


@router.post("/treatment-plans/{plan_id}/goals", response_model=PlanChangeOut, status_code=201)
def add_goal(plan_id: int, body: GoalIn, db: SessionDep, actor: ApiActor) -> PlanChangeOut:
    row = plan_edit_service.add_goal(
        db,
        actor=actor,
        plan_id=plan_id,
        problem_id=body.problem_id,
        data=_data(body, "problem_id"),
        version=body.version,
    )
    return _changed(db, plan_id, row.id)


@router.post("/treatment-plans/{plan_id}/objectives", response_model=PlanChangeOut, status_code=201)
def add_objective(
    plan_id: int, body: ObjectiveIn, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    row = plan_edit_service.add_objective(
        db,
        actor=actor,
        plan_id=plan_id,
        goal_id=body.goal_id,
        data=_data(body, "goal_id"),
        version=body.version,
    )
    return _changed(db, plan_id, row.id)


@router.post(
    "/treatment-plans/{plan_id}/interventions", response_model=PlanChangeOut, status_code=201
)
def add_intervention(
    plan_id: int, body: InterventionIn, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    row = plan_edit_service.add_intervention(
        db,
        actor=actor,
        plan_id=plan_id,
        objective_id=body.objective_id,
        data=_data(body, "objective_id"),
        version=body.version,
    )
    return _changed(db, plan_id, row.id)


@router.patch("/treatment-plans/{plan_id}/problems/{item_id}", response_model=PlanChangeOut)
def edit_problem(
    plan_id: int, item_id: int, body: ProblemPatch, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    plan_edit_service.update_problem(
        db, actor=actor, plan_id=plan_id, problem_id=item_id, data=_data(body), version=body.version
    )
    return _changed(db, plan_id, item_id)


@router.patch("/treatment-plans/{plan_id}/goals/{item_id}", response_model=PlanChangeOut)
def edit_goal(
    plan_id: int, item_id: int, body: GoalPatch, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    plan_edit_service.update_goal(
        db, actor=actor, plan_id=plan_id, goal_id=item_id, data=_data(body), version=body.version
    )
    return _changed(db, plan_id, item_id)


@router.patch("/treatment-plans/{plan_id}/objectives/{item_id}", response_model=PlanChangeOut)
def edit_objective(
    plan_id: int, item_id: int, body: ObjectivePatch, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    plan_edit_service.update_objective(
        db,
        actor=actor,
        plan_id=plan_id,
        objective_id=item_id,
        data=_data(body),
        version=body.version,
    )
    return _changed(db, plan_id, item_id)


@router.patch("/treatment-plans/{plan_id}/interventions/{item_id}", response_model=PlanChangeOut)
def edit_intervention(
    plan_id: int, item_id: int, body: InterventionPatch, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    plan_edit_service.update_intervention(
        db,
        actor=actor,
        plan_id=plan_id,
        intervention_id=item_id,
        data=_data(body),
        version=body.version,
    )
    return _changed(db, plan_id, item_id)


@router.delete("/treatment-plans/{plan_id}/{kind}/{item_id}", response_model=PlanOut)
def remove_item(
    plan_id: int,
    kind: Literal["problems", "goals", "objectives", "interventions"],
    item_id: int,
    version: int,
    db: SessionDep,
    actor: ApiActor,
) -> PlanOut:
    """Removes the item with everything under it; `?version=` is the plan version read."""
    plan_edit_service.remove_item(
        db, actor=actor, kind=ITEMS[kind], item_id=item_id, plan_id=plan_id, version=version
    )
    return _plan(db, plan_id)


@router.post("/treatment-plans/{plan_id}/signatures", response_model=PlanOut)
def sign(plan_id: int, body: SignatureIn, db: SessionDep, actor: ApiActor) -> PlanOut:
    plan_signing_service.sign(
        db,
        actor=actor,
        plan_id=plan_id,
        signer=body.signer,
        typed_name=body.typed_name,
        agreed=body.agreed,
        version=body.version,
    )
    return _plan(db, plan_id)


# ---- the active plan: objective progress and dated reviews ------------------------------


@router.put("/treatment-plans/{plan_id}/objectives/{item_id}/status", response_model=PlanChangeOut)
def set_objective_status(
    plan_id: int, item_id: int, body: ObjectiveStatusIn, db: SessionDep, actor: ApiActor
) -> PlanChangeOut:
    plan_review_service.set_objective_status(
        db,
        actor=actor,
        plan_id=plan_id,
        objective_id=item_id,
        data={"status": body.status},
        version=body.version,
    )
    return _changed(db, plan_id, item_id)


@router.post("/treatment-plans/{plan_id}/reviews", response_model=PlanChangeOut, status_code=201)
def record_review(plan_id: int, body: ReviewIn, db: SessionDep, actor: ApiActor) -> PlanChangeOut:
    review = plan_review_service.record_review(
        db, actor=actor, plan_id=plan_id, kind=body.kind, note=body.note, version=body.version
    )
    return _changed(db, plan_id, review.id)
