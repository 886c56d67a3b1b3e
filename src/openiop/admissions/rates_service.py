"""Day rates per location, set by staff for the public cost comparison. Never commits.

Every staff member may see the rates (they are public anyway, on the cost page). Setting them
needs CONFIG_WRITE, and scope narrows it as for the other setup records: an administrator sets
rates anywhere, a program director only at their own locations. A new row takes effect on its
date and older rows stay as history; a row can be corrected in place with optimistic locking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.admissions import repository
from openiop.admissions.cost_estimate import dollars
from openiop.admissions.schemas import RateIn
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import Location, LocationRate
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission, Principal, can
from openiop.security.service import Refused, require

_COLUMNS = ("iop_day_rate_cents", "residential_day_rate_cents", "inpatient_day_rate_cents")


@dataclass
class LocationRates:
    location: Location
    rows: list[LocationRate] = field(default_factory=list)  # newest first
    status: dict[int, str] = field(default_factory=dict)  # row id -> upcoming/in_force/earlier
    may_write: bool = False

    @property
    def in_force(self) -> LocationRate | None:
        return next((r for r in self.rows if self.status[r.id] == "in_force"), None)


def may_set_rates(principal: Principal | None, location_id: int) -> bool:
    if principal is None or not can(principal, Permission.CONFIG_WRITE):
        return False
    return principal.at_location(location_id)


def rates_overview(session: Session, *, actor: Actor) -> tuple[list[LocationRates], dict]:
    """Every location with its rate history, which row is in force, and who set each row."""
    require(session, actor, Permission.CONFIG_READ, action="rate.list")
    places = repository.all_locations(session)
    groups = {
        p.id: LocationRates(p, may_write=may_set_rates(actor.principal, p.id)) for p in places
    }
    for row in repository.rates_at(session, groups):
        group = groups[row.location_id]
        group.rows.append(row)
        if row.effective_from > clock.today_in(group.location.time_zone):
            group.status[row.id] = "upcoming"
        else:
            seen = "in_force" in group.status.values()
            group.status[row.id] = "earlier" if seen else "in_force"
    names = repository.user_names(
        session, (r.set_by_user_id for g in groups.values() for r in g.rows if r.set_by_user_id)
    )
    return list(groups.values()), names


def authorize_set(
    session: Session,
    *,
    actor: Actor,
    location_id: int | None,
    action: str,
    object_id: int | None = None,
) -> None:
    """Refuse (audited) unless the actor may set rates; at `location_id` when it is known."""
    require(session, actor, Permission.CONFIG_WRITE, action=action)
    if location_id is not None and not may_set_rates(actor.principal, location_id):
        raise Refused(
            "You may only set rates at your own locations.",
            AuditEntry(
                action,
                "refused",
                object_type="location_rate",
                object_id=object_id,
                detail=f"outside location {location_id}",
            ),
        )


def get_rate(session: Session, *, actor: Actor, rate_id: int) -> LocationRate:
    require(session, actor, Permission.CONFIG_READ, action="rate.read")
    row = repository.rate(session, rate_id)
    if row is None:
        raise NotFound(f"No day rates with id {rate_id}.")
    return row


def set_rates(session: Session, *, actor: Actor, data: RateIn) -> LocationRate:
    authorize_set(session, actor=actor, location_id=data.location_id, action="rate.create")
    if repository.location(session, data.location_id) is None:
        raise ValidationFailed(
            "Please correct the fields marked.",
            field_errors={"location_id": "Choose a location from the list."},
        )
    taken = repository.rate_on(session, data.location_id, data.effective_from)
    if taken is not None:
        raise ValidationFailed(
            "Rates from that date are already set at this location.",
            field_errors={
                "effective_from": "Rates from this date already exist here: correct that row "
                "instead, or choose another date."
            },
        )
    row = LocationRate(
        location_id=data.location_id,
        effective_from=data.effective_from,
        set_by_user_id=actor.principal.user_id if actor.principal else None,
        **{name: getattr(data, name) for name in _COLUMNS},
    )
    repository.add(session, row)
    detail = f"location={row.location_id}; from={row.effective_from}; " + _amounts(row)
    _record(session, actor, "rate.create", row.id, detail)
    return row


def correct_rates(
    session: Session, *, actor: Actor, rate_id: int, data: RateIn, version: int | None
) -> LocationRate:
    row = get_rate(session, actor=actor, rate_id=rate_id)
    authorize_set(
        session, actor=actor, location_id=row.location_id, action="rate.update", object_id=rate_id
    )
    if version != row.version:
        raise Conflict(
            "These rates were changed by someone else since you opened them. Reload the page "
            "and make your change again."
        )
    _check_date_free(session, row, data.effective_from)
    before = f"from={row.effective_from}; " + _amounts(row)
    row.effective_from = data.effective_from
    for name in _COLUMNS:
        setattr(row, name, getattr(data, name))
    row.set_by_user_id = actor.principal.user_id if actor.principal else None
    row.updated_at = clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("These rates were changed by someone else while you were saving.") from None
    after = f"from={row.effective_from}; " + _amounts(row)
    _record(session, actor, "rate.update", row.id, f"{before} → {after}")
    return row


def _check_date_free(session: Session, row: LocationRate, effective_from: date) -> None:
    twin = repository.rate_on(session, row.location_id, effective_from)
    if twin is not None and twin.id != row.id:
        raise ValidationFailed(
            "Rates from that date are already set at this location.",
            field_errors={"effective_from": "Another row already starts on this date."},
        )


def _amounts(row: LocationRate) -> str:
    return (
        f"iop={dollars(row.iop_day_rate_cents)}; "
        f"residential={dollars(row.residential_day_rate_cents)}; "
        f"inpatient={dollars(row.inpatient_day_rate_cents)}"
    )


def _record(session: Session, actor: Actor, action: str, row_id: int, detail: str) -> None:
    entry = AuditEntry(action, object_type="location_rate", object_id=row_id, detail=detail)
    audit.record(session, actor, entry)
