"""Screens for locations and, on each location's page, its rooms."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.kit.errors import Conflict, ValidationFailed
from openiop.kit.pagination import PageRequest
from openiop.models import Location
from openiop.programs import service
from openiop.programs.pages.forms import (
    checked,
    page_router,
    rollback_after_conflict,
    row_values,
    texts,
    with_version,
)
from openiop.programs.schemas import LocationCreate, LocationPatch, RoomCreate, RoomPatch, parse
from openiop.security.audit import Actor
from openiop.web.deps import FormData, PageActor, SessionDep
from openiop.web.render import render

router = page_router()

LOCATION_FIELDS = (
    "code",
    "name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "time_zone",
    "npi",
)
ROOM_FIELDS = ("name", "capacity")
NEW_LOCATION = {"state": "CA", "time_zone": "America/Los_Angeles", "active": True}


def _location_data(form: dict[str, str]) -> dict[str, Any]:
    return {**texts(form, LOCATION_FIELDS), "active": checked(form, "active")}


def _room_data(form: dict[str, str], prefix: str = "") -> dict[str, Any]:
    data = texts(form, ROOM_FIELDS, prefix)
    return {
        **data,
        "telehealth": checked(form, prefix + "telehealth"),
        "active": checked(form, prefix + "active") if prefix == "" else True,
    }


@router.get("/admin/locations")
def locations(request: Request, db: SessionDep, actor: PageActor, page: int = 1) -> Response:
    rows = service.list_locations(db, actor=actor, page=PageRequest(page, 50))
    return render(
        request,
        "programs/locations.html",
        {
            "page": rows,
            "may_create": service.may_write(actor.principal, "location"),
        },
    )


@router.get("/admin/locations/new")
def new_location(request: Request, db: SessionDep, actor: PageActor) -> Response:
    service.authorize_write(db, actor=actor, what="location", action="location.create")
    return _location_page(request, db, actor, None, NEW_LOCATION)


@router.post("/admin/locations")
def create_location(request: Request, db: SessionDep, actor: PageActor, form: FormData) -> Response:
    service.authorize_write(db, actor=actor, what="location", action="location.create")
    try:
        data = parse(LocationCreate, _location_data(form))
        row = service.create_location(db, actor=actor, data=data)
    except ValidationFailed as error:
        values = {**form, "active": checked(form, "active")}
        return _location_page(request, db, actor, None, values, error.field_errors, status=422)
    return RedirectResponse(f"/admin/locations/{row.id}?saved=1", status_code=303)


@router.get("/admin/locations/{location_id}")
def location(
    request: Request, location_id: int, db: SessionDep, actor: PageActor, saved: int = 0
) -> Response:
    row = service.get_location(db, actor=actor, location_id=location_id)
    values = row_values(row, LOCATION_FIELDS, active=row.active)
    return _location_page(request, db, actor, row, values, saved=bool(saved))


@router.post("/admin/locations/{location_id}")
def update_location(
    request: Request, location_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    row = service.get_location(db, actor=actor, location_id=location_id)
    service.authorize_write(
        db, actor=actor, what="location", action="location.update", object_id=location_id
    )
    values = {**form, "active": checked(form, "active")}
    try:
        changes = parse(LocationPatch, with_version(_location_data(form), form))
        service.update_location(db, actor=actor, location_id=location_id, changes=changes)
    except ValidationFailed as error:
        return _location_page(request, db, actor, row, values, error.field_errors, status=422)
    except Conflict as error:
        rollback_after_conflict(db)
        return _location_page(request, db, actor, row, values, message=error.message, status=409)
    return RedirectResponse(f"/admin/locations/{location_id}?saved=1", status_code=303)


@router.post("/admin/locations/{location_id}/rooms")
def create_room(
    request: Request, location_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    row = service.get_location(db, actor=actor, location_id=location_id)
    service.authorize_write(
        db, actor=actor, what="room", action="room.create", location_ids=[location_id]
    )
    try:
        data = parse(RoomCreate, _room_data(form, "room_"))
        service.create_room(db, actor=actor, location_id=location_id, data=data)
    except ValidationFailed as error:
        room_errors = {f"room_{k}": v for k, v in error.field_errors.items()}
        values = row_values(row, LOCATION_FIELDS, active=row.active)
        return _location_page(
            request, db, actor, row, values, room_values=form, room_errors=room_errors, status=422
        )
    return RedirectResponse(f"/admin/locations/{location_id}?saved=1#rooms", status_code=303)


def _location_page(
    request: Request,
    db: Session,
    actor: Actor,
    row: Location | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    message: str | None = None,
    saved: bool = False,
    room_values: dict[str, Any] | None = None,
    room_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    rooms = service.list_rooms(db, actor=actor, location_id=row.id) if row else []
    return render(
        request,
        "programs/location_form.html",
        {
            "location": row,
            "values": values,
            "errors": errors or {},
            "message": message,
            "saved": saved,
            "rooms": rooms,
            "editable": service.may_write(actor.principal, "location"),
            "may_add_room": row is not None
            and service.may_write(actor.principal, "room", [row.id]),
            "room_values": room_values or {"room_capacity": "12"},
            "room_errors": room_errors or {},
        },
        status,
    )


# ---- rooms --------------------------------------------------------------------------------


@router.get("/admin/rooms/{room_id}")
def room(
    request: Request, room_id: int, db: SessionDep, actor: PageActor, saved: int = 0
) -> Response:
    row = service.get_room(db, actor=actor, room_id=room_id)
    values = row_values(row, ROOM_FIELDS, telehealth=row.telehealth, active=row.active)
    return _room_page(request, db, actor, row, values, saved=bool(saved))


@router.post("/admin/rooms/{room_id}")
def update_room(
    request: Request, room_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    row = service.get_room(db, actor=actor, room_id=room_id)
    service.authorize_write(
        db,
        actor=actor,
        what="room",
        action="room.update",
        location_ids=[row.location_id],
        object_id=room_id,
    )
    data = _room_data(form)
    values = {**form, "telehealth": data["telehealth"], "active": data["active"]}
    try:
        changes = parse(RoomPatch, with_version(data, form))
        service.update_room(db, actor=actor, room_id=room_id, changes=changes)
    except ValidationFailed as error:
        return _room_page(request, db, actor, row, values, error.field_errors, status=422)
    except Conflict as error:
        rollback_after_conflict(db)
        return _room_page(request, db, actor, row, values, message=error.message, status=409)
    return RedirectResponse(f"/admin/rooms/{room_id}?saved=1", status_code=303)


def _room_page(
    request: Request,
    db: Session,
    actor: Actor,
    row: Any,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    message: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    site = service.get_location(db, actor=actor, location_id=row.location_id)
    return render(
        request,
        "programs/room_form.html",
        {
            "room": row,
            "location": site,
            "values": values,
            "errors": errors or {},
            "message": message,
            "saved": saved,
            "editable": service.may_write(actor.principal, "room", [row.location_id]),
        },
        status,
    )
