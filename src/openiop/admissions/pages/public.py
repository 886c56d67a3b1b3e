"""Public pages, no sign-in: what the program is, the self-check, the cost comparison and the
inquiry form. They show no staff menu and no patient data.

The self-check and the cost comparison store nothing and write no audit event: their answers
live only in the request. Only a sent inquiry is stored (and audited).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from openiop.admissions import cost_estimate, schemas, self_check, service
from openiop.kit.errors import TooManyRequests, ValidationFailed
from openiop.web.deps import (
    FormData,
    FormLists,
    SessionDep,
    SettingsDep,
    anonymous_actor,
    verify_csrf,
)
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def _private(response: Response) -> Response:
    """Answers about someone's health must not linger in a shared browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- what the program is -------------------------------------------------------------------


@router.get("/program")
def program(request: Request, db: SessionDep) -> Response:
    facts, sites = service.program_overview(db)
    return render(request, "admissions/program.html", {"facts": facts, "sites": sites})


# ---- self-check ----------------------------------------------------------------------------


def _self_check_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    guidance: self_check.Guidance | None = None,
    status: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "guidance": guidance,
        "q": self_check,
        "substances": self_check.SUBSTANCES,
    }
    return _private(render(request, "admissions/self_check.html", context, status))


@router.get("/self-check")
def self_check_form(request: Request) -> Response:
    return _self_check_page(request, {"substances": [], "drug_signs": [], "commitments": []})


@router.post("/self-check")
def self_check_answer(request: Request, form: FormData, lists: FormLists) -> Response:
    values: dict[str, Any] = {
        **form,
        **{name: lists.get(name, []) for name in ("substances", "drug_signs", "commitments")},
    }
    try:
        answers = self_check.read_answers(form, lists)
    except ValidationFailed as error:
        return _self_check_page(request, values, error.field_errors, status=422)
    return _self_check_page(request, values, guidance=self_check.guide(answers))


# ---- cost comparison -----------------------------------------------------------------------

COST_DEFAULTS = {"iop_weeks": "8", "other_kind": "residential", "other_days": "30"}


def _cost_page(
    request: Request,
    db: SessionDep,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    comparison: cost_estimate.Comparison | None = None,
    status: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "comparison": comparison,
        "locations": service.priced_locations(db),
        "kinds": list(cost_estimate.OTHER_KINDS.items()),
        "facts": service.program_facts(db),
        "dollars": cost_estimate.dollars,
    }
    return render(request, "admissions/cost.html", context, status)


@router.get("/cost")
def cost_form(request: Request, db: SessionDep) -> Response:
    return _cost_page(request, db, dict(COST_DEFAULTS))


@router.post("/cost")
def cost_compare(request: Request, db: SessionDep, form: FormData) -> Response:
    try:
        data = schemas.read_cost(form)
        comparison = service.compare_costs(db, data=data)
    except ValidationFailed as error:
        return _cost_page(request, db, form, error.field_errors, status=422)
    return _cost_page(request, db, form, comparison=comparison)


# ---- inquiry -------------------------------------------------------------------------------


def _inquiry_page(
    request: Request,
    db: SessionDep,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    if not schemas.token_is_valid(str(values.get("idempotency_key") or "")):
        values = {**values, "idempotency_key": secrets.token_urlsafe(24)}
    context = {
        "values": values,
        "errors": errors or {},
        "message": message,
        "relationships": list(schemas.RELATIONSHIPS.items()),
        "methods": list(schemas.CONTACT_METHODS.items()),
        "substances": list(schemas.INQUIRY_SUBSTANCES.items()),
        "locations": service.location_choices(db),
        "honeypot": service.HONEYPOT_FIELD,
    }
    return _private(render(request, "admissions/inquiry.html", context, status))


@router.get("/inquiry")
def inquiry_form(
    request: Request, db: SessionDep, substances: list[str] = Query(default=[])
) -> Response:
    # The only thing carried over from the self-check: which substances to tick.
    chosen = [s for s in substances if s in schemas.INQUIRY_SUBSTANCES]
    return _inquiry_page(request, db, {"substances": chosen})


@router.post("/inquiry")
def inquiry_send(
    request: Request, db: SessionDep, settings: SettingsDep, form: FormData, lists: FormLists
) -> Response:
    substances = lists.get("substances", [])
    try:
        service.receive_inquiry(
            db,
            actor=anonymous_actor(request),
            form=form,
            substances=substances,
            secret_key=settings.secret_key,
            time_zone=settings.default_time_zone,
        )
    except TooManyRequests as error:
        return _private(
            render(request, "admissions/inquiry_limited.html", {"message": error.message}, 429)
        )
    except ValidationFailed as error:
        values = {**form, "substances": substances}
        return _inquiry_page(request, db, values, error.field_errors, error.message, 422)
    return RedirectResponse("/inquiry/thanks", status_code=303)


@router.get("/inquiry/thanks")
def inquiry_thanks(request: Request, db: SessionDep) -> Response:
    return render(
        request, "admissions/inquiry_thanks.html", {"sites": service.program_overview(db)[1]}
    )
