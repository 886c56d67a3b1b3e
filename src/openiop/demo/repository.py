"""All SQL the demo loader needs: is the database empty, or already the demo's?"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload, selectinload

from openiop.models import Enrollment, Location, Organization, Patient, Room, StaffMember, User


def organization_named(session: Session, name: str) -> Organization | None:
    return session.execute(
        select(Organization).where(Organization.name == name).limit(1)
    ).scalar_one_or_none()


def holds_any_data(session: Session) -> bool:
    """True when accounts, organizations or patients exist (the first admin counts)."""
    return any(
        session.execute(select(exists().where(column.isnot(None)))).scalar()
        for column in (Organization.id, User.id, Patient.id)
    )


# ---- the demo calendar (demo/calendar.py) -----------------------------------------------


def active_enrollments(session: Session) -> list[Enrollment]:
    return list(
        session.scalars(
            select(Enrollment)
            .where(Enrollment.status == "active")
            .options(joinedload(Enrollment.track))
            .order_by(Enrollment.location_id, Enrollment.id)
        )
    )


def clinical_staff(session: Session) -> list[StaffMember]:
    """Staff with a credential (counselors, prescribers), their sites loaded."""
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.credentials != "", StaffMember.active.is_(True))
            .options(selectinload(StaffMember.locations))
            .order_by(StaffMember.id)
        )
    )


def rooms_by_name(session: Session, location_id: int) -> dict[str, int]:
    rows = session.execute(select(Room.name, Room.id).where(Room.location_id == location_id))
    return {name: room_id for name, room_id in rows}


def zone_of(session: Session, location_id: int) -> str:
    return session.scalar(select(Location.time_zone).where(Location.id == location_id)) or "UTC"
