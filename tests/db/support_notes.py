"""A world for note tests: the personas, a group session on Pat's track with three more
attendees, a supervised counselor (AMFT) on Pat's care team, and a supervisor (LCSW)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from openiop.config import Settings
from openiop.kit import clock
from openiop.models import AuditEvent, GroupSession, Patient, User, track_facilitators
from openiop.security import service as security
from openiop.security.audit import Actor
from tests import factories as f
from tests.personas import World, build_world

SESSION_DAY = date(2026, 11, 30)
SESSION_START = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 09:00 Pacific
SESSION_END = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 12:00 Pacific
SOON_AFTER = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
ATTENDEE_NAMES = [("Morgan", "Bramblecott"), ("Avery", "Thistlewood"), ("Jordan", "Fernsby")]


@dataclass
class NotesWorld:
    world: World
    group: GroupSession
    attendees: list[Patient]  # Pat first, then the three others

    def user(self, persona: str) -> User:
        return self.world.user(persona)

    @property
    def pat(self) -> Patient:
        return self.world.patient


def build(db: Session) -> NotesWorld:
    world = build_world(db)
    org_id = world.patient.organization_id
    care = world.user("care_counselor")
    attendees = [world.patient]
    for first, last in ATTENDEE_NAMES:
        row = f.patient(
            db,
            organization_id=org_id,
            registered_location_id=world.site_a.id,
            first_name=first,
            last_name=last,
        )
        f.enrollment(
            db,
            patient_id=row.id,
            program_id=world.program.id,
            location_id=world.site_a.id,
            track_id=world.track_a.id,
            primary_counselor_id=care.staff_member_id,
        )
        attendees.append(row)
    _supervision(db, world)
    facilitator = world.user("facilitator")
    group = GroupSession(
        track_id=world.track_a.id,
        location_id=world.site_a.id,
        session_date=SESSION_DAY,
        starts_at=SESSION_START,
        ends_at=SESSION_END,
        topic="Relapse prevention: high-risk situations",
        facilitator_id=facilitator.staff_member_id,
    )
    db.add(group)
    db.flush()
    clock.freeze(SOON_AFTER)
    return NotesWorld(world, group, attendees)


def _supervision(db: Session, world: World) -> None:
    """An associate (AMFT) who co-facilitates Pat's track, so is on the care team of everyone
    on it, and whose notes need a supervisor's co-signature."""
    member = f.staff(
        db,
        organization_id=world.patient.organization_id,
        locations=[world.site_a],
        credentials="AMFT",
        email="associate@example.org",
    )
    world.users["associate"] = f.user(
        db, role="counselor", email="associate@example.org", staff_member_id=member.id
    )
    db.execute(
        insert(track_facilitators).values(track_id=world.track_a.id, staff_member_id=member.id)
    )


def actor(db: Session, user: User) -> Actor:
    return Actor(security.principal_for(db, user), "web")


def bearer(db: Session, user: User) -> dict[str, str]:
    issued = security.create_token(
        db, user=user, name="t", expires_days=None, actor=Actor(None, "cli")
    )
    return {"Authorization": f"Bearer {issued.secret}"}


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def events(db: Session, action: str, outcome: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def dap(**sections: str) -> dict:
    body = {"data": "Reports two sober days.", "assessment": "Engaged.", "plan": "Meet Friday."}
    return {
        "format": "dap",
        "service_date": "2026-11-30",
        "service_time": "10:00",
        "sections": {**body, **sections},
    }


def settings_for(settings: Settings, **changes) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(update=changes)


def objective_for(db: Session, patient: Patient, world: World):  # type: ignore[no-untyped-def]
    """A draft plan for the patient with one problem, goal and objective."""
    from openiop.models import Enrollment, PlanGoal, PlanObjective, PlanProblem, TreatmentPlan

    enrollment_id = db.scalar(select(Enrollment.id).where(Enrollment.patient_id == patient.id))
    plan = TreatmentPlan(patient_id=patient.id, enrollment_id=enrollment_id, status="draft")
    db.add(plan)
    db.flush()
    problem = PlanProblem(plan_id=plan.id, statement="Drinks daily to sleep.")
    db.add(problem)
    db.flush()
    goal = PlanGoal(problem_id=problem.id, statement="Sleep without alcohol.")
    db.add(goal)
    db.flush()
    objective = PlanObjective(
        goal_id=goal.id,
        plan_id=plan.id,
        statement="Use a sleep routine five nights a week.",
        measure="Sleep log",
        target_date=date(2026, 12, 31),
    )
    db.add(objective)
    db.flush()
    return objective


TEST_KEY = "dGVzdC1ub3Rlcy1rZXktMzItYnl0ZXMtbG9uZy4uLi4="  # the key tests/conftest.py sets
