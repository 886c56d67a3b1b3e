"""Staff screens for the day rates behind the public cost comparison: /admin/rates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.admissions import rates_service, schemas
from openiop.admissions.cost_estimate import dollars
from openiop.kit import clock
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import LocationRate
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def _plain(cents: int) -> str:
    """Cents as a form shows them: 25000 -> "250.00"."""
    return dollars(cents).removeprefix("$").replace(",", "")


def _row_values(row: LocationRate) -> dict[str, Any]:
    return {
        "effective_from": row.effective_from.isoformat(),
        "iop_day_rate": _plain(row.iop_day_rate_cents),
        "residential_day_rate": _plain(row.residential_day_rate_cents),
        "inpatient_day_rate": _plain(row.inpatient_day_rate_cents),
        "version": row.version,
    }


def _rates_page(
    request: Request,
    db: Session,
    actor: Actor,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    *,
    saved: bool = False,
    status: int = 200,
) -> Response:
    groups, names = rates_service.rates_overview(db, actor=actor)
    writable = [(g.location.id, g.location.name) for g in groups if g.may_write]
    today = clock.today_in(request.app.state.settings.default_time_zone).isoformat()
    context = {
        "groups": groups,
        "names": names,
        "writable": writable,
        "values": values or {"effective_from": today},
        "errors": errors or {},
        "saved": saved,
        "dollars": dollars,
    }
    return render(request, "admissions/rates.html", context, status)


@router.get("/admin/rates")
def rates(request: Request, db: SessionDep, actor: PageActor, saved: int = 0) -> Response:
    return _rates_page(request, db, actor, saved=bool(saved))


@router.post("/admin/rates")
def set_rates(request: Request, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    rates_service.authorize_set(db, actor=actor, location_id=None, action="rate.create")
    try:
        data = schemas.read_rate(form)
        rates_service.set_rates(db, actor=actor, data=data)
    except ValidationFailed as error:
        return _rates_page(request, db, actor, dict(form), error.field_errors, status=422)
    return RedirectResponse("/admin/rates?saved=1", status_code=303)


def _rate_page(
    request: Request,
    actor: Actor,
    row: LocationRate,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "row": row,
        "values": values,
        "errors": errors or {},
        "message": message,
        "editable": rates_service.may_set_rates(actor.principal, row.location_id),
        "dollars": dollars,
    }
    return render(request, "admissions/rate_form.html", context, status)


@router.get("/admin/rates/{rate_id}")
def rate(request: Request, rate_id: int, db: SessionDep, actor: PageActor) -> Response:
    row = rates_service.get_rate(db, actor=actor, rate_id=rate_id)
    return _rate_page(request, actor, row, _row_values(row))


@router.post("/admin/rates/{rate_id}")
def correct_rate(
    request: Request, rate_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    row = rates_service.get_rate(db, actor=actor, rate_id=rate_id)
    rates_service.authorize_set(
        db, actor=actor, location_id=row.location_id, action="rate.update", object_id=rate_id
    )
    version = form.get("version", "")
    try:
        data = schemas.read_rate(form, location_id=row.location_id)
        rates_service.correct_rates(
            db,
            actor=actor,
            rate_id=rate_id,
            data=data,
            version=int(version) if version.isdigit() else None,
        )
    except ValidationFailed as error:
        return _rate_page(request, actor, row, dict(form), error.field_errors, status=422)
    except Conflict as error:
        db.rollback()
        row = rates_service.get_rate(db, actor=actor, rate_id=rate_id)
        values = {**form, "version": row.version}  # resubmitting overwrites knowingly
        return _rate_page(request, actor, row, values, message=error.message, status=409)
    return RedirectResponse("/admin/rates?saved=1", status_code=303)
