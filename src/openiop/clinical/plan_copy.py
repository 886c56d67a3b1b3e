"""Copying a signed plan into a revision: the same problems, goals, objectives (with their
statuses) and interventions, as new rows of the new draft."""

from __future__ import annotations

from openiop.models import PlanGoal, PlanIntervention, PlanObjective, PlanProblem, TreatmentPlan


def problems_of(plan: TreatmentPlan) -> list[PlanProblem]:
    return [_copy_problem(p) for p in plan.problems]


def _copy_problem(source: PlanProblem) -> PlanProblem:
    return PlanProblem(
        position=source.position,
        statement=source.statement,
        asam_dimension=source.asam_dimension,
        goals=[
            PlanGoal(
                position=g.position,
                statement=g.statement,
                objectives=[_copy_objective(o) for o in g.objectives],
            )
            for g in source.goals
        ],
    )


def _copy_objective(source: PlanObjective) -> PlanObjective:
    return PlanObjective(
        plan_id=source.plan_id,  # pointed at the new plan once it has its id
        position=source.position,
        statement=source.statement,
        measure=source.measure,
        target_date=source.target_date,
        status=source.status,
        interventions=[
            PlanIntervention(
                description=i.description,
                modality=i.modality,
                frequency=i.frequency,
                responsible_staff_id=i.responsible_staff_id,
            )
            for i in source.interventions
        ],
    )


def point_objectives_at(plan: TreatmentPlan) -> None:
    for problem in plan.problems:
        for goal in problem.goals:
            for objective in goal.objectives:
                objective.plan_id = plan.id
