"""Signing a draft treatment plan: the patient (typing their own name on a staff device), the
counselor and the physician. The last of the three makes the plan "active" and supersedes the
one before. Keyword-only, never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from openiop.clinical import plan_repository as repo
from openiop.clinical import plan_rules as rules
from openiop.clinical.access import authorize_chart, flush_or_conflict, principal_of, today
from openiop.clinical.plan_service import audit_plan, check_version, complete, load_plan
from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.models import TreatmentPlan
from openiop.security.audit import Actor


def sign(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    signer: str,
    typed_name: str = "",
    agreed: bool = True,
    version: int | None = None,
) -> TreatmentPlan:
    """Take one signature. The patient signs on a staff device by typing their name, which on
    the page is their agreement; the API asks for the agreement explicitly (`agreed`)."""
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
    check_version(plan, version)
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
        _patient_signature(session, plan, typed_name, agreed)
        plan.patient_signed_at = now
    elif signer == "counselor":
        plan.counselor_signed_by_user_id, plan.counselor_signed_at = principal.user_id, now
    else:
        plan.physician_signed_by_user_id, plan.physician_signed_at = principal.user_id, now
    audit_plan(session, actor, f"plan.sign_{signer}", plan, None)
    flush_or_conflict(session)
    if plan.fully_signed:
        _activate(session, actor, plan)
        flush_or_conflict(session)
    return plan


def _signed_at(plan: TreatmentPlan, signer: str) -> datetime | None:
    return getattr(plan, f"{signer}_signed_at")  # type: ignore[no-any-return]


def _patient_signature(
    session: Session, plan: TreatmentPlan, typed_name: str, agreed: bool
) -> None:
    patient = repo.patient(session, plan.patient_id)
    assert patient is not None
    errors = {}
    typed = " ".join(typed_name.split())
    if not rules.names_match(typed, patient.first_name, patient.last_name):
        errors["typed_name"] = "The patient types their own first and last name to sign."
    if not agreed:
        errors["agreed"] = "The patient agrees to the plan to sign it."
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    plan.patient_signed_name = typed[:200]


def _activate(session: Session, actor: Actor, plan: TreatmentPlan) -> None:
    for other in repo.plans_of_enrollment(session, plan.enrollment_id):
        if other.status == "active" and other.id != plan.id:
            other.status = "superseded"
            audit_plan(session, actor, "plan.supersede", other, f"by plan {plan.id}")
    plan.status = "active"
    plan.activated_on = today()
    audit_plan(session, actor, "plan.activate", plan, None)
