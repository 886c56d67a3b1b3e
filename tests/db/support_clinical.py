"""Helpers shared by the clinical records' database tests (this module holds no tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openiop.clinical import plan_edit_service, plan_service, plan_signing_service
from openiop.kit import clock
from openiop.models import AuditEvent, TreatmentPlan, User
from openiop.security import service as security
from openiop.security.audit import Actor
from tests.personas import World

# Monday Nov 16 2026, 10:00 in California: two weeks after the personas' admission (Nov 2).
NOW = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)
TODAY = date(2026, 11, 16)


def freeze(at: datetime = NOW) -> None:
    clock.freeze(at)


def actor(db: Session, user: User) -> Actor:
    return Actor(security.principal_for(db, user), "web", "127.0.0.1", "tests")


def as_persona(db: Session, world: World, persona: str) -> Actor:
    return actor(db, world.user(persona))


def events(db: Session, action: str, outcome: str = "allowed") -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def complete_plan(db: Session, world: World, persona: str = "care_counselor") -> TreatmentPlan:
    """A draft with one problem → goal → objective → intervention, by the care counselor."""
    who = as_persona(db, world, persona)
    plan = plan_service.start_plan(db, actor=who, patient_id=world.patient.id)
    problem = plan_edit_service.add_problem(
        db,
        actor=who,
        plan_id=plan.id,
        data={"statement": "Daily drinking to cope with stress at work", "asam_dimension": "5"},
    )
    goal = plan_edit_service.add_goal(
        db, actor=who, problem_id=problem.id, data={"statement": "Stay sober one day at a time"}
    )
    objective = plan_edit_service.add_objective(
        db,
        actor=who,
        goal_id=goal.id,
        data={
            "statement": "Name three coping skills that replace drinking",
            "measure": "Coping skills listed in individual session",
            "target_date": "2026-12-14",
        },
    )
    plan_edit_service.add_intervention(
        db,
        actor=who,
        objective_id=objective.id,
        data={
            "description": "Relapse prevention skills practice",
            "modality": "individual",
            "frequency": "Weekly, 50 minutes",
            "responsible_staff_id": str(world.user("care_counselor").staff_member_id),
        },
    )
    return plan_service.load_plan(db, plan.id)


def signed_plan(db: Session, world: World) -> TreatmentPlan:
    plan = complete_plan(db, world)
    plan_signing_service.sign(
        db,
        actor=as_persona(db, world, "care_counselor"),
        plan_id=plan.id,
        signer="patient",
        typed_name="Pat Quillfeather",
    )
    plan_signing_service.sign(
        db, actor=as_persona(db, world, "care_counselor"), plan_id=plan.id, signer="counselor"
    )
    plan_signing_service.sign(
        db, actor=as_persona(db, world, "care_physician"), plan_id=plan.id, signer="physician"
    )
    return plan_service.load_plan(db, plan.id)
