"""The day's work on one screen: the group sessions an actor leads and their appointments.

Who may: Permission.ATTENDANCE_RECORD. Counselors and physicians see what they lead or hold
at their sites; program directors and admins see every session and appointment at their
sites. Listing sessions and appointments shows no chart detail beyond names; opening a
roster is audited per patient (service.roster). Functions take keyword arguments and never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from openiop.attendance import ledger_service, repository
from openiop.attendance.service import MANAGERS, principal_of, zone_of
from openiop.kit import clock
from openiop.models import Appointment, GroupSession
from openiop.security.audit import Actor
from openiop.security.permissions import Permission, Principal
from openiop.security.service import require


@dataclass(frozen=True)
class Today:
    day: date
    zone: str
    sessions: list[GroupSession]


@dataclass(frozen=True)
class DayAppointments:
    day: date
    zone: str
    appointments: list[Appointment]


def todays_sessions(session: Session, *, actor: Actor, day: date | None = None) -> Today:
    """The actor's group sessions on a local day (today by default) at their sites."""
    require(session, actor, Permission.ATTENDANCE_RECORD, action="attendance.today")
    principal = principal_of(actor)
    zone = _home_zone(session, principal)
    day = day or clock.today_in(zone)
    staff = _whose(principal)
    if staff is None and principal.role not in MANAGERS:
        return Today(day, zone, [])
    sessions = repository.sessions_on(
        session, day=day, location_ids=principal.location_ids, staff_member_id=staff
    )
    return Today(day, zone, sessions)


def todays_appointments(session: Session, *, actor: Actor, day: date, zone: str) -> DayAppointments:
    """The actor's own appointments on a local day (directors: everyone's at their sites)."""
    require(session, actor, Permission.ATTENDANCE_RECORD, action="attendance.today")
    principal = principal_of(actor)
    staff = _whose(principal)
    if staff is None and principal.role not in MANAGERS:
        return DayAppointments(day, zone, [])
    start, end = ledger_service.local_day_bounds(day, zone)
    found = repository.appointments_between(
        session, start=start, end=end, location_ids=principal.location_ids, staff_member_id=staff
    )
    return DayAppointments(day, zone, found)


def _whose(principal: Principal) -> int | None:
    """Whose work to list: None means everyone's at the actor's sites (managers)."""
    return None if principal.role in MANAGERS else principal.staff_member_id


def _home_zone(session: Session, principal: Principal) -> str:
    ids = sorted(principal.location_ids or [])
    return zone_of(session, ids[0]) if ids else "America/Los_Angeles"
