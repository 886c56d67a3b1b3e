"""Treatment plan use cases: build a draft, sign it (patient, counselor, physician), review
it, revise it, and list the plans whose reviews are overdue. Keyword-only, never commits.

A draft is built item by item. Changing a draft that someone has already signed clears the
signatures collected so far (everyone must sign what the plan now says). The last signature
makes the plan "active" and supersedes the one before. A signed plan changes only by a
revision (a new draft copied from it), its objective statuses and its dated reviews.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.clinical import plan_copy
from openiop.clinical import plan_repository as repo
from openiop.clinical import plan_rules as rules
from openiop.clinical.access import authorize_chart, flush_or_conflict, principal_of, today
from openiop.config import get_settings
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import (
    Enrollment,
    Patient,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    TreatmentPlan,
)
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Role


@dataclass(frozen=True)
class PlanChart:
    enrollment: Enrollment | None
    active: TreatmentPlan | None
    draft: TreatmentPlan | None
    history: list[TreatmentPlan]
    status: rules.ReviewStatus | None
    policy: rules.ReviewPolicy
    names: dict[int, str] = field(default_factory=dict)  # user id → name, for signatures

    def name(self, user_id: int | None) -> str:
        return self.names.get(user_id, "") if user_id else ""


# ---- reading ----------------------------------------------------------------------------


def plan_chart(session: Session, *, actor: Actor, patient_id: int) -> PlanChart:
    authorize_chart(session, actor=actor, patient_id=patient_id, action="plan.read")
    return chart_of(session, patient_id)


def chart_of(session: Session, patient_id: int) -> PlanChart:
    """For callers that have already authorized the read."""
    enrollment = repo.current_enrollment(session, patient_id)
    if enrollment is None:
        return PlanChart(None, None, None, [], None, rules.DEFAULT_POLICY)
    plans = repo.plans_of_enrollment(session, enrollment.id)
    active = next((p for p in plans if p.status == "active"), None)
    draft = next((p for p in plans if p.status == "draft"), None)
    policy = review_policy(session, enrollment.program_id)
    status = rules.review_status(plan_facts(enrollment, active), policy, today())
    history = [p for p in plans if p.status == "superseded"]
    signers = {
        user_id
        for plan in plans
        for user_id in (plan.counselor_signed_by_user_id, plan.physician_signed_by_user_id)
        if user_id
    } | {r.reviewed_by_user_id for p in plans for r in p.reviews if r.reviewed_by_user_id}
    names = repo.user_names(session, signers)
    return PlanChart(enrollment, active, draft, history, status, policy, names)


def review_policy(session: Session, program_id: int) -> rules.ReviewPolicy:
    row = repo.policy(session, program_id)
    if row is None:
        return rules.DEFAULT_POLICY
    return rules.ReviewPolicy(row.plan_review_interval_days, row.physician_review_within_days)


def plan_facts(enrollment: Enrollment, active: TreatmentPlan | None) -> rules.PlanFacts:
    if active is None:
        return rules.PlanFacts(enrollment.admit_date, None)
    periodic = tuple(r.reviewed_on for r in active.reviews if r.kind == "periodic")
    physician = [r.reviewed_on for r in active.reviews if r.kind == "physician"]
    if active.physician_signed_at is not None:
        physician.append(_local(active.physician_signed_at))
    return rules.PlanFacts(enrollment.admit_date, active.activated_on, periodic, tuple(physician))


def _local(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(get_settings().default_time_zone)).date()


def own_signed_plans(session: Session, *, actor: Actor) -> list[TreatmentPlan]:
    """A patient's own signed plans (never drafts), newest first."""
    principal = principal_of(actor)
    if principal.role is not Role.PATIENT or principal.patient_id is None:
        raise NotFound("Only a patient has their own treatment plan.")
    plans = repo.signed_plans_of_patient(session, principal.patient_id)
    audit.record(
        session,
        actor,
        AuditEntry(
            "plan.read_own",
            patient_id=principal.patient_id,
            object_type="treatment_plan",
            object_id=plans[0].id if plans else None,
        ),
    )
    return plans


# ---- building a draft -------------------------------------------------------------------


def start_plan(session: Session, *, actor: Actor, patient_id: int) -> TreatmentPlan:
    """A new draft: empty, or a copy of the active plan when revising it."""
    authorize_chart(session, actor=actor, patient_id=patient_id, action="plan.create", write=True)
    chart = chart_of(session, patient_id)
    if chart.enrollment is None or chart.enrollment.status not in repo.OPEN:
        raise ValidationFailed("The patient has no open enrollment to plan for.")
    if chart.draft is not None:
        raise Conflict("A draft plan is already open: finish or change that one.")
    draft = TreatmentPlan(
        patient_id=patient_id,
        enrollment_id=chart.enrollment.id,
        status="draft",
        summary=chart.active.summary if chart.active else None,
        created_by_user_id=principal_of(actor).user_id,
    )
    draft.problems = plan_copy.problems_of(chart.active) if chart.active else []
    repo.add(session, draft)
    plan_copy.point_objectives_at(draft)
    _audit(session, actor, "plan.create", draft, "revision" if chart.active else "new")
    return draft


def add_problem(
    session: Session, *, actor: Actor, plan_id: int, data: Mapping[str, object]
) -> PlanProblem:
    plan = _draft_for_edit(session, actor, plan_id, "plan.add_problem")
    text, dimension = rules.parse_problem(data)
    row = PlanProblem(
        plan_id=plan.id, position=len(plan.problems), statement=text, asam_dimension=dimension
    )
    repo.add(session, row)
    return row


def add_goal(
    session: Session, *, actor: Actor, problem_id: int, data: Mapping[str, object]
) -> PlanGoal:
    problem = repo.problem(session, problem_id)
    if problem is None:
        raise NotFound(f"No plan problem with id {problem_id}.")
    plan = _draft_for_edit(session, actor, problem.plan_id, "plan.add_goal")
    count = sum(len(p.goals) for p in plan.problems if p.id == problem_id)
    row = PlanGoal(problem_id=problem_id, position=count, statement=rules.parse_goal(data))
    repo.add(session, row)
    return row


def add_objective(
    session: Session, *, actor: Actor, goal_id: int, data: Mapping[str, object]
) -> PlanObjective:
    goal = repo.goal(session, goal_id)
    if goal is None:
        raise NotFound(f"No plan goal with id {goal_id}.")
    problem = repo.problem(session, goal.problem_id)
    assert problem is not None
    plan = _draft_for_edit(session, actor, problem.plan_id, "plan.add_objective")
    entry = rules.parse_objective(data, today=today())
    row = PlanObjective(
        goal_id=goal_id,
        plan_id=plan.id,
        position=_objective_count(plan, goal_id),
        statement=entry.statement,
        measure=entry.measure,
        target_date=entry.target_date,
    )
    repo.add(session, row)
    return row


def _objective_count(plan: TreatmentPlan, goal_id: int) -> int:
    return sum(len(g.objectives) for p in plan.problems for g in p.goals if g.id == goal_id)


def add_intervention(
    session: Session, *, actor: Actor, objective_id: int, data: Mapping[str, object]
) -> PlanIntervention:
    objective = repo.objective(session, objective_id)
    if objective is None:
        raise NotFound(f"No plan objective with id {objective_id}.")
    plan = _draft_for_edit(session, actor, objective.plan_id, "plan.add_intervention")
    enrollment = repo.enrollment(session, plan.enrollment_id)
    assert enrollment is not None
    staff = frozenset(s.id for s in repo.location_staff(session, enrollment.location_id))
    entry = rules.parse_intervention(data, staff_ids=staff)
    row = PlanIntervention(
        objective_id=objective_id,
        description=entry.description,
        modality=entry.modality,
        frequency=entry.frequency,
        responsible_staff_id=entry.responsible_staff_id,
    )
    repo.add(session, row)
    return row


def staff_choices(session: Session, *, enrollment: Enrollment) -> list[tuple[int, str]]:
    return [(s.id, s.full_name) for s in repo.location_staff(session, enrollment.location_id)]


def _draft_for_edit(session: Session, actor: Actor, plan_id: int, action: str) -> TreatmentPlan:
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
    if plan.status != "draft":
        raise ValidationFailed("A signed plan is not edited: revise it to change it.")
    if plan.patient_signed_at or plan.counselor_signed_at or plan.physician_signed_at:
        _clear_signatures(plan)
    return plan


def _clear_signatures(plan: TreatmentPlan) -> None:
    plan.patient_signed_name = plan.patient_signed_at = None
    plan.counselor_signed_by_user_id = plan.counselor_signed_at = None
    plan.physician_signed_by_user_id = plan.physician_signed_at = None


def load_plan(session: Session, plan_id: int) -> TreatmentPlan:
    plan = repo.plan(session, plan_id)
    if plan is None:
        raise NotFound(f"No treatment plan with id {plan_id}.")
    return plan


def complete(plan: TreatmentPlan) -> bool:
    """Every problem has a goal, every goal an objective, every objective an intervention."""
    if not plan.problems:
        return False
    goals = [g for p in plan.problems for g in p.goals]
    objectives = [o for g in goals for o in g.objectives]
    return (
        all(p.goals for p in plan.problems)
        and all(g.objectives for g in goals)
        and all(o.interventions for o in objectives)
    )


# ---- signing ----------------------------------------------------------------------------


def sign(
    session: Session, *, actor: Actor, plan_id: int, signer: str, typed_name: str = ""
) -> TreatmentPlan:
    """Take one signature. The patient signs on a staff device by typing their name."""
    plan = load_plan(session, plan_id)
    if signer not in rules.SIGNERS:
        raise ValidationFailed("Unknown signer.", field_errors={"signer": "Choose who signs."})
    authorize_chart(
        session,
        actor=actor,
        patient_id=plan.patient_id,
        action=f"plan.sign_{signer}",
        write=True,
        object_type="treatment_plan",
        object_id=plan.id,
    )
    principal = principal_of(actor)
    problem = rules.signature_problem(
        signer=signer,
        role=str(principal.role),
        already_signed=_signed_at(plan, signer) is not None,
        plan_status=plan.status,
        complete=complete(plan),
    )
    if problem:
        raise ValidationFailed(problem, field_errors={"signer": problem})
    now = clock.now()
    if signer == "patient":
        _patient_signature(session, plan, typed_name)
        plan.patient_signed_at = now
    elif signer == "counselor":
        plan.counselor_signed_by_user_id, plan.counselor_signed_at = principal.user_id, now
    else:
        plan.physician_signed_by_user_id, plan.physician_signed_at = principal.user_id, now
    _audit(session, actor, f"plan.sign_{signer}", plan, None)
    flush_or_conflict(session)
    if plan.fully_signed:
        _activate(session, actor, plan)
        flush_or_conflict(session)
    return plan


def _signed_at(plan: TreatmentPlan, signer: str):  # type: ignore[no-untyped-def]
    return getattr(plan, f"{signer}_signed_at")


def _patient_signature(session: Session, plan: TreatmentPlan, typed_name: str) -> None:
    patient = repo.patient(session, plan.patient_id)
    assert patient is not None
    typed = " ".join(typed_name.split())
    if not rules.names_match(typed, patient.first_name, patient.last_name):
        message = "The patient types their own first and last name to sign."
        raise ValidationFailed(message, field_errors={"typed_name": message})
    plan.patient_signed_name = typed[:200]


def _activate(session: Session, actor: Actor, plan: TreatmentPlan) -> None:
    for other in repo.plans_of_enrollment(session, plan.enrollment_id):
        if other.status == "active" and other.id != plan.id:
            other.status = "superseded"
            _audit(session, actor, "plan.supersede", other, f"by plan {plan.id}")
    plan.status = "active"
    plan.activated_on = today()
    _audit(session, actor, "plan.activate", plan, None)


def _audit(
    session: Session, actor: Actor, action: str, plan: TreatmentPlan, detail: str | None
) -> None:
    audit.record(
        session,
        actor,
        AuditEntry(
            action,
            patient_id=plan.patient_id,
            object_type="treatment_plan",
            object_id=plan.id,
            detail=detail,
        ),
    )


# ---- finding the patient behind a plan item (pages re-show that patient's plan) ---------


def patient_of(
    session: Session,
    *,
    plan_id: int | None = None,
    problem_id: int | None = None,
    goal_id: int | None = None,
    objective_id: int | None = None,
) -> int:
    """The patient id behind any plan item; 404 for an unknown one. Reading it discloses
    nothing: every change and read still goes through authorize_chart."""
    if goal_id is not None:
        goal = repo.goal(session, goal_id)
        problem_id = goal.problem_id if goal else -1
    if problem_id is not None:
        problem = repo.problem(session, problem_id)
        plan_id = problem.plan_id if problem else -1
    if objective_id is not None:
        objective = repo.objective(session, objective_id)
        plan_id = objective.plan_id if objective else -1
    return load_plan(session, plan_id if plan_id is not None else -1).patient_id


def patient(session: Session, patient_id: int) -> Patient:
    row = repo.patient(session, patient_id)
    if row is None:
        raise NotFound(f"No patient with id {patient_id}.")
    return row


# ---- removing from a draft --------------------------------------------------------------

ITEM_KINDS = ("problem", "goal", "objective", "intervention")


def remove_item(session: Session, *, actor: Actor, kind: str, item_id: int) -> int:
    """Delete a problem, goal, objective or intervention from a draft (with what hangs under
    it). Answers the patient id. Signed plans are never changed."""
    row, plan_id = _item(session, kind, item_id)
    plan = _draft_for_edit(session, actor, plan_id, f"plan.remove_{kind}")
    repo.delete(session, row)
    return plan.patient_id


def _item(session: Session, kind: str, item_id: int) -> tuple[object, int]:
    if kind == "intervention":
        row = repo.intervention(session, item_id)
        objective = repo.objective(session, row.objective_id) if row else None
        return _found(row, kind, item_id), objective.plan_id if objective else -1
    if kind == "objective":
        row = repo.objective(session, item_id)
        return _found(row, kind, item_id), row.plan_id if row else -1
    if kind == "goal":
        row = repo.goal(session, item_id)
        problem = repo.problem(session, row.problem_id) if row else None
        return _found(row, kind, item_id), problem.plan_id if problem else -1
    if kind == "problem":
        row = repo.problem(session, item_id)
        return _found(row, kind, item_id), row.plan_id if row else -1
    raise NotFound(f"No plan item kind {kind!r}.")


def _found(row: object | None, kind: str, item_id: int) -> object:
    if row is None:
        raise NotFound(f"No plan {kind} with id {item_id}.")
    return row
