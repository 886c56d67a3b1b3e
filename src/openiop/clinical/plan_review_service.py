"""After a plan is signed: dated reviews (periodic and physician), objective statuses, and
the site's list of plans missing or overdue for review. Keyword-only, never commits."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openiop.clinical import plan_repository as repo
from openiop.clinical import plan_rules as rules
from openiop.clinical.access import (
    audit_listed,
    authorize_chart,
    principal_of,
    site_scope,
    today,
)
from openiop.clinical.plan_service import (
    check_version,
    load_plan,
    plan_facts,
    review_policy,
    touch,
)
from openiop.kit import clock
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import ClinicalPolicy, Enrollment, PlanObjective, PlanReview, TreatmentPlan
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, Role
from openiop.security.service import require

# ---- after signing ----------------------------------------------------------------------


def record_review(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    kind: str,
    note: str,
    version: int | None = None,
) -> PlanReview:
    """A dated review of the active plan (today, local). `version` is the plan version the
    reviewer read (409 when stale); the review raises it."""
    plan = load_plan(session, plan_id)
    action = f"plan.review_{kind}" if kind in {"periodic", "physician"} else "plan.review"
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
    errors = _review_problems(plan, kind, note, principal_of(actor).role)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    review = PlanReview(
        plan_id=plan.id,
        kind=kind,
        reviewed_on=today(),
        reviewed_by_user_id=principal_of(actor).user_id,
        note=note.strip(),
        created_at=clock.now(),
    )
    repo.add(session, review)
    touch(session, plan)
    return review


def _review_problems(plan: TreatmentPlan, kind: str, note: str, role: Role) -> dict[str, str]:
    errors = {}
    if plan.status != "active":
        errors["kind"] = "Only the signed, active plan is reviewed."
    elif kind not in {"periodic", "physician"}:
        errors["kind"] = "Choose a periodic or a physician review."
    elif kind == "physician" and role is not Role.PHYSICIAN:
        errors["kind"] = "Only a physician records a physician review."
    if not note.strip():
        errors["note"] = "Say what the review found (progress, changes needed)."
    return errors


def set_objective_status(
    session: Session,
    *,
    actor: Actor,
    objective_id: int,
    data: Mapping[str, object],
    plan_id: int | None = None,
    version: int | None = None,
) -> PlanObjective:
    """Progress on an objective of the active plan. The API names the plan in the address
    (an objective of another plan is 404) and sends the plan `version` it read (409 when
    stale); the change raises it. A draft's objectives change by editing the draft."""
    objective = repo.objective(session, objective_id)
    if objective is None or (plan_id is not None and objective.plan_id != plan_id):
        raise NotFound(f"No objective with id {objective_id} in this plan.")
    plan = load_plan(session, objective.plan_id)
    authorize_chart(
        session,
        actor=actor,
        patient_id=plan.patient_id,
        action="plan.objective_status",
        write=True,
        object_type="plan_objective",
        object_id=objective.id,
    )
    check_version(plan, version)
    status = rules.parse_objective_status(data)
    if plan.status != "active":
        message = "Progress is recorded on the signed, active plan's objectives."
        raise ValidationFailed(message, field_errors={"status": message})
    objective.status = status
    touch(session, plan)
    return objective


def active_objectives(
    session: Session, *, patient_ids: Collection[int]
) -> dict[int, list[PlanObjective]]:
    """Patient id → the objectives of their signed, active plan, for many patients in one
    query (a group note's attendees). Patients without an active plan are left out. For
    callers that have already authorized each patient's chart (clinical notes do)."""
    found: dict[int, list[PlanObjective]] = {}
    for patient_id, objective in repo.active_plan_objectives(session, patient_ids):
        found.setdefault(patient_id, [])
        if objective is not None:
            found[patient_id].append(objective)
    return found


# ---- the site's overdue list ------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    enrollment: Enrollment
    status: rules.ReviewStatus


def overdue_reviews(session: Session, *, actor: Actor, location_id: int) -> list[OverdueRow]:
    """Open enrollments at a site whose plan is missing, or whose review or physician review
    is overdue — the director's whole site, a clinician's own caseload."""
    scope = site_scope(session, actor=actor, location_id=location_id, action="plan.overdue_list")
    enrollments = repo.open_enrollments_at(session, location_id, scope)
    active = {
        p.enrollment_id: p for p in repo.plans_for_enrollments(session, [e.id for e in enrollments])
    }
    rows, policies = [], {}
    for enrollment in enrollments:
        if enrollment.program_id not in policies:
            policies[enrollment.program_id] = review_policy(session, enrollment.program_id)
        policy = policies[enrollment.program_id]
        facts = plan_facts(enrollment, active.get(enrollment.id))
        status = rules.review_status(facts, policy, today())
        if status.problems:
            rows.append(OverdueRow(enrollment, status))
    audit_listed(
        session, actor, "plan.overdue_list", location_id, [r.enrollment.patient_id for r in rows]
    )
    return rows


def worklist_sites(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The sites whose work list the actor may open (their own)."""
    principal = principal_of(actor)
    return [(site.id, site.name) for site in repo.locations(session, principal.location_ids)]


# ---- the program's clinical policy ------------------------------------------------------


def set_policy(
    session: Session, *, actor: Actor, program_id: int, data: Mapping[str, object]
) -> rules.ReviewPolicy:
    require(session, actor, Permission.CONFIG_WRITE, action="plan.policy")
    if repo.program(session, program_id) is None:
        raise NotFound(f"No program with id {program_id}.")
    policy = rules.parse_policy(data)
    row = repo.policy(session, program_id) or ClinicalPolicy(program_id=program_id)
    row.plan_review_interval_days = policy.review_interval_days
    row.physician_review_within_days = policy.physician_review_within_days
    repo.add(session, row)
    detail = f"review every {policy.review_interval_days}d, physician within {policy.physician_review_within_days}d"
    audit.record(
        session,
        actor,
        AuditEntry("plan.policy", object_type="program", object_id=program_id, detail=detail),
    )
    return policy


def program_settings(session: Session, *, actor: Actor, program_id: int):  # type: ignore[no-untyped-def]
    """The program and its review policy, for the settings form (directors and admins)."""
    require(session, actor, Permission.CONFIG_WRITE, action="plan.policy")
    program = repo.program(session, program_id)
    if program is None:
        raise NotFound(f"No program with id {program_id}.")
    return program, review_policy(session, program_id)
