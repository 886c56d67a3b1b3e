"""Staff screens of the admissions pipeline: the board, the list, one inquiry (edit and
contact log), referral sources and the conversion figures. All under /admissions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.admissions import assessment_service
from openiop.admissions import pipeline_rules as rules
from openiop.admissions import pipeline_schemas as schemas
from openiop.admissions import pipeline_service as service
from openiop.admissions.pipeline_repository import InquiryFilter
from openiop.kit import clock
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.kit.pagination import PageRequest
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
PAGE_SIZE = 25
STAGE_OPTIONS = [(s, rules.STAGE_LABELS[s]) for s in rules.STAGES]


def _private(response: Response) -> Response:
    """Prospective patients' details must not linger in a shared browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _zone(request: Request) -> str:
    return request.app.state.settings.default_time_zone


def _common() -> dict[str, Any]:
    return {"labels": rules.STAGE_LABELS, "next_stages": rules.next_stages}


# ---- board ---------------------------------------------------------------------------------


def _board_page(
    request: Request, db: Session, actor: Actor, message: str | None = None, status: int = 200
) -> Response:
    context = {**_common(), "board": service.board(db, actor=actor), "message": message}
    context["urgent_follow_ups"] = assessment_service.urgent_follow_ups(db, actor=actor)
    return _private(render(request, "admissions/pipeline_board.html", context, status))


@router.get("/admissions")
def board(request: Request, db: SessionDep, actor: PageActor) -> Response:
    return _board_page(request, db, actor)


@router.post("/admissions/inquiries/{inquiry_id}/stage")
def move(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    """A board card moves forward; closing needs a reason, so it happens on the detail page."""
    version = form.get("version", "")
    try:
        service.move_stage(
            db,
            actor=actor,
            inquiry_id=inquiry_id,
            stage=(form.get("stage") or "").strip(),
            version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as error:
        db.rollback()
        text = "; ".join(error.field_errors.values()) or error.message
        return _board_page(request, db, actor, f"Inquiry {inquiry_id}: {text}", 422)
    except Conflict as error:
        db.rollback()
        return _board_page(request, db, actor, error.message, 409)
    return RedirectResponse("/admissions", status_code=303)


# ---- list ----------------------------------------------------------------------------------


def _int(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() and len(raw.strip()) < 10 else None


@router.get("/admissions/inquiries")
def inquiry_list(
    request: Request,
    db: SessionDep,
    actor: PageActor,
    stage: str = "",
    owner: str = "",
    location: str = "",
    source: str = "",
    page: int = 1,
) -> Response:
    wanted = InquiryFilter(
        stage=stage if stage in rules.STAGES else None,
        owner_user_id=_int(owner),
        location_id=_int(location),
        referral_source_id=_int(source),
    )
    found = service.list_inquiries(
        db, actor=actor, wanted=wanted, page=PageRequest(page, PAGE_SIZE)
    )
    values = {"stage": stage, "owner": owner, "location": location, "source": source}
    query = "".join(f"{k}={v}&" for k, v in values.items() if v)
    context = {
        **_common(),
        "page": found,
        "values": values,
        "errors": {},
        "query": query,
        "stages": STAGE_OPTIONS,
        "choices": service.filter_choices(db, actor=actor),
        "owners": service.user_names(db, [r.owner_user_id for r in found.items if r.owner_user_id]),
    }
    return _private(render(request, "admissions/pipeline_list.html", context))


# ---- one inquiry ---------------------------------------------------------------------------


def _edit_values(detail: service.Detail) -> dict[str, Any]:
    row = detail.inquiry
    values = {name: getattr(row, name) for name in schemas.EDIT_FIELDS}
    return {k: "" if v is None else str(v) for k, v in values.items()} | {"version": row.version}


def _detail_page(
    request: Request,
    db: Session,
    actor: Actor,
    inquiry_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    contact: dict[str, Any] | None = None,
    contact_errors: dict[str, str] | None = None,
    saved: str = "",
    status: int = 200,
) -> Response:
    detail = service.get_inquiry(db, actor=actor, inquiry_id=inquiry_id)
    context = {
        **_common(),
        "d": detail,
        "row": detail.inquiry,
        "zone": detail.location.time_zone if detail.location else _zone(request),
        "values": values or _edit_values(detail),
        "errors": errors or {},
        "message": message,
        "contact": contact or {"channel": "call", "direction": "outbound"},
        "contact_errors": contact_errors or {},
        "saved": saved,
        "stages": STAGE_OPTIONS,
        "owner_options": [(u.id, u.display_name) for u in detail.owners],
        "source_options": [
            (s.id, f"{s.name} ({schemas.SOURCE_KINDS.get(s.kind, s.kind)})") for s in detail.sources
        ],
        "channels": list(schemas.CHANNELS.items()),
        "directions": list(schemas.DIRECTIONS.items()),
        "outcomes": list(schemas.OUTCOMES.items()),
        "channel_labels": schemas.CHANNELS,
        "direction_labels": schemas.DIRECTIONS,
        "outcome_labels": schemas.OUTCOMES,
    }
    return _private(render(request, "admissions/pipeline_inquiry.html", context, status))


@router.get("/admissions/inquiries/{inquiry_id}")
def inquiry(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, saved: str = ""
) -> Response:
    return _detail_page(request, db, actor, inquiry_id, saved=saved)


@router.post("/admissions/inquiries/{inquiry_id}")
def edit_inquiry(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    version = form.get("version", "")
    try:
        data = schemas.read_update(form, today=clock.today_in(_zone(request)))
        service.update_inquiry(
            db,
            actor=actor,
            inquiry_id=inquiry_id,
            data=data,
            version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as error:
        db.rollback()
        return _detail_page(
            request,
            db,
            actor,
            inquiry_id,
            values=dict(form),
            errors=error.field_errors,
            status=422,
        )
    except Conflict as error:
        db.rollback()
        return _detail_page(request, db, actor, inquiry_id, message=error.message, status=409)
    return RedirectResponse(f"/admissions/inquiries/{inquiry_id}?saved=inquiry", status_code=303)


@router.post("/admissions/inquiries/{inquiry_id}/contacts")
def log_contact(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    try:
        data = schemas.read_contact(form, zone=_zone(request), now=clock.now())
        service.log_contact(db, actor=actor, inquiry_id=inquiry_id, data=data)
    except ValidationFailed as error:
        db.rollback()
        return _detail_page(
            request,
            db,
            actor,
            inquiry_id,
            contact=dict(form),
            contact_errors=error.field_errors,
            status=422,
        )
    return RedirectResponse(f"/admissions/inquiries/{inquiry_id}?saved=contact", status_code=303)


# ---- referral sources ----------------------------------------------------------------------


def _sources_page(
    request: Request,
    db: Session,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    context = {
        "sources": service.referral_sources(db, actor=actor),
        "kinds": list(schemas.SOURCE_KINDS.items()),
        "kind_labels": schemas.SOURCE_KINDS,
        "values": values or {},
        "errors": errors or {},
        "saved": saved,
    }
    return render(request, "admissions/pipeline_sources.html", context, status)


@router.get("/admissions/sources")
def sources(request: Request, db: SessionDep, actor: PageActor, saved: int = 0) -> Response:
    return _sources_page(request, db, actor, saved=bool(saved))


@router.post("/admissions/sources")
def add_source(request: Request, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    try:
        service.add_referral_source(db, actor=actor, data=schemas.read_source(form))
    except ValidationFailed as error:
        db.rollback()
        return _sources_page(request, db, actor, dict(form), error.field_errors, status=422)
    return RedirectResponse("/admissions/sources?saved=1", status_code=303)


# ---- conversion figures --------------------------------------------------------------------


@router.get("/admissions/conversion")
def conversion(request: Request, db: SessionDep, actor: PageActor) -> Response:
    context = {"c": service.conversion(db, actor=actor)}
    return _private(render(request, "admissions/pipeline_conversion.html", context))
