"""JSON API for admissions: the level-of-care recommendation (stores nothing)."""

from __future__ import annotations

from fastapi import APIRouter

from openiop.admissions import service
from openiop.admissions.level_of_care import RULES, Recommendation
from openiop.admissions.schemas import EvaluateRequest, EvaluateResponse, ReasonOut
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["admissions"])


def _response(result: Recommendation) -> EvaluateResponse:
    body = result.as_dict()
    reasons = [
        ReasonOut(rule=r.rule, detail=r.detail, meaning=RULES[r.rule].meaning)
        for r in result.reasons
    ]
    return EvaluateResponse(**{**body, "reasons": reasons, "label": result.label})


@router.post(
    "/level-of-care/evaluate",
    response_model=EvaluateResponse,
    summary="Recommend a level of care, with the reasons",
    responses={
        401: {"description": "No valid bearer token"},
        403: {"description": "Not an admissions or clinical role (the refusal is audited)"},
        422: {"description": "A field, instrument or item is wrong; `fields` names each"},
    },
)
def evaluate(body: EvaluateRequest, db: SessionDep, actor: ApiActor) -> EvaluateResponse:
    """Apply the level-of-care rules (docs/level-of-care.md) to one assessment.

    Nothing is stored: the audit trail records that an evaluation happened and its result,
    never the answers. Allowed for admissions, counselor, physician and program director
    tokens.
    """
    return _response(service.evaluate_level_of_care(db, actor=actor, request=body))
