"""All SQL of treatment plans, their reviews and the clinical policy that times them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openiop.models import (
    ClinicalPolicy,
    Enrollment,
    Location,
    Patient,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    Program,
    StaffMember,
    TreatmentPlan,
    User,
    staff_locations,
)

OPEN = ("pending", "active")


def _tree():  # type: ignore[no-untyped-def]
    """Load a whole plan in five queries: problems, goals, objectives, interventions, staff."""
    return (
        selectinload(TreatmentPlan.problems)
        .selectinload(PlanProblem.goals)
        .selectinload(PlanGoal.objectives)
        .selectinload(PlanObjective.interventions)
        .selectinload(PlanIntervention.responsible_staff)
    )


def plan(session: Session, plan_id: int) -> TreatmentPlan | None:
    query = (
        select(TreatmentPlan)
        .where(TreatmentPlan.id == plan_id)
        .options(_tree(), selectinload(TreatmentPlan.reviews))
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def plans_of_enrollment(session: Session, enrollment_id: int) -> list[TreatmentPlan]:
    """Newest first, each with its whole tree and reviews."""
    query = (
        select(TreatmentPlan)
        .where(TreatmentPlan.enrollment_id == enrollment_id)
        .options(_tree(), selectinload(TreatmentPlan.reviews))
        .order_by(TreatmentPlan.id.desc())
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def signed_plans_of_patient(session: Session, patient_id: int) -> list[TreatmentPlan]:
    query = (
        select(TreatmentPlan)
        .where(TreatmentPlan.patient_id == patient_id, TreatmentPlan.status != "draft")
        .options(_tree())
        .order_by(TreatmentPlan.id.desc())
    )
    return list(session.scalars(query))


def current_enrollment(session: Session, patient_id: int) -> Enrollment | None:
    """The open enrollment, else the most recent one (a discharged chart still reads)."""
    query = (
        select(Enrollment)
        .where(Enrollment.patient_id == patient_id)
        .options(selectinload(Enrollment.program), selectinload(Enrollment.location))
        .order_by(Enrollment.status.in_(OPEN).desc(), Enrollment.admit_date.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    return session.get(Enrollment, enrollment_id)


def patient(session: Session, patient_id: int) -> Patient | None:
    return session.get(Patient, patient_id)


def objective(session: Session, objective_id: int) -> PlanObjective | None:
    return session.get(PlanObjective, objective_id)


def problem(session: Session, problem_id: int) -> PlanProblem | None:
    return session.get(PlanProblem, problem_id)


def goal(session: Session, goal_id: int) -> PlanGoal | None:
    return session.get(PlanGoal, goal_id)


def policy(session: Session, program_id: int) -> ClinicalPolicy | None:
    return session.scalars(
        select(ClinicalPolicy).where(ClinicalPolicy.program_id == program_id)
    ).first()


def location_staff(session: Session, location_id: int) -> list[StaffMember]:
    query = (
        select(StaffMember)
        .join(staff_locations, staff_locations.c.staff_member_id == StaffMember.id)
        .where(staff_locations.c.location_id == location_id, StaffMember.active.is_(True))
        .order_by(StaffMember.last_name, StaffMember.first_name)
    )
    return list(session.scalars(query))


def open_enrollments_at(
    session: Session, location_id: int, staff_ids: Collection[int] | None
) -> list[Enrollment]:
    """Open enrollments at a site with their patients; `staff_ids` limits them to a caseload
    (primary counselor or physician), None means all."""
    query = (
        select(Enrollment)
        .where(Enrollment.location_id == location_id, Enrollment.status.in_(OPEN))
        .options(selectinload(Enrollment.patient))
        .order_by(Enrollment.admit_date)
    )
    if staff_ids is not None:
        ids = list(staff_ids)
        query = query.where(
            Enrollment.primary_counselor_id.in_(ids) | Enrollment.physician_id.in_(ids)
        )
    return list(session.scalars(query))


def plans_for_enrollments(session: Session, enrollment_ids: Collection[int]) -> list[TreatmentPlan]:
    """Active plans (with reviews) of many enrollments, for the site's overdue list."""
    if not enrollment_ids:
        return []
    query = (
        select(TreatmentPlan)
        .where(
            TreatmentPlan.enrollment_id.in_(list(enrollment_ids)),
            TreatmentPlan.status == "active",
        )
        .options(selectinload(TreatmentPlan.reviews))
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


def locations(session: Session, ids: Collection[int] | None) -> list[Location]:
    query = select(Location).order_by(Location.name)
    if ids is not None:
        query = query.where(Location.id.in_(list(ids)))
    return list(session.scalars(query))


def program(session: Session, program_id: int) -> Program | None:
    return session.get(Program, program_id)


def intervention(session: Session, intervention_id: int) -> PlanIntervention | None:
    return session.get(PlanIntervention, intervention_id)


def delete(session: Session, row: object) -> None:
    session.delete(row)
    session.flush()


def user_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = select(User.id, User.display_name).where(User.id.in_(list(user_ids)))
    return {user_id: name for user_id, name in session.execute(query)}


def active_plan_objectives(
    session: Session, patient_ids: Collection[int]
) -> list[tuple[int, PlanObjective | None]]:
    """(patient id, objective) for the active plans of many patients in one query; a plan
    without objectives still gives one row, with None, so "has a plan" is known too."""
    if not patient_ids:
        return []
    query = (
        select(TreatmentPlan.patient_id, PlanObjective)
        .outerjoin(PlanObjective, PlanObjective.plan_id == TreatmentPlan.id)
        .where(TreatmentPlan.patient_id.in_(list(patient_ids)), TreatmentPlan.status == "active")
        .order_by(
            TreatmentPlan.patient_id,
            PlanObjective.goal_id,
            PlanObjective.position,
            PlanObjective.id,
        )
    )
    return [(patient_id, objective) for patient_id, objective in session.execute(query)]
