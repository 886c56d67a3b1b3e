"""JSON API for admissions: the level-of-care recommendation (stores nothing), the staff
admissions pipeline (inquiries, contact log) and stored assessments (assessment_api.py)."""

from __future__ import annotations

from fastapi import APIRouter

from openiop.admissions import assessment_api, pipeline_schemas, pipeline_service, service
from openiop.admissions.level_of_care import RULES, Recommendation
from openiop.admissions.pipeline_repository import InquiryFilter
from openiop.admissions.pipeline_schemas import InquiryOut, InquiryPatch
from openiop.admissions.schemas import EvaluateRequest, EvaluateResponse, ReasonOut
from openiop.kit import clock
from openiop.kit.pagination import PageRequest
from openiop.web.deps import ApiActor, SessionDep, SettingsDep
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


# ---- staff admissions pipeline -------------------------------------------------------------
# Same rules as the /admissions pages (docs/admissions.md, "Staff admissions pipeline"):
# admissions staff, program directors and administrators, scoped to their locations.

_PIPELINE_ERRORS = {
    401: {"description": "No valid bearer token"},
    403: {"description": "Not pipeline staff, or another location's inquiry (audited)"},
    404: {"description": "No such inquiry"},
}


@router.get(
    "/inquiries",
    response_model=list[InquiryOut],
    summary="List inquiries in your locations",
    responses=_PIPELINE_ERRORS,
)
def list_inquiries(
    db: SessionDep,
    actor: ApiActor,
    stage: str | None = None,
    owner_user_id: int | None = None,
    location_id: int | None = None,
    referral_source_id: int | None = None,
    page: int = 1,
    size: int = 50,
) -> list[InquiryOut]:
    wanted = InquiryFilter(stage, owner_user_id, location_id, referral_source_id)
    found = pipeline_service.list_inquiries(
        db, actor=actor, wanted=wanted, page=PageRequest(page, size)
    )
    return [InquiryOut.model_validate(row) for row in found.items]


@router.get(
    "/inquiries/{inquiry_id}",
    response_model=InquiryOut,
    summary="One inquiry",
    responses=_PIPELINE_ERRORS,
)
def get_inquiry(inquiry_id: int, db: SessionDep, actor: ApiActor) -> InquiryOut:
    detail = pipeline_service.get_inquiry(db, actor=actor, inquiry_id=inquiry_id)
    return InquiryOut.model_validate(detail.inquiry)


@router.patch(
    "/inquiries/{inquiry_id}",
    response_model=InquiryOut,
    summary="Change stage, owner, next action, referral source or date of birth",
    responses={
        **_PIPELINE_ERRORS,
        409: {"description": "`version` is not the stored one: changed by someone else"},
        422: {"description": "A field is wrong, e.g. a closed stage without `closed_reason`"},
    },
)
def patch_inquiry(
    inquiry_id: int, body: InquiryPatch, db: SessionDep, actor: ApiActor
) -> InquiryOut:
    """Fields left out keep their value; send `null` to clear one. Dates as YYYY-MM-DD."""
    row = pipeline_service.get_inquiry(db, actor=actor, inquiry_id=inquiry_id).inquiry
    current = {name: getattr(row, name) for name in pipeline_schemas.EDIT_FIELDS}
    sent = body.model_dump(include=body.model_fields_set - {"version"})
    data = pipeline_schemas.read_update({**current, **sent}, today=clock.now().date())
    pipeline_service.update_inquiry(
        db, actor=actor, inquiry_id=inquiry_id, data=data, version=body.version
    )
    return InquiryOut.model_validate(row)


@router.post(
    "/inquiries/{inquiry_id}/contacts",
    status_code=201,
    summary="Log a contact (call, text, email, in person) and its outcome",
    responses={**_PIPELINE_ERRORS, 422: {"description": "A field is wrong; `fields` names it"}},
)
def log_contact(
    inquiry_id: int,
    body: dict[str, str | None],
    db: SessionDep,
    actor: ApiActor,
    settings: SettingsDep,
) -> dict[str, int]:
    """Body: `channel`, `direction`, `outcome`, optional `note` and `contacted_at` (local time
    of the organization, YYYY-MM-DDTHH:MM; blank for now)."""
    zone = settings.default_time_zone
    data = pipeline_schemas.read_contact(body, zone=zone, now=clock.now())
    entry = pipeline_service.log_contact(db, actor=actor, inquiry_id=inquiry_id, data=data)
    return {"id": entry.id}


router.include_router(assessment_api.router)
