"""All SQL for locations, rooms, programs, tracks and staff."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from openiop.kit.pagination import Page, PageRequest
from openiop.models import (
    Location,
    Organization,
    Program,
    Room,
    StaffMember,
    Track,
    staff_locations,
    track_facilitators,
)

T = TypeVar("T")
MAX_ID = 2_147_483_647  # ids beyond a 32-bit integer cannot exist; don't send them to the database


def _page(session: Session, query: Select[Any], request: PageRequest) -> Page[Any]:
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.execute(query.offset(request.offset).limit(request.size)).scalars()
    return Page(list(items), int(total.scalar_one()), request)


def _by_id(session: Session, model: type[T], row_id: int, *options: Any) -> T | None:
    if not 1 <= row_id <= MAX_ID:
        return None
    query = select(model).where(model.id == row_id)  # type: ignore[attr-defined]
    return session.execute(query.options(*options)).scalar_one_or_none()


def first_organization_id(session: Session) -> int | None:
    """A deployment serves one provider organization: the first one set up."""
    return session.execute(select(func.min(Organization.id))).scalar_one_or_none()


def organization_exists(session: Session, organization_id: int) -> bool:
    return _by_id(session, Organization, organization_id) is not None


# ---- locations and rooms ------------------------------------------------------------------


def list_locations(session: Session, request: PageRequest) -> Page[Location]:
    return _page(session, select(Location).order_by(Location.name, Location.id), request)


def all_locations(session: Session) -> list[Location]:
    return list(session.execute(select(Location).order_by(Location.name, Location.id)).scalars())


def get_location(
    session: Session, location_id: int, *, with_rooms: bool = False
) -> Location | None:
    options = [selectinload(Location.rooms)] if with_rooms else []
    return _by_id(session, Location, location_id, *options)


def locations_by_ids(session: Session, ids: Iterable[int]) -> list[Location]:
    wanted = {i for i in ids if 1 <= i <= MAX_ID}
    if not wanted:
        return []
    return list(session.execute(select(Location).where(Location.id.in_(wanted))).scalars())


def location_code_taken(session: Session, code: str, *, except_id: int | None = None) -> bool:
    query = select(Location.id).where(func.lower(Location.code) == code.lower())
    if except_id is not None:
        query = query.where(Location.id != except_id)
    return session.execute(query.limit(1)).first() is not None


def rooms_of_location(session: Session, location_id: int) -> list[Room]:
    query = select(Room).where(Room.location_id == location_id).order_by(Room.name)
    return list(session.execute(query).scalars())


def rooms_of_locations(session: Session, location_ids: Iterable[int]) -> list[Room]:
    wanted = {i for i in location_ids if 1 <= i <= MAX_ID}
    if not wanted:
        return []
    query = select(Room).where(Room.location_id.in_(wanted)).order_by(Room.name, Room.id)
    return list(session.execute(query).scalars())


def get_room(session: Session, room_id: int) -> Room | None:
    return _by_id(session, Room, room_id)


def rooms_by_ids(session: Session, ids: Iterable[int]) -> list[Room]:
    wanted = {i for i in ids if i is not None and 1 <= i <= MAX_ID}
    if not wanted:
        return []
    return list(session.execute(select(Room).where(Room.id.in_(wanted))).scalars())


def room_name_taken(
    session: Session, location_id: int, name: str, *, except_id: int | None = None
) -> bool:
    query = select(Room.id).where(
        Room.location_id == location_id, func.lower(Room.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Room.id != except_id)
    return session.execute(query.limit(1)).first() is not None


# ---- programs -----------------------------------------------------------------------------


def list_programs(session: Session, request: PageRequest) -> Page[Program]:
    return _page(session, select(Program).order_by(Program.name, Program.id), request)


def all_programs(session: Session) -> list[Program]:
    return list(session.execute(select(Program).order_by(Program.name, Program.id)).scalars())


def get_program(session: Session, program_id: int) -> Program | None:
    return _by_id(session, Program, program_id)


def program_code_taken(session: Session, code: str, *, except_id: int | None = None) -> bool:
    query = select(Program.id).where(func.lower(Program.code) == code.lower())
    if except_id is not None:
        query = query.where(Program.id != except_id)
    return session.execute(query.limit(1)).first() is not None


# ---- tracks -------------------------------------------------------------------------------


def list_tracks(
    session: Session,
    request: PageRequest,
    *,
    location_id: int | None = None,
    program_id: int | None = None,
) -> Page[Track]:
    query = select(Track).options(selectinload(Track.facilitators))
    if location_id is not None:
        query = query.where(Track.location_id == location_id)
    if program_id is not None:
        query = query.where(Track.program_id == program_id)
    return _page(session, query.order_by(Track.name, Track.id), request)


def get_track(session: Session, track_id: int) -> Track | None:
    return _by_id(session, Track, track_id, selectinload(Track.facilitators))


# ---- staff --------------------------------------------------------------------------------


def list_staff(
    session: Session, request: PageRequest, *, location_id: int | None = None
) -> Page[StaffMember]:
    query = select(StaffMember).options(selectinload(StaffMember.locations))
    if location_id is not None:
        at_site = select(staff_locations.c.staff_member_id).where(
            staff_locations.c.location_id == location_id
        )
        query = query.where(StaffMember.id.in_(at_site))
    order = (StaffMember.last_name, StaffMember.first_name, StaffMember.id)
    return _page(session, query.order_by(*order), request)


def staff_at_location(session: Session, location_id: int) -> list[StaffMember]:
    """Everyone who works at a location: the people who may facilitate its tracks."""
    at_site = select(staff_locations.c.staff_member_id).where(
        staff_locations.c.location_id == location_id
    )
    query = (
        select(StaffMember)
        .where(StaffMember.id.in_(at_site))
        .order_by(StaffMember.last_name, StaffMember.first_name, StaffMember.id)
    )
    return list(session.execute(query).scalars())


def get_staff(session: Session, staff_id: int) -> StaffMember | None:
    return _by_id(session, StaffMember, staff_id, selectinload(StaffMember.locations))


def staff_by_ids(session: Session, ids: Iterable[int]) -> list[StaffMember]:
    wanted = {i for i in ids if 1 <= i <= MAX_ID}
    if not wanted:
        return []
    query = (
        select(StaffMember)
        .options(selectinload(StaffMember.locations))
        .where(StaffMember.id.in_(wanted))
    )
    return list(session.execute(query).scalars())


def staff_email_taken(session: Session, email: str, *, except_id: int | None = None) -> bool:
    query = select(StaffMember.id).where(func.lower(StaffMember.email) == email.lower())
    if except_id is not None:
        query = query.where(StaffMember.id != except_id)
    return session.execute(query.limit(1)).first() is not None


def tracks_in_room(session: Session, room_id: int) -> list[Track]:
    return list(session.execute(select(Track).where(Track.room_id == room_id)).scalars())


def tracks_facilitated_by(session: Session, staff_id: int) -> list[Track]:
    query = (
        select(Track)
        .where(
            Track.id.in_(
                select(track_facilitators.c.track_id).where(
                    track_facilitators.c.staff_member_id == staff_id
                )
            )
        )
        .order_by(Track.name)
    )
    return list(session.execute(query).scalars())
