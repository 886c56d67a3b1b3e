"""JSON API of stored admissions assessments: the list per inquiry and one assessment, with the
same permissions, scope and audit as the assessment page (assessment_service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from openiop.admissions import assessment_service as service
from openiop.admissions import dsm5
from openiop.admissions.level_of_care import LEVEL_LABELS, RULES
from openiop.models import AdmissionAssessment
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["admissions"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token"},
    403: {"description": "Not a clinician, director, admin or admissions user at the inquiry's "
          "location (the refusal is audited)"},
    404: {"description": "No such inquiry, or no such assessment of it"},
}  # fmt: skip


class AssessmentSummary(BaseModel):
    id: int
    inquiry_id: int
    created_at: datetime
    created_by_user_id: int | None
    recommendation: str
    recommendation_label: str
    decision: str | None
    decided_level: str | None
    decided_at: datetime | None
    version: int

    @classmethod
    def of(cls, row: AdmissionAssessment) -> AssessmentSummary:
        return cls(
            **{name: getattr(row, name) for name in cls.model_fields if hasattr(row, name)},
            recommendation_label=LEVEL_LABELS.get(row.recommendation, row.recommendation),
        )


class Dsm5Out(BaseModel):
    substance: str
    criteria: list[str]
    criteria_met: int
    severity: str


class AssessmentOut(AssessmentSummary):
    substances: list[str]
    dsm5: list[Dsm5Out]
    instrument_answers: dict[str, list[int]]
    scores: dict[str, Any]
    home_environment: str
    sober_living_home: str | None
    commitments: str | None
    dimensions: dict[str, Any]
    reasons: list[dict[str, str]]
    override_reason: str | None
    decided_by_user_id: int | None

    @classmethod
    def of(cls, row: AdmissionAssessment) -> AssessmentOut:  # type: ignore[override]
        base = AssessmentSummary.of(row).model_dump()
        fields = ("substances", "instrument_answers", "scores", "home_environment",
                  "sober_living_home", "commitments", "dimensions", "override_reason",
                  "decided_by_user_id")  # fmt: skip
        return cls(
            **base,
            **{name: getattr(row, name) for name in fields},
            dsm5=[_dsm5(s, keys) for s, keys in row.dsm5_criteria.items()],
            reasons=[_reason(r) for r in row.reasons],
        )


def _dsm5(substance: str, keys: list[str]) -> Dsm5Out:
    count = len(keys)
    return Dsm5Out(substance=substance, criteria=keys, criteria_met=count,
                   severity=dsm5.severity(count))  # fmt: skip


def _reason(reason: dict[str, str]) -> dict[str, str]:
    rule = RULES.get(reason.get("rule", ""))
    return {**reason, "meaning": rule.meaning if rule else ""}


@router.get(
    "/inquiries/{inquiry_id}/assessments",
    response_model=list[AssessmentSummary],
    summary="The stored assessments of an inquiry, newest first",
    responses=ERRORS,
)
def list_assessments(inquiry_id: int, db: SessionDep, actor: ApiActor) -> list[AssessmentSummary]:
    rows = service.assessments_of(db, actor=actor, inquiry_id=inquiry_id)
    return [AssessmentSummary.of(row) for row in rows]


@router.get(
    "/inquiries/{inquiry_id}/assessments/{assessment_id}",
    response_model=AssessmentOut,
    summary="One stored assessment: answers, scores, ratings, recommendation, reasons, decision",
    responses=ERRORS,
)
def get_assessment(
    inquiry_id: int, assessment_id: int, db: SessionDep, actor: ApiActor
) -> AssessmentOut:
    row = service.assessment_of(db, actor=actor, inquiry_id=inquiry_id, assessment_id=assessment_id)
    return AssessmentOut.of(row)
