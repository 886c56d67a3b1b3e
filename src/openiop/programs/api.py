"""JSON API for the provider's setup: locations, rooms, programs, tracks and staff.

Lists take ?page=&size= and answer {"items", "total", "page", "size"}. Updates are PATCHes
that carry the `version` the client last read; a stale version answers 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from pydantic import BaseModel

from openiop.kit.pagination import Page, PageRequest
from openiop.models import Program, StaffMember, Track
from openiop.programs import rules, service
from openiop.programs.schemas import (
    LocationCreate,
    LocationDetail,
    LocationOut,
    LocationPatch,
    PageOut,
    ProgramCreate,
    ProgramOut,
    ProgramPatch,
    RoomCreate,
    RoomOut,
    RoomPatch,
    StaffCreate,
    StaffOut,
    StaffPatch,
    TrackCreate,
    TrackOut,
    TrackPatch,
)
from openiop.web.deps import ApiActor, SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["setup"])
Out = TypeVar("Out", bound=BaseModel)


def _paged(page: Page[Any], convert: Callable[[Any], Out]) -> PageOut[Out]:
    return PageOut(
        items=[convert(row) for row in page.items],
        total=page.total,
        page=page.request.page,
        size=page.request.size,
    )


def program_out(row: Program) -> ProgramOut:
    summary = rules.policy_summary(service.policy_of(row))
    return ProgramOut.model_validate({**_columns(row), "summary": summary})


def track_out(row: Track) -> TrackOut:
    return TrackOut.model_validate(
        {**_columns(row), "facilitator_ids": sorted(f.id for f in row.facilitators)}
    )


def staff_out(row: StaffMember) -> StaffOut:
    return StaffOut.model_validate(
        {
            **_columns(row),
            "credentials": row.credential_list,
            "location_ids": sorted(site.id for site in row.locations),
            "needs_supervision": rules.needs_supervision(row.credential_list),
        }
    )


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


# ---- locations and rooms ------------------------------------------------------------------


@router.get("/locations", response_model=PageOut[LocationOut])
def list_locations(db: SessionDep, actor: ApiActor, page: int = 1, size: int = 25) -> Any:
    rows = service.list_locations(db, actor=actor, page=PageRequest(page, size))
    return _paged(rows, LocationOut.model_validate)


@router.post("/locations", response_model=LocationOut, status_code=201)
def create_location(body: LocationCreate, db: SessionDep, actor: ApiActor) -> Any:
    return LocationOut.model_validate(service.create_location(db, actor=actor, data=body))


@router.get("/locations/{location_id}", response_model=LocationDetail)
def get_location(location_id: int, db: SessionDep, actor: ApiActor) -> Any:
    row = service.get_location(db, actor=actor, location_id=location_id, with_rooms=True)
    return LocationDetail.model_validate(row)


@router.patch("/locations/{location_id}", response_model=LocationOut)
def update_location(location_id: int, body: LocationPatch, db: SessionDep, actor: ApiActor) -> Any:
    row = service.update_location(db, actor=actor, location_id=location_id, changes=body)
    return LocationOut.model_validate(row)


@router.get("/locations/{location_id}/rooms", response_model=PageOut[RoomOut])
def list_rooms(
    location_id: int, db: SessionDep, actor: ApiActor, page: int = 1, size: int = 25
) -> Any:
    rooms = service.list_rooms(db, actor=actor, location_id=location_id)
    request = PageRequest(page, size)
    chunk = rooms[request.offset : request.offset + request.size]
    return _paged(Page(chunk, len(rooms), request), RoomOut.model_validate)


@router.post("/locations/{location_id}/rooms", response_model=RoomOut, status_code=201)
def create_room(location_id: int, body: RoomCreate, db: SessionDep, actor: ApiActor) -> Any:
    row = service.create_room(db, actor=actor, location_id=location_id, data=body)
    return RoomOut.model_validate(row)


@router.get("/rooms/{room_id}", response_model=RoomOut)
def get_room(room_id: int, db: SessionDep, actor: ApiActor) -> Any:
    return RoomOut.model_validate(service.get_room(db, actor=actor, room_id=room_id))


@router.patch("/rooms/{room_id}", response_model=RoomOut)
def update_room(room_id: int, body: RoomPatch, db: SessionDep, actor: ApiActor) -> Any:
    row = service.update_room(db, actor=actor, room_id=room_id, changes=body)
    return RoomOut.model_validate(row)


# ---- programs -----------------------------------------------------------------------------


@router.get("/programs", response_model=PageOut[ProgramOut])
def list_programs(db: SessionDep, actor: ApiActor, page: int = 1, size: int = 25) -> Any:
    rows = service.list_programs(db, actor=actor, page=PageRequest(page, size))
    return _paged(rows, program_out)


@router.post("/programs", response_model=ProgramOut, status_code=201)
def create_program(body: ProgramCreate, db: SessionDep, actor: ApiActor) -> Any:
    return program_out(service.create_program(db, actor=actor, data=body))


@router.get("/programs/{program_id}", response_model=ProgramOut)
def get_program(program_id: int, db: SessionDep, actor: ApiActor) -> Any:
    return program_out(service.get_program(db, actor=actor, program_id=program_id))


@router.patch("/programs/{program_id}", response_model=ProgramOut)
def update_program(program_id: int, body: ProgramPatch, db: SessionDep, actor: ApiActor) -> Any:
    return program_out(service.update_program(db, actor=actor, program_id=program_id, changes=body))


# ---- tracks -------------------------------------------------------------------------------


@router.get("/tracks", response_model=PageOut[TrackOut])
def list_tracks(
    db: SessionDep,
    actor: ApiActor,
    location_id: int | None = None,
    program_id: int | None = None,
    page: int = 1,
    size: int = 25,
) -> Any:
    rows = service.list_tracks(
        db,
        actor=actor,
        page=PageRequest(page, size),
        location_id=location_id,
        program_id=program_id,
    )
    return _paged(rows, track_out)


@router.post("/tracks", response_model=TrackOut, status_code=201)
def create_track(body: TrackCreate, db: SessionDep, actor: ApiActor) -> Any:
    return track_out(service.create_track(db, actor=actor, data=body))


@router.get("/tracks/{track_id}", response_model=TrackOut)
def get_track(track_id: int, db: SessionDep, actor: ApiActor) -> Any:
    return track_out(service.get_track(db, actor=actor, track_id=track_id))


@router.patch("/tracks/{track_id}", response_model=TrackOut)
def update_track(track_id: int, body: TrackPatch, db: SessionDep, actor: ApiActor) -> Any:
    return track_out(service.update_track(db, actor=actor, track_id=track_id, changes=body))


# ---- staff --------------------------------------------------------------------------------


@router.get("/staff", response_model=PageOut[StaffOut])
def list_staff(
    db: SessionDep,
    actor: ApiActor,
    location_id: int | None = None,
    page: int = 1,
    size: int = 25,
) -> Any:
    rows = service.list_staff(
        db, actor=actor, page=PageRequest(page, size), location_id=location_id
    )
    return _paged(rows, staff_out)


@router.post("/staff", response_model=StaffOut, status_code=201)
def create_staff(body: StaffCreate, db: SessionDep, actor: ApiActor) -> Any:
    return staff_out(service.create_staff(db, actor=actor, data=body))


@router.get("/staff/{staff_id}", response_model=StaffOut)
def get_staff(staff_id: int, db: SessionDep, actor: ApiActor) -> Any:
    return staff_out(service.get_staff(db, actor=actor, staff_id=staff_id))


@router.patch("/staff/{staff_id}", response_model=StaffOut)
def update_staff(staff_id: int, body: StaffPatch, db: SessionDep, actor: ApiActor) -> Any:
    return staff_out(service.update_staff(db, actor=actor, staff_id=staff_id, changes=body))
