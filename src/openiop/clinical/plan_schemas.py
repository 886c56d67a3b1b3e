"""JSON shapes of the clinical API (treatment plans, measures, drug screens, work list)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_ORM = ConfigDict(from_attributes=True)


class InterventionOut(BaseModel):
    model_config = _ORM
    id: int
    description: str
    modality: str
    frequency: str
    responsible_staff_id: int | None


class ObjectiveOut(BaseModel):
    model_config = _ORM
    id: int
    statement: str
    measure: str
    target_date: date
    status: str
    interventions: list[InterventionOut]


class GoalOut(BaseModel):
    model_config = _ORM
    id: int
    statement: str
    objectives: list[ObjectiveOut]


class ProblemOut(BaseModel):
    model_config = _ORM
    id: int
    statement: str
    asam_dimension: int | None
    goals: list[GoalOut]


class PlanOut(BaseModel):
    model_config = _ORM
    id: int
    status: str
    activated_on: date | None
    patient_signed_at: datetime | None
    counselor_signed_at: datetime | None
    physician_signed_at: datetime | None
    problems: list[ProblemOut]


class ReviewStatusOut(BaseModel):
    next_review_due: date | None
    review_overdue: bool
    physician_review_due: date
    physician_reviewed_on: date | None
    physician_overdue: bool
    problems: list[str]


class PlanChartOut(BaseModel):
    enrollment_id: int | None
    active: PlanOut | None
    draft: PlanOut | None
    review: ReviewStatusOut | None


class MeasureIn(BaseModel):
    instrument: Literal["PHQ-9", "GAD-7", "BAM"]
    answers: list[int] = Field(description="Points of each answer, in item order")
    administered_on: date | None = None


class MeasureOut(BaseModel):
    model_config = _ORM
    id: int
    instrument: str
    administered_on: date
    total: int | None
    band: str | None
    subscales: dict[str, Any]
    flags: list[str]
    urgent_task_id: int | None


class DueOut(BaseModel):
    instrument: str
    due_on: date
    state: str
    last_given: date | None


class MeasuresOut(BaseModel):
    given: list[MeasureOut]
    due: list[DueOut]


class ResultIn(BaseModel):
    result: Literal["negative", "positive", "expected", "invalid", "dilute"]
    medication: str | None = None


class DrugScreenIn(BaseModel):
    collected_on: date
    observed: bool
    specimen: str
    testing: Literal["point_of_care", "lab"]
    lab_name: str | None = None
    note: str | None = None
    results: dict[str, ResultIn] = Field(
        default_factory=dict, description="Substance class → result; may follow later"
    )


class ResultOut(BaseModel):
    model_config = _ORM
    substance_class: str
    result: str
    medication: str | None


class DrugScreenOut(BaseModel):
    id: int
    collected_on: date
    observed: bool
    specimen: str
    testing: str
    lab_name: str | None
    outcome: str
    results: list[ResultOut]


class WorklistRow(BaseModel):
    patient_id: int
    enrollment_id: int
    patient_name: str
    plan_problems: list[str]
    measures_due: list[DueOut]
