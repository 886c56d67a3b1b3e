"""Staff members: credentials, the locations they work at, caseload and hours."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openiop.kit.pagination import Page, PageRequest
from openiop.models import Location, StaffMember
from openiop.programs import repository as repo
from openiop.programs import rules
from openiop.programs.schemas import StaffCreate, StaffPatch
from openiop.programs.service.common import (
    apply,
    apply_members,
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
    require_read,
)
from openiop.security.audit import Actor
from openiop.security.permissions import Permission
from openiop.security.service import require


def list_staff(
    session: Session, *, actor: Actor, page: PageRequest, location_id: int | None = None
) -> Page[StaffMember]:
    require_read(session, actor, what="staff")
    return repo.list_staff(session, page, location_id=location_id)


def get_staff(session: Session, *, actor: Actor, staff_id: int) -> StaffMember:
    require_read(session, actor, what="staff")
    return found(repo.get_staff(session, staff_id), "staff member", staff_id)


def _locations(session: Session, ids: list[int]) -> tuple[list[Location], str | None]:
    wanted = sorted(set(ids))
    sites = sorted(repo.locations_by_ids(session, wanted), key=lambda site: site.id)
    unknown = sorted(set(wanted) - {site.id for site in sites})
    if unknown:
        return [], f"No location with id {', '.join(map(str, unknown))}."
    return sites, None


def _still_facilitating(session: Session, staff_id: int, keep: set[int]) -> str | None:
    """Leaving a location would strand the groups they run there."""
    stranded = [
        t.name for t in repo.tracks_facilitated_by(session, staff_id) if t.location_id not in keep
    ]
    if stranded:
        return (
            f"Still a facilitator of {', '.join(stranded)} at a location being removed: "
            "take them off those tracks first."
        )
    return None


def _staff_values(
    session: Session, data: StaffCreate, except_id: int | None
) -> tuple[dict[str, Any], list[Location]]:
    problems = rules.staff_problems(
        credentials=data.credentials,
        npi=data.npi,
        caseload_cap=data.caseload_cap,
        weekly_hours=data.weekly_hours,
        location_count=len(set(data.location_ids)),
    )
    sites, site_problem = _locations(session, data.location_ids)
    if site_problem:
        problems["location_ids"] = site_problem
    elif except_id is not None:
        stranded = _still_facilitating(session, except_id, {s.id for s in sites})
        problems.update({"location_ids": stranded} if stranded else {})
    if repo.staff_email_taken(session, data.email, except_id=except_id):
        problems["email"] = "Another staff member already uses this email address."
    refuse_problems(problems)
    values = data.model_dump(exclude={"organization_id", "credentials", "location_ids"})
    values["credentials"] = ",".join(rules.canonical_credentials(data.credentials)[0])
    return values, sites


def create_staff(session: Session, *, actor: Actor, data: StaffCreate) -> StaffMember:
    require_at_locations(
        session,
        actor,
        Permission.STAFF_WRITE,
        action="staff.create",
        what="staff member",
        location_ids=data.location_ids,
    )
    org_id = organization_id(session, data.organization_id)
    values, sites = _staff_values(session, data, None)
    row = StaffMember(organization_id=org_id, **values)
    row.locations = sites
    session.add(row)
    flush(session, "staff member")
    detail = describe({**values, "location_ids": [s.id for s in sites]})
    record(session, actor, "staff.create", "staff_member", row.id, detail)
    return row


def update_staff(
    session: Session, *, actor: Actor, staff_id: int, changes: StaffPatch
) -> StaffMember:
    require(session, actor, Permission.STAFF_WRITE, action="staff.update")
    row = found(repo.get_staff(session, staff_id), "staff member", staff_id)
    current_sites = [site.id for site in row.locations]
    require_at_locations(
        session,
        actor,
        Permission.STAFF_WRITE,
        action="staff.update",
        what="staff member",
        location_ids=current_sites + list(changes.location_ids or []),
        object_id=staff_id,
    )
    check_version(row, changes.version, "staff member")
    current = current_values(
        row, StaffCreate, credentials=row.credential_list, location_ids=current_sites
    )
    values, sites = _staff_values(session, merged(StaffCreate, current, changes), row.id)
    diff = apply(row, values)
    apply_members(row, "locations", sites, diff, "location_ids")
    flush(session, "staff member")
    record(session, actor, "staff.update", "staff_member", row.id, describe(diff))
    return row
