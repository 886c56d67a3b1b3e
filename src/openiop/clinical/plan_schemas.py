"""JSON shapes of the clinical API (treatment plans, measures, drug screens, work list)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openiop.clinical.plan_rules import MODALITIES, OBJECTIVE_STATUSES

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


class ReviewOut(BaseModel):
    model_config = _ORM
    id: int
    kind: str = Field(description="periodic or physician")
    reviewed_on: date
    reviewed_by_user_id: int | None
    note: str


class PlanOut(BaseModel):
    model_config = _ORM
    id: int
    patient_id: int
    enrollment_id: int
    status: str
    version: int = Field(description="Send it back with every change of this plan")
    activated_on: date | None
    patient_signed_name: str | None
    patient_signed_at: datetime | None
    counselor_signed_at: datetime | None
    physician_signed_at: datetime | None
    problems: list[ProblemOut]
    reviews: list[ReviewOut] = Field(description="Dated reviews of the signed plan, oldest first")


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


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enrollment_id: int | None = Field(
        default=None, description="The patient's open enrollment; checked when given"
    )


class _PlanChange(BaseModel):
    """Every change of a plan carries the plan version it was made on (409 when stale)."""

    model_config = ConfigDict(extra="forbid")
    version: int


class ProblemIn(_PlanChange):
    statement: str
    asam_dimension: int | None = Field(default=None, description="ASAM dimension 1-6")


class ProblemPatch(_PlanChange):
    statement: str | None = None
    asam_dimension: int | None = None


class GoalIn(_PlanChange):
    problem_id: int
    statement: str


class GoalPatch(_PlanChange):
    problem_id: int | None = Field(default=None, description="Move under this problem")
    statement: str | None = None


class ObjectiveIn(_PlanChange):
    goal_id: int
    statement: str
    measure: str = Field(description="How progress is counted")
    target_date: date = Field(description="Today or later")


class ObjectivePatch(_PlanChange):
    goal_id: int | None = Field(default=None, description="Move under this goal")
    statement: str | None = None
    measure: str | None = None
    target_date: date | None = None


_MODALITY = f"One of: {', '.join(MODALITIES)}"


class InterventionIn(_PlanChange):
    objective_id: int
    description: str
    modality: str = Field(description=_MODALITY)
    frequency: str = Field(description="e.g. weekly, 5 days a week")
    responsible_staff_id: int | None = Field(
        default=None, description="A staff member at the patient's site"
    )


class InterventionPatch(_PlanChange):
    objective_id: int | None = Field(default=None, description="Move under this objective")
    description: str | None = None
    modality: str | None = Field(default=None, description=_MODALITY)
    frequency: str | None = None
    responsible_staff_id: int | None = None


class SignatureIn(_PlanChange):
    signer: Literal["patient", "counselor", "physician"]
    typed_name: str = Field(default="", description="The patient's own first and last name")
    agreed: bool = Field(default=False, description="The patient agrees to the plan")


_STATUSES = f"One of: {', '.join(OBJECTIVE_STATUSES)}"


class ObjectiveStatusIn(_PlanChange):
    # A plain string, so an unknown status gets the page's own message naming `status`.
    status: str = Field(description=_STATUSES)


class ReviewIn(_PlanChange):
    kind: str = Field(description="periodic, or physician (physicians only)")
    note: str = Field(description="What the review found: progress, changes needed")


class PlanChangeOut(BaseModel):
    item_id: int = Field(
        description="The problem, goal, objective or intervention changed, or the review added"
    )
    plan: PlanOut


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
