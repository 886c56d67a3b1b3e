"""Screens for tracks: a program's recurring group schedule at one location."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from openiop.kit.errors import Conflict, ValidationFailed
from openiop.kit.pagination import PageRequest
from openiop.models import Location, Track
from openiop.programs import rules, service
from openiop.programs.pages.forms import (
    as_ints,
    checked,
    page_router,
    rollback_after_conflict,
    row_values,
    texts,
    with_version,
)
from openiop.programs.schemas import TrackCreate, TrackPatch, parse
from openiop.security.audit import Actor
from openiop.web.deps import FormData, FormLists, PageActor, SessionDep
from openiop.web.render import render

router = page_router()

TRACK_FIELDS = (
    "program_id",
    "location_id",
    "room_id",
    "name",
    "start_time",
    "end_time",
    "group_size_cap",
)
WEEKDAY_OPTIONS = [(str(day), name) for day, name in rules.WEEKDAY_NAMES.items()]


def _track_data(form: dict[str, str], lists: dict[str, list[str]]) -> dict[str, Any]:
    return {
        **texts(form, TRACK_FIELDS),
        "weekdays": "".join(lists.get("weekdays", [])),
        "facilitator_ids": as_ints(lists.get("facilitator_ids", [])),
        "active": checked(form, "active"),
    }


def _submitted(form: dict[str, str], lists: dict[str, list[str]]) -> dict[str, Any]:
    return {
        **form,
        "weekdays": lists.get("weekdays", []),
        "facilitator_ids": lists.get("facilitator_ids", []),
        "active": checked(form, "active"),
    }


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


@router.get("/admin/tracks")
def tracks(
    request: Request, db: SessionDep, actor: PageActor, location_id: str = "", page: int = 1
) -> Response:
    site = _int_or_none(location_id)
    rows = service.list_tracks(db, actor=actor, page=PageRequest(page, 50), location_id=site)
    sites = service.all_locations(db, actor=actor)
    rooms = service.rooms_at(db, actor=actor, location_ids=[t.location_id for t in rows.items])
    return render(
        request,
        "programs/tracks.html",
        {
            "page": rows,
            "values": {"location_id": location_id},
            "location_options": [(s.id, s.name) for s in sites],
            "sites": {s.id: s for s in sites},
            "programs": {p.id: p for p in service.all_programs(db, actor=actor)},
            "rooms": {r.id: r for r in rooms},
            "may_create": _writable_sites(actor, sites),
            "query": f"location_id={site}&" if site else "",
        },
    )


def _writable_sites(actor: Actor, sites: list[Location]) -> list[Location]:
    return [s for s in sites if service.may_write(actor.principal, "track", [s.id])]


@router.get("/admin/tracks/new")
def new_track(
    request: Request, db: SessionDep, actor: PageActor, location_id: str = ""
) -> Response:
    site = _int_or_none(location_id)
    if site is None:
        service.authorize_write(db, actor=actor, what="track", action="track.create")
        writable = _writable_sites(actor, service.all_locations(db, actor=actor))
        return render(request, "programs/track_pick_location.html", {"sites": writable})
    location = service.get_location(db, actor=actor, location_id=site)
    service.authorize_write(
        db, actor=actor, what="track", action="track.create", location_ids=[location.id]
    )
    values = {
        "location_id": str(location.id),
        "weekdays": list("12345"),
        "start_time": "09:00",
        "end_time": "12:00",
        "group_size_cap": "12",
        "active": True,
    }
    return _track_page(request, db, actor, None, location, values)


@router.post("/admin/tracks")
def create_track(
    request: Request, db: SessionDep, actor: PageActor, form: FormData, lists: FormLists
) -> Response:
    site = _int_or_none(form.get("location_id", ""))
    location = service.get_location(db, actor=actor, location_id=site or 0)
    service.authorize_write(
        db, actor=actor, what="track", action="track.create", location_ids=[location.id]
    )
    try:
        row = service.create_track(
            db, actor=actor, data=parse(TrackCreate, _track_data(form, lists))
        )
    except ValidationFailed as error:
        values = _submitted(form, lists)
        return _track_page(
            request, db, actor, None, location, values, error.field_errors, status=422
        )
    return RedirectResponse(f"/admin/tracks/{row.id}?saved=1", status_code=303)


@router.get("/admin/tracks/{track_id}")
def track(
    request: Request, track_id: int, db: SessionDep, actor: PageActor, saved: int = 0
) -> Response:
    row = service.get_track(db, actor=actor, track_id=track_id)
    location = service.get_location(db, actor=actor, location_id=row.location_id)
    values = row_values(
        row,
        TRACK_FIELDS,
        weekdays=list(row.weekdays),
        active=row.active,
        facilitator_ids=[str(f.id) for f in row.facilitators],
    )
    return _track_page(request, db, actor, row, location, values, saved=bool(saved))


@router.post("/admin/tracks/{track_id}")
def update_track(
    request: Request,
    track_id: int,
    db: SessionDep,
    actor: PageActor,
    form: FormData,
    lists: FormLists,
) -> Response:
    row = service.get_track(db, actor=actor, track_id=track_id)
    location = service.get_location(db, actor=actor, location_id=row.location_id)
    service.authorize_write(
        db,
        actor=actor,
        what="track",
        action="track.update",
        location_ids=[row.location_id],
        object_id=track_id,
    )
    values = _submitted(form, lists)
    try:
        changes = parse(TrackPatch, with_version(_track_data(form, lists), form))
        service.update_track(db, actor=actor, track_id=track_id, changes=changes)
    except ValidationFailed as error:
        return _track_page(
            request, db, actor, row, location, values, error.field_errors, status=422
        )
    except Conflict as error:
        rollback_after_conflict(db)
        return _track_page(
            request, db, actor, row, location, values, message=error.message, status=409
        )
    return RedirectResponse(f"/admin/tracks/{track_id}?saved=1", status_code=303)


def _track_page(
    request: Request,
    db: Session,
    actor: Actor,
    row: Track | None,
    location: Location,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    message: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    rooms = service.list_rooms(db, actor=actor, location_id=location.id)
    people = service.facilitator_choices(db, actor=actor, location_id=location.id)
    programs = service.all_programs(db, actor=actor)
    return render(
        request,
        "programs/track_form.html",
        {
            "track": row,
            "location": location,
            "values": values,
            "errors": errors or {},
            "message": message,
            "saved": saved,
            "editable": service.may_write(actor.principal, "track", [location.id]),
            "program_options": [(p.id, f"{p.name} ({p.code})") for p in programs],
            "programs": {p.id: p for p in programs},
            "room_options": [(r.id, f"{r.name} (capacity {r.capacity})") for r in rooms],
            "rooms": {r.id: r for r in rooms},
            "weekday_options": WEEKDAY_OPTIONS,
            "facilitator_options": [(s.id, _person(s)) for s in people],
            "people": {s.id: s for s in people},
        },
        status,
    )


def _person(member: Any) -> str:
    credentials = ", ".join(member.credential_list)
    return f"{member.last_name}, {member.first_name}" + (f" ({credentials})" if credentials else "")
