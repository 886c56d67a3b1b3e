"""Screens for staff members: credentials, locations, caseload and hours."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.kit.errors import Conflict, ValidationFailed
from openiop.kit.pagination import PageRequest
from openiop.models import StaffMember
from openiop.programs import rules, service
from openiop.programs.pages.forms import (
    as_ints,
    as_ints_only,
    checked,
    page_router,
    rollback_after_conflict,
    row_values,
    texts,
    with_version,
)
from openiop.programs.schemas import StaffCreate, StaffPatch, parse
from openiop.security.audit import Actor
from openiop.web.deps import FormData, FormLists, PageActor, SessionDep
from openiop.web.render import render

router = page_router()

STAFF_FIELDS = ("first_name", "last_name", "email", "npi", "caseload_cap", "weekly_hours")
PAGE_SIZE = 25
CREDENTIAL_OPTIONS = [
    (c.code, f"{c.code} — {c.title}" + (" (supervised)" if c.supervised else ""))
    for c in rules.CREDENTIALS.values()
]


def _staff_data(form: dict[str, str], lists: dict[str, list[str]]) -> dict[str, Any]:
    return {
        **texts(form, STAFF_FIELDS),
        "credentials": lists.get("credentials", []),
        "location_ids": as_ints(lists.get("location_ids", [])),
        "active": checked(form, "active"),
    }


def _submitted(form: dict[str, str], lists: dict[str, list[str]]) -> dict[str, Any]:
    return {
        **form,
        "credentials": lists.get("credentials", []),
        "location_ids": lists.get("location_ids", []),
        "active": checked(form, "active"),
    }


@router.get("/admin/staff")
def staff_list(
    request: Request, db: SessionDep, actor: PageActor, location_id: str = "", page: int = 1
) -> Response:
    site = int(location_id) if location_id.strip().isdigit() else None
    rows = service.list_staff(db, actor=actor, page=PageRequest(page, PAGE_SIZE), location_id=site)
    sites = service.all_locations(db, actor=actor)
    return render(
        request,
        "programs/staff.html",
        {
            "page": rows,
            "values": {"location_id": location_id},
            "location_options": [(s.id, s.name) for s in sites],
            "may_create": service.may_write(actor.principal, "staff member", []),
            "query": f"location_id={site}&" if site else "",
            "supervised": {m.id: rules.needs_supervision(m.credential_list) for m in rows.items},
        },
    )


@router.get("/admin/staff/new")
def new_staff(request: Request, db: SessionDep, actor: PageActor) -> Response:
    service.authorize_write(db, actor=actor, what="staff member", action="staff.create")
    values = {
        "caseload_cap": "0",
        "weekly_hours": "40",
        "active": True,
        "credentials": [],
        "location_ids": [],
    }
    return _staff_page(request, db, actor, None, values)


@router.post("/admin/staff")
def create_staff(
    request: Request, db: SessionDep, actor: PageActor, form: FormData, lists: FormLists
) -> Response:
    service.authorize_write(
        db,
        actor=actor,
        what="staff member",
        action="staff.create",
        location_ids=as_ints_only(lists.get("location_ids", [])),
    )
    try:
        row = service.create_staff(
            db, actor=actor, data=parse(StaffCreate, _staff_data(form, lists))
        )
    except ValidationFailed as error:
        values = _submitted(form, lists)
        return _staff_page(request, db, actor, None, values, error.field_errors, status=422)
    return RedirectResponse(f"/admin/staff/{row.id}?saved=1", status_code=303)


@router.get("/admin/staff/{staff_id}")
def staff_member(
    request: Request, staff_id: int, db: SessionDep, actor: PageActor, saved: int = 0
) -> Response:
    row = service.get_staff(db, actor=actor, staff_id=staff_id)
    values = row_values(
        row,
        STAFF_FIELDS,
        credentials=row.credential_list,
        active=row.active,
        location_ids=[str(s.id) for s in row.locations],
    )
    return _staff_page(request, db, actor, row, values, saved=bool(saved))


@router.post("/admin/staff/{staff_id}")
def update_staff(
    request: Request,
    staff_id: int,
    db: SessionDep,
    actor: PageActor,
    form: FormData,
    lists: FormLists,
) -> Response:
    row = service.get_staff(db, actor=actor, staff_id=staff_id)
    wanted = [s.id for s in row.locations] + as_ints_only(lists.get("location_ids", []))
    service.authorize_write(
        db,
        actor=actor,
        what="staff member",
        action="staff.update",
        location_ids=wanted,
        object_id=staff_id,
    )
    values = _submitted(form, lists)
    try:
        changes = parse(StaffPatch, with_version(_staff_data(form, lists), form))
        service.update_staff(db, actor=actor, staff_id=staff_id, changes=changes)
    except ValidationFailed as error:
        return _staff_page(request, db, actor, row, values, error.field_errors, status=422)
    except Conflict as error:
        rollback_after_conflict(db)
        return _staff_page(request, db, actor, row, values, message=error.message, status=409)
    return RedirectResponse(f"/admin/staff/{staff_id}?saved=1", status_code=303)


def _staff_page(
    request: Request,
    db: Session,
    actor: Actor,
    row: StaffMember | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    message: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    sites = service.all_locations(db, actor=actor)
    mine = [s for s in sites if service.may_write(actor.principal, "staff member", [s.id])]
    current = [s.id for s in row.locations] if row else []
    return render(
        request,
        "programs/staff_form.html",
        {
            "member": row,
            "values": values,
            "errors": errors or {},
            "message": message,
            "saved": saved,
            "editable": service.may_write(actor.principal, "staff member", current),
            "location_options": [(s.id, s.name) for s in mine],
            "credential_options": CREDENTIAL_OPTIONS,
            "needs_supervision": bool(row) and rules.needs_supervision(row.credential_list),
            "credential_titles": {c.code: c.title for c in rules.CREDENTIALS.values()},
        },
        status,
    )
