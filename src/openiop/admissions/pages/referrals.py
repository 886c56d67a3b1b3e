"""Referring out: the directory of referral partners and sober-living homes
(/admissions/partners, /admissions/sober-living) and the referral of one inquiry
(/admissions/inquiries/{id}/refer)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.admissions import referral_service as service
from openiop.admissions.level_of_care import INTENSITY, LEVEL_LABELS
from openiop.admissions.referral_rules import GENDERS, SOBER_LIVING_LEVEL
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.security.audit import Actor
from openiop.web.deps import FormLists, PageActor, SessionDep, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
LEVELS = [(k, LEVEL_LABELS[k]) for k in INTENSITY]
PARTNER_FIELDS = ("name", "city", "state", "phone", "notes", "active", "version")
HOME_FIELDS = ("name", "city", "beds", "gender", "phone", "certified_by", "notes", "active")


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _choice(raw: str, options: dict[str, str] | tuple[str, ...]) -> str | None:
    return raw if raw in options else None


def _base(request: Request, actor: Actor) -> dict[str, Any]:
    return {"levels": LEVELS, "level_labels": LEVEL_LABELS, "genders": list(GENDERS.items()),
            "may_manage": service.may_manage(actor)}  # fmt: skip


# ---- the directory ---------------------------------------------------------------------------


@router.get("/admissions/partners")
def partners(
    request: Request, db: SessionDep, actor: PageActor,
    level: str = "", city: str = "", inactive: str = "", saved: str = "",
) -> Response:  # fmt: skip
    found = service.directory(
        db, actor=actor, level=_choice(level, INTENSITY), city=city.strip()[:100] or None,
        include_inactive=inactive == "1",
    )  # fmt: skip
    context = {**_base(request, actor), "d": found, "saved": saved,
               "filters": {"level": level, "city": city, "inactive": inactive}}  # fmt: skip
    return render(request, "admissions/partners.html", context)


@router.get("/admissions/sober-living")
def homes(
    request: Request, db: SessionDep, actor: PageActor,
    city: str = "", gender: str = "", inactive: str = "", saved: str = "",
) -> Response:  # fmt: skip
    found = service.directory(
        db, actor=actor, city=city.strip()[:100] or None, gender=_choice(gender, GENDERS),
        include_inactive=inactive == "1",
    )  # fmt: skip
    context = {**_base(request, actor), "d": found, "saved": saved,
               "filters": {"city": city, "gender": gender, "inactive": inactive}}  # fmt: skip
    return render(request, "admissions/homes.html", context)


def _entry_page(
    request: Request, actor: Actor, kind: str, values: dict[str, Any],
    errors: dict[str, str] | None = None, message: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {**_base(request, actor), "kind": kind, "values": values, "errors": errors or {},
               "message": message}  # fmt: skip
    return render(request, "admissions/directory_form.html", context, status)


@router.get("/admissions/partners/new")
def new_partner(request: Request, db: SessionDep, actor: PageActor) -> Response:
    service.require_manage(db, actor, "referral_partner.create")
    return _entry_page(request, actor, "partner", {"active": "1", "levels": []})


@router.get("/admissions/sober-living/new")
def new_home(request: Request, db: SessionDep, actor: PageActor) -> Response:
    service.require_manage(db, actor, "sober_living_home.create")
    return _entry_page(request, actor, "home", {"active": "1", "gender": "all"})


@router.get("/admissions/partners/{partner_id}")
def edit_partner(request: Request, partner_id: int, db: SessionDep, actor: PageActor) -> Response:
    row = service.partner(db, actor=actor, partner_id=partner_id)
    values = {name: getattr(row, name) for name in PARTNER_FIELDS}
    values |= {"id": row.id, "levels": row.level_list, "active": "1" if row.active else ""}
    return _entry_page(request, actor, "partner", values)


@router.get("/admissions/sober-living/{home_id}")
def edit_home(request: Request, home_id: int, db: SessionDep, actor: PageActor) -> Response:
    row = service.home(db, actor=actor, home_id=home_id)
    values = {name: getattr(row, name) for name in HOME_FIELDS}
    values |= {"id": row.id, "version": row.version, "active": "1" if row.active else ""}
    return _entry_page(request, actor, "home", values)


def _save(
    request: Request, db: Session, actor: Actor, kind: str, form: dict[str, list[str]],
    entry_id: int | None,
) -> Response:  # fmt: skip
    raw = {k: _one(form, k) for k in form}
    version = _int(raw.get("version", ""))
    try:
        if kind == "partner":
            levels = [v for v in form.get("levels", []) if v]
            service.save_partner(db, actor=actor, raw=raw, levels=levels, partner_id=entry_id,
                                 version=version)  # fmt: skip
        else:
            service.save_home(db, actor=actor, raw=raw, home_id=entry_id, version=version)
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        values = {**raw, "id": entry_id, "levels": form.get("levels", [])}
        errors = error.field_errors if isinstance(error, ValidationFailed) else {}
        status = 422 if isinstance(error, ValidationFailed) else 409
        return _entry_page(request, actor, kind, values, errors, error.message, status)
    target = "/admissions/partners" if kind == "partner" else "/admissions/sober-living"
    return RedirectResponse(f"{target}?saved=1", status_code=303)


@router.post("/admissions/partners/new")
def create_partner(request: Request, db: SessionDep, actor: PageActor, form: FormLists) -> Response:
    return _save(request, db, actor, "partner", form, None)


@router.post("/admissions/partners/{partner_id}")
def update_partner(
    request: Request, partner_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    return _save(request, db, actor, "partner", form, partner_id)


@router.post("/admissions/sober-living/new")
def create_home(request: Request, db: SessionDep, actor: PageActor, form: FormLists) -> Response:
    return _save(request, db, actor, "home", form, None)


@router.post("/admissions/sober-living/{home_id}")
def update_home(
    request: Request, home_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    return _save(request, db, actor, "home", form, home_id)


# ---- referring an inquiry out ----------------------------------------------------------------


def _refer_page(
    request: Request, db: Session, actor: Actor, inquiry_id: int, *,
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
    message: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    values = values or {}
    found = service.refer_form(
        db, actor=actor, inquiry_id=inquiry_id, level=_choice(values.get("level", ""), INTENSITY),
        city=values.get("city") or None,
        default_zone=request.app.state.settings.default_time_zone,
    )  # fmt: skip
    values["level"] = values.get("level") or found.level or ""
    # A week is a usual first check that the person arrived; it can be changed.
    values.setdefault("follow_up_date", (found.today + timedelta(days=7)).isoformat())
    context = {**_base(request, actor), "r": found, "row": found.inquiry, "values": values,
               "errors": errors or {}, "message": message,
               "sober_living": values.get("level") == SOBER_LIVING_LEVEL}  # fmt: skip
    response = render(request, "admissions/refer.html", context, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admissions/inquiries/{inquiry_id}/refer")
def refer_form(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor,
    level: str = "", city: str = "", saved: str = "",
) -> Response:  # fmt: skip
    values = {"level": level, "city": city.strip()[:100]}
    message = "Referral recorded." if saved else None
    return _refer_page(request, db, actor, inquiry_id, values=values, message=message)


@router.post("/admissions/inquiries/{inquiry_id}/refer")
def refer(
    request: Request, inquiry_id: int, db: SessionDep, actor: PageActor, form: FormLists
) -> Response:
    raw = {k: _one(form, k) for k in form}
    try:
        service.refer(
            db, actor=actor, inquiry_id=inquiry_id, raw=raw, version=_int(raw.get("version", "")),
            default_zone=request.app.state.settings.default_time_zone,
        )  # fmt: skip
    except ValidationFailed as error:
        db.rollback()
        return _refer_page(request, db, actor, inquiry_id, values=raw,
                           errors=error.field_errors, status=422)  # fmt: skip
    except Conflict as error:
        db.rollback()
        return _refer_page(request, db, actor, inquiry_id, message=error.message, status=409)
    return RedirectResponse(
        f"/admissions/inquiries/{inquiry_id}/refer?saved=1#history", status_code=303
    )
