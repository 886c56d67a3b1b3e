"""Building a draft treatment plan item by item: problems → goals → measurable objectives →
interventions, added, changed and removed. Keyword-only, never commits.

The pages name the item in the address and the plan follows from it. The API names the plan in
the address and the parent item in the body; that parent must belong to the same plan, so a
goal id of another plan (or another patient's) is bad input naming the field, and nothing of
the other plan is read. The API also sends the plan's `version`: a stale one is a 409.

Every change raises the plan's version, because the change is in the plan's items and not its
own row, and a signer must have read what they sign. A change to a draft someone has already
signed clears the signatures collected so far (everyone signs what the plan now says).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from openiop.clinical import plan_repository as repo
from openiop.clinical import plan_rules as rules
from openiop.clinical.access import authorize_chart, today
from openiop.clinical.plan_service import check_version, load_plan, touch
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import PlanGoal, PlanIntervention, PlanObjective, PlanProblem, TreatmentPlan
from openiop.security.audit import Actor

ITEM_KINDS = ("problem", "goal", "objective", "intervention")


# ---- adding -----------------------------------------------------------------------------


def add_problem(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    data: Mapping[str, object],
    version: int | None = None,
) -> PlanProblem:
    plan = _draft_for_edit(session, actor, plan_id, "plan.add_problem", version)
    text, dimension = rules.parse_problem(data)
    row = PlanProblem(
        plan_id=plan.id, position=len(plan.problems), statement=text, asam_dimension=dimension
    )
    repo.add(session, row)
    _changed(session, plan)
    return row


def add_goal(
    session: Session,
    *,
    actor: Actor,
    problem_id: int,
    data: Mapping[str, object],
    plan_id: int | None = None,
    version: int | None = None,
) -> PlanGoal:
    plan_id = _plan_id(session, "problem", problem_id, plan_id)
    plan = _draft_for_edit(session, actor, plan_id, "plan.add_goal", version)
    problem = _member(plan, "problem", problem_id, field="problem_id")
    row = PlanGoal(
        problem_id=problem.id, position=len(problem.goals), statement=rules.parse_goal(data)
    )
    repo.add(session, row)
    _changed(session, plan)
    return row


def add_objective(
    session: Session,
    *,
    actor: Actor,
    goal_id: int,
    data: Mapping[str, object],
    plan_id: int | None = None,
    version: int | None = None,
) -> PlanObjective:
    plan_id = _plan_id(session, "goal", goal_id, plan_id)
    plan = _draft_for_edit(session, actor, plan_id, "plan.add_objective", version)
    goal = _member(plan, "goal", goal_id, field="goal_id")
    entry = rules.parse_objective(data, today=today())
    row = PlanObjective(
        goal_id=goal.id,
        plan_id=plan.id,
        position=len(goal.objectives),
        statement=entry.statement,
        measure=entry.measure,
        target_date=entry.target_date,
    )
    repo.add(session, row)
    _changed(session, plan)
    return row


def add_intervention(
    session: Session,
    *,
    actor: Actor,
    objective_id: int,
    data: Mapping[str, object],
    plan_id: int | None = None,
    version: int | None = None,
) -> PlanIntervention:
    plan_id = _plan_id(session, "objective", objective_id, plan_id)
    plan = _draft_for_edit(session, actor, plan_id, "plan.add_intervention", version)
    objective = _member(plan, "objective", objective_id, field="objective_id")
    entry = rules.parse_intervention(data, staff_ids=_site_staff(session, plan))
    row = PlanIntervention(
        objective_id=objective.id,
        description=entry.description,
        modality=entry.modality,
        frequency=entry.frequency,
        responsible_staff_id=entry.responsible_staff_id,
    )
    repo.add(session, row)
    _changed(session, plan)
    return row


# ---- changing ---------------------------------------------------------------------------
# `data` holds only the fields that change; the rest keep their value and every field is
# checked again by the same rules as when it was added.


def update_problem(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    problem_id: int,
    data: Mapping[str, object],
    version: int | None = None,
) -> PlanProblem:
    plan = _draft_for_edit(session, actor, plan_id, "plan.edit_problem", version)
    row = _member(plan, "problem", problem_id)
    current = {"statement": row.statement, "asam_dimension": row.asam_dimension}
    row.statement, row.asam_dimension = rules.parse_problem({**current, **data})
    _changed(session, plan)
    return row


def update_goal(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    goal_id: int,
    data: Mapping[str, object],
    version: int | None = None,
) -> PlanGoal:
    """May move the goal under another problem of the same plan (`problem_id`)."""
    plan = _draft_for_edit(session, actor, plan_id, "plan.edit_goal", version)
    row = _member(plan, "goal", goal_id)
    statement = rules.parse_goal({"statement": row.statement, **data})
    target = _new_parent(plan, "problem", row.problem_id, data.get("problem_id"))
    row.statement = statement
    if target is not None:
        _member(plan, "problem", row.problem_id).goals.remove(row)
        row.position = len(target.goals)
        target.goals.append(row)
    _changed(session, plan)
    return row


def update_objective(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    objective_id: int,
    data: Mapping[str, object],
    version: int | None = None,
) -> PlanObjective:
    """May move the objective under another goal of the same plan (`goal_id`). A target date
    left as it was stays acceptable even once it has passed (a revision copies old dates)."""
    plan = _draft_for_edit(session, actor, plan_id, "plan.edit_objective", version)
    row = _member(plan, "objective", objective_id)
    stored = row.target_date.isoformat()
    merged = {"statement": row.statement, "measure": row.measure, "target_date": stored, **data}
    earliest = today()
    if str(merged["target_date"]) == stored:
        earliest = min(earliest, row.target_date)
    entry = rules.parse_objective(merged, today=earliest)
    target = _new_parent(plan, "goal", row.goal_id, data.get("goal_id"))
    row.statement, row.measure, row.target_date = entry.statement, entry.measure, entry.target_date
    if target is not None:
        _member(plan, "goal", row.goal_id).objectives.remove(row)
        row.position = len(target.objectives)
        target.objectives.append(row)
    _changed(session, plan)
    return row


def update_intervention(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    intervention_id: int,
    data: Mapping[str, object],
    version: int | None = None,
) -> PlanIntervention:
    """May move the intervention under another objective of the same plan (`objective_id`)."""
    plan = _draft_for_edit(session, actor, plan_id, "plan.edit_intervention", version)
    row = _member(plan, "intervention", intervention_id)
    current = {
        "description": row.description,
        "modality": row.modality,
        "frequency": row.frequency,
        "responsible_staff_id": row.responsible_staff_id,
    }
    entry = rules.parse_intervention({**current, **data}, staff_ids=_site_staff(session, plan))
    target = _new_parent(plan, "objective", row.objective_id, data.get("objective_id"))
    row.description, row.modality = entry.description, entry.modality
    row.frequency, row.responsible_staff_id = entry.frequency, entry.responsible_staff_id
    if target is not None:
        _member(plan, "objective", row.objective_id).interventions.remove(row)
        target.interventions.append(row)
    _changed(session, plan)
    return row


# ---- removing ---------------------------------------------------------------------------


def remove_item(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    item_id: int,
    plan_id: int | None = None,
    version: int | None = None,
) -> int:
    """Delete a problem, goal, objective or intervention from a draft (with what hangs under
    it). Answers the patient id. Signed plans are never changed."""
    if kind not in ITEM_KINDS:
        raise NotFound(f"No plan item kind {kind!r}.")
    plan_id = _plan_id(session, kind, item_id, plan_id)
    plan = _draft_for_edit(session, actor, plan_id, f"plan.remove_{kind}", version)
    repo.delete(session, _member(plan, kind, item_id))
    _changed(session, plan)
    return plan.patient_id


# ---- the draft and its items ------------------------------------------------------------


def _draft_for_edit(
    session: Session, actor: Actor, plan_id: int, action: str, version: int | None
) -> TreatmentPlan:
    plan = load_plan(session, plan_id)
    authorize_chart(
        session,
        actor=actor,
        patient_id=plan.patient_id,
        action=action,
        write=True,
        object_type="treatment_plan",
        object_id=plan.id,
    )
    check_version(plan, version)
    if plan.status != "draft":
        raise ValidationFailed("A signed plan is not edited: revise it to change it.")
    return plan


def _changed(session: Session, plan: TreatmentPlan) -> None:
    if plan.patient_signed_at or plan.counselor_signed_at or plan.physician_signed_at:
        plan.patient_signed_name = plan.patient_signed_at = None
        plan.counselor_signed_by_user_id = plan.counselor_signed_at = None
        plan.physician_signed_by_user_id = plan.physician_signed_at = None
    touch(session, plan)


def _site_staff(session: Session, plan: TreatmentPlan) -> frozenset[int]:
    """Who may be named responsible: active staff at the patient's site."""
    enrollment = repo.enrollment(session, plan.enrollment_id)
    assert enrollment is not None
    return frozenset(s.id for s in repo.location_staff(session, enrollment.location_id))


def _plan_id(session: Session, kind: str, item_id: int, plan_id: int | None) -> int:
    """The plan named by the caller (API), else the one the item belongs to (pages; 404 for
    an unknown item)."""
    if plan_id is not None:
        return plan_id
    return _plan_of_item(session, kind, item_id)


def patient_of_item(session: Session, *, kind: str, item_id: int) -> int:
    """The patient whose plan holds the item (the page re-shows that plan); 404 for an
    unknown kind or item. Discloses nothing: every change still goes through authorize_chart."""
    if kind not in ITEM_KINDS:
        raise NotFound(f"No plan item kind {kind!r}.")
    return load_plan(session, _plan_of_item(session, kind, item_id)).patient_id


def _plan_of_item(session: Session, kind: str, item_id: int) -> int:
    plan_id: int | None = None
    if kind == "intervention":
        intervention = repo.intervention(session, item_id)
        kind, item_id = "objective", intervention.objective_id if intervention else -1
    if kind == "objective":
        objective = repo.objective(session, item_id)
        plan_id = objective.plan_id if objective else None
    elif kind == "goal":
        goal = repo.goal(session, item_id)
        problem = repo.problem(session, goal.problem_id) if goal else None
        plan_id = problem.plan_id if problem else None
    elif kind == "problem":
        problem = repo.problem(session, item_id)
        plan_id = problem.plan_id if problem else None
    if plan_id is None:
        raise NotFound(f"No plan {kind} with id {item_id}.")
    return plan_id


def _items(plan: TreatmentPlan, kind: str) -> list[Any]:
    problems = list(plan.problems)
    goals = [g for p in problems for g in p.goals]
    objectives = [o for g in goals for o in g.objectives]
    interventions = [i for o in objectives for i in o.interventions]
    by_kind = {
        "problem": problems,
        "goal": goals,
        "objective": objectives,
        "intervention": interventions,
    }
    return by_kind[kind]  # type: ignore[return-value]


def _member(plan: TreatmentPlan, kind: str, item_id: int, *, field: str | None = None) -> Any:
    """The item of this plan with that id. Without `field` (the item named in the address)
    a stranger item is 404; with it (a parent named in the body) it is bad input."""
    row = next((r for r in _items(plan, kind) if r.id == item_id), None)
    if row is not None:
        return row
    if field is None:
        raise NotFound(f"Plan {plan.id} has no {kind} with id {item_id}.")
    message = f"Choose a {kind} of this plan."
    raise ValidationFailed(message, field_errors={field: message})


def _new_parent(plan: TreatmentPlan, kind: str, current_id: int, wanted: object) -> Any:
    """The parent an item moves under, or None when it stays where it is."""
    if wanted is None or wanted == current_id:
        return None
    item_id = wanted if isinstance(wanted, int) else -1
    return _member(plan, kind, item_id, field=f"{kind}_id")
