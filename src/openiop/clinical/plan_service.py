"""Treatment plan use cases: read a patient's plans, start a draft (new or a revision of the
active plan), and the lookups the other plan services share. Keyword-only, never commits.

Building a draft item by item is in `plan_edit_service`, the three signatures in
`plan_signing_service`, reviews and objective statuses in `plan_review_service`. A signed plan
changes only by a revision (a new draft copied from it), its objective statuses and its dated
reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.clinical import plan_copy
from openiop.clinical import plan_repository as repo
from openiop.clinical import plan_rules as rules
from openiop.clinical.access import authorize_chart, flush_or_conflict, principal_of, today
from openiop.config import get_settings
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import Enrollment, Patient, TreatmentPlan
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


def read_plan(session: Session, *, actor: Actor, plan_id: int) -> TreatmentPlan:
    """One plan by id (a draft, the active plan or a superseded one), for the API."""
    plan = load_plan(session, plan_id)
    authorize_chart(
        session,
        actor=actor,
        patient_id=plan.patient_id,
        action="plan.read",
        object_type="treatment_plan",
        object_id=plan.id,
    )
    return plan


def staff_choices(session: Session, *, enrollment: Enrollment) -> list[tuple[int, str]]:
    return [(s.id, s.full_name) for s in repo.location_staff(session, enrollment.location_id)]


# ---- starting a draft -------------------------------------------------------------------


def start_plan(
    session: Session, *, actor: Actor, patient_id: int, enrollment_id: int | None = None
) -> TreatmentPlan:
    """A new draft: empty, or a copy of the active plan when revising it. `enrollment_id`,
    when given (the API), must be the patient's open enrollment."""
    authorize_chart(session, actor=actor, patient_id=patient_id, action="plan.create", write=True)
    chart = chart_of(session, patient_id)
    if chart.enrollment is None or chart.enrollment.status not in repo.OPEN:
        message = "The patient has no open enrollment to plan for."
        raise ValidationFailed(message, field_errors={"enrollment_id": message})
    if enrollment_id is not None and enrollment_id != chart.enrollment.id:
        message = "Plan for the patient's open enrollment; this one is another."
        raise ValidationFailed(message, field_errors={"enrollment_id": message})
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
    audit_plan(session, actor, "plan.create", draft, "revision" if chart.active else "new")
    return draft


# ---- lookups shared by the plan services ------------------------------------------------


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


def audit_plan(
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


class StalePlan(Conflict):
    """The plan changed since the caller read it; pages re-show the form on this one."""


def check_version(plan: TreatmentPlan, version: int | None) -> None:
    """The API and every plan form send the plan version they read. None skips the check
    (service callers that have just read the plan); the version column still guards the
    flush against a change racing this transaction."""
    if version is not None and version != plan.version:
        raise StalePlan(
            f"This plan was changed by someone else since you read it (version {plan.version} "
            f"now, you sent {version}); read it again."
        )


def touch(session: Session, plan: TreatmentPlan) -> None:
    """Raise the plan's version for a change in its items or reviews, which are not its own
    row: whoever read the plan before must read it again before they change or sign it."""
    plan.version = plan.version + 1
    flush_or_conflict(session)
