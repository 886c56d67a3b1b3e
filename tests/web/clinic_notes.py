"""Rows the group-note browser test needs in the seeded clinic: a site of its own with a
facilitator, a morning track of four patients and two past sessions (one per viewport, since a
signed group note cannot be written twice). Called by clinic._build_clinic."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import (
    GroupSession,
    Organization,
    PlanGoal,
    PlanObjective,
    PlanProblem,
    Program,
    TreatmentPlan,
)
from tests import factories as f

NOTES_FACILITATOR = "group.facilitator@example.org"
NOTES_TRACK = "Southside Mornings"
NOTES_ATTENDEES = [
    ("Ivy", "Ashcombe"),
    ("Juniper", "Brackenridge"),
    ("Kestrel", "Coldharbour"),
    ("Linden", "Dewsbury"),
]
# The first three attendees have an active plan with one objective each; the last has none.
WITH_PLAN = NOTES_ATTENDEES[:3]


def objective_of(last: str) -> str:
    return f"Objective of {last}: name two cravings triggers"


# Viewport -> how many days before today its session was held.
SESSION_DAYS_AGO = {"desktop": 1, "phone": 2}


def seed_notes(db: Session, *, org: Organization, program: Program) -> None:
    site = f.location(db, organization_id=org.id, name="Harborlight Southside")
    facilitator = f.staff_account(
        db,
        site=site,
        email=NOTES_FACILITATOR,
        role="counselor",
        first="Marlo",
        last="Penhaligon",
        credentials="LCSW",
    )
    track = f.track(
        db,
        program_id=program.id,
        location_id=site.id,
        name=NOTES_TRACK,
        facilitators=[facilitator],
    )
    for first, last in NOTES_ATTENDEES:
        patient = f.patient(
            db,
            organization_id=org.id,
            registered_location_id=site.id,
            first_name=first,
            last_name=last,
        )
        enrollment = f.enrollment(
            db,
            patient_id=patient.id,
            program_id=program.id,
            location_id=site.id,
            track_id=track.id,
            primary_counselor_id=facilitator.id,
            admit_date=clock.today_in(site.time_zone) - timedelta(days=20),
        )
        if (first, last) in WITH_PLAN:
            _active_plan(db, patient.id, enrollment.id, objective_of(last))
    zone = ZoneInfo(site.time_zone)
    for days_ago in SESSION_DAYS_AGO.values():
        day = clock.today_in(site.time_zone) - timedelta(days=days_ago)
        db.add(
            GroupSession(
                track_id=track.id,
                location_id=site.id,
                facilitator_id=facilitator.id,
                session_date=day,
                starts_at=datetime.combine(day, time(9), tzinfo=zone),
                ends_at=datetime.combine(day, time(12), tzinfo=zone),
                topic="Managing cravings",
            )
        )
    db.flush()


def _active_plan(db: Session, patient_id: int, enrollment_id: int, statement: str) -> None:
    plan = TreatmentPlan(patient_id=patient_id, enrollment_id=enrollment_id, status="active")
    db.add(plan)
    db.flush()
    problem = PlanProblem(plan_id=plan.id, statement="Cravings in the evening.")
    db.add(problem)
    db.flush()
    goal = PlanGoal(problem_id=problem.id, statement="Manage cravings without using.")
    db.add(goal)
    db.flush()
    db.add(
        PlanObjective(
            goal_id=goal.id,
            plan_id=plan.id,
            statement=statement,
            measure="Named in group",
            target_date=clock.today_in("America/Los_Angeles") + timedelta(days=30),
        )
    )
    db.flush()
