"""Tracks: a program's recurring group schedule in one room of one location."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openiop.kit.pagination import Page, PageRequest
from openiop.models import StaffMember, Track
from openiop.programs import repository as repo
from openiop.programs import rules
from openiop.programs.schemas import TrackCreate, TrackPatch
from openiop.programs.service.common import (
    apply,
    apply_members,
    check_version,
    current_values,
    describe,
    flush,
    found,
    merged,
    record,
    refuse_problems,
    require_at_locations,
    require_read,
)
from openiop.programs.service.programs import policy_of
from openiop.security.audit import Actor
from openiop.security.permissions import Permission
from openiop.security.service import require


def list_tracks(
    session: Session,
    *,
    actor: Actor,
    page: PageRequest,
    location_id: int | None = None,
    program_id: int | None = None,
) -> Page[Track]:
    require_read(session, actor, what="track")
    return repo.list_tracks(session, page, location_id=location_id, program_id=program_id)


def get_track(session: Session, *, actor: Actor, track_id: int) -> Track:
    require_read(session, actor, what="track")
    return found(repo.get_track(session, track_id), "track", track_id)


def facilitator_choices(session: Session, *, actor: Actor, location_id: int) -> list[StaffMember]:
    """Who may facilitate a track at this location: the people who work there."""
    require_read(session, actor, what="staff")
    return repo.staff_at_location(session, location_id)


def _facilitators(
    session: Session, ids: list[int], location_id: int
) -> tuple[list[StaffMember], str | None]:
    wanted = list(dict.fromkeys(ids))
    by_id = {member.id: member for member in repo.staff_by_ids(session, wanted)}
    unknown = [str(i) for i in wanted if i not in by_id]
    if unknown:
        return [], f"No staff member with id {', '.join(unknown)}."
    elsewhere = [
        by_id[i].full_name
        for i in wanted
        if location_id not in {site.id for site in by_id[i].locations}
    ]
    if elsewhere:
        return [], f"Not working at this track's location: {', '.join(elsewhere)}."
    return [by_id[i] for i in wanted], None


def _references(session: Session, data: TrackCreate) -> tuple[dict[str, str], Any, Any]:
    """The program, location and room the track points at, and what is wrong with them."""
    problems: dict[str, str] = {}
    program = repo.get_program(session, data.program_id)
    if program is None:
        problems["program_id"] = "Choose an existing program."
    if repo.get_location(session, data.location_id) is None:
        problems["location_id"] = "Choose an existing location."
    room = repo.get_room(session, data.room_id) if data.room_id else None
    if data.room_id and (room is None or room.location_id != data.location_id):
        problems["room_id"] = "Choose a room at the track's location."
        room = None
    return problems, program, room


def _track_values(session: Session, data: TrackCreate) -> tuple[dict[str, Any], list[StaffMember]]:
    problems, program, room = _references(session, data)
    checks = rules.track_problems(
        weekdays=data.weekdays,
        start_time=data.start_time,
        end_time=data.end_time,
        group_size_cap=data.group_size_cap,
        room_capacity=room.capacity if room else None,
        policy=policy_of(program) if program else None,
    )
    members, facilitator_problem = _facilitators(session, data.facilitator_ids, data.location_id)
    if facilitator_problem:
        problems["facilitator_ids"] = facilitator_problem
    refuse_problems({**checks, **problems})
    values = data.model_dump(exclude={"facilitator_ids"})
    values["weekdays"] = rules.normalize_weekdays(data.weekdays)
    return values, members


def create_track(session: Session, *, actor: Actor, data: TrackCreate) -> Track:
    require_at_locations(
        session,
        actor,
        Permission.CONFIG_WRITE,
        action="track.create",
        what="track",
        location_ids=[data.location_id],
    )
    values, members = _track_values(session, data)
    row = Track(**values)
    row.facilitators = members
    session.add(row)
    flush(session, "track")
    detail = describe({**values, "facilitator_ids": [m.id for m in members]})
    record(session, actor, "track.create", "track", row.id, detail)
    return row


def update_track(session: Session, *, actor: Actor, track_id: int, changes: TrackPatch) -> Track:
    require(session, actor, Permission.CONFIG_WRITE, action="track.update")
    row = found(repo.get_track(session, track_id), "track", track_id)
    require_at_locations(
        session,
        actor,
        Permission.CONFIG_WRITE,
        action="track.update",
        what="track",
        location_ids=[row.location_id, changes.location_id or row.location_id],
        object_id=track_id,
    )
    check_version(row, changes.version, "track")
    current = current_values(row, TrackCreate, facilitator_ids=[f.id for f in row.facilitators])
    values, members = _track_values(session, merged(TrackCreate, current, changes))
    diff = apply(row, values)
    apply_members(row, "facilitators", members, diff, "facilitator_ids")
    flush(session, "track")
    record(session, actor, "track.update", "track", row.id, describe(diff))
    return row
