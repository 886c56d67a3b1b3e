"""Locations (sites, organization-wide: administrators only) and their rooms."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openiop.kit.identifiers import normalize_us_phone
from openiop.kit.pagination import Page, PageRequest
from openiop.models import Location, Room
from openiop.programs import repository as repo
from openiop.programs import rules
from openiop.programs.schemas import LocationCreate, LocationPatch, RoomCreate, RoomPatch
from openiop.programs.service.common import (
    apply,
    check_version,
    current_values,
    describe,
    flush,
    found,
    merged,
    organization_id,
    record,
    refuse_problems,
    require_at_locations,
    require_org_wide,
    require_read,
)
from openiop.security.audit import Actor
from openiop.security.permissions import Permission
from openiop.security.service import require


def list_locations(session: Session, *, actor: Actor, page: PageRequest) -> Page[Location]:
    require_read(session, actor, what="location")
    return repo.list_locations(session, page)


def all_locations(session: Session, *, actor: Actor) -> list[Location]:
    require_read(session, actor, what="location")
    return repo.all_locations(session)


def get_location(
    session: Session, *, actor: Actor, location_id: int, with_rooms: bool = False
) -> Location:
    require_read(session, actor, what="location")
    row = repo.get_location(session, location_id, with_rooms=with_rooms)
    return found(row, "location", location_id)


def _location_values(session: Session, data: LocationCreate, except_id: int | None) -> dict:
    problems = rules.location_problems(
        state=data.state,
        postal_code=data.postal_code,
        phone=data.phone,
        time_zone=data.time_zone,
        npi=data.npi,
    )
    if repo.location_code_taken(session, data.code, except_id=except_id):
        problems["code"] = f"Another location already uses the code {data.code}."
    refuse_problems(problems)
    values = data.model_dump(exclude={"organization_id"})
    values["phone"] = normalize_us_phone(data.phone) if data.phone else None
    return values


def create_location(session: Session, *, actor: Actor, data: LocationCreate) -> Location:
    require_org_wide(
        session, actor, Permission.CONFIG_WRITE, action="location.create", what="location"
    )
    org_id = organization_id(session, data.organization_id)
    values = _location_values(session, data, None)
    row = Location(organization_id=org_id, **values)
    session.add(row)
    flush(session, "location")
    record(session, actor, "location.create", "location", row.id, describe(values))
    return row


def update_location(
    session: Session, *, actor: Actor, location_id: int, changes: LocationPatch
) -> Location:
    require(session, actor, Permission.CONFIG_WRITE, action="location.update")
    row = found(repo.get_location(session, location_id), "location", location_id)
    require_org_wide(
        session,
        actor,
        Permission.CONFIG_WRITE,
        action="location.update",
        what="location",
        object_id=location_id,
    )
    check_version(row, changes.version, "location")
    data = merged(LocationCreate, current_values(row, LocationCreate), changes)
    diff = apply(row, _location_values(session, data, row.id))
    flush(session, "location")
    record(session, actor, "location.update", "location", row.id, describe(diff))
    return row


# ---- rooms --------------------------------------------------------------------------------


def list_rooms(session: Session, *, actor: Actor, location_id: int) -> list[Room]:
    get_location(session, actor=actor, location_id=location_id)
    return repo.rooms_of_location(session, location_id)


def rooms_at(session: Session, *, actor: Actor, location_ids: list[int]) -> list[Room]:
    require_read(session, actor, what="room")
    return repo.rooms_of_locations(session, location_ids)


def get_room(session: Session, *, actor: Actor, room_id: int) -> Room:
    require_read(session, actor, what="room")
    return found(repo.get_room(session, room_id), "room", room_id)


def _room_values(
    session: Session, location_id: int, data: RoomCreate, except_id: int | None
) -> dict:
    problems = rules.room_problems(capacity=data.capacity)
    if repo.room_name_taken(session, location_id, data.name, except_id=except_id):
        problems["name"] = f"This location already has a room called {data.name}."
    if except_id is not None and not problems:
        too_big = [
            t.name
            for t in repo.tracks_in_room(session, except_id)
            if t.group_size_cap > data.capacity
        ]
        if too_big:
            problems["capacity"] = (
                f"Smaller than the group size cap of {', '.join(too_big)}: lower those first."
            )
    refuse_problems(problems)
    return data.model_dump()


def create_room(session: Session, *, actor: Actor, location_id: int, data: RoomCreate) -> Room:
    require(session, actor, Permission.CONFIG_WRITE, action="room.create")
    found(repo.get_location(session, location_id), "location", location_id)
    require_at_locations(
        session,
        actor,
        Permission.CONFIG_WRITE,
        action="room.create",
        what="room",
        location_ids=[location_id],
    )
    values = _room_values(session, location_id, data, None)
    row = Room(location_id=location_id, **values)
    session.add(row)
    flush(session, "room")
    detail = describe({"location_id": location_id, **values})
    record(session, actor, "room.create", "room", row.id, detail)
    return row


def update_room(session: Session, *, actor: Actor, room_id: int, changes: RoomPatch) -> Room:
    require(session, actor, Permission.CONFIG_WRITE, action="room.update")
    row = found(repo.get_room(session, room_id), "room", room_id)
    require_at_locations(
        session,
        actor,
        Permission.CONFIG_WRITE,
        action="room.update",
        what="room",
        location_ids=[row.location_id],
        object_id=room_id,
    )
    check_version(row, changes.version, "room")
    data = merged(RoomCreate, current_values(row, RoomCreate), changes)
    diff = apply(row, _room_values(session, row.location_id, data, row.id))
    flush(session, "room")
    record(session, actor, "room.update", "room", row.id, describe(diff))
    return row
