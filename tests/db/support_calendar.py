"""A calendar scene on top of the personas' world, for the calendar's database tests.

Site A (America/Los_Angeles) runs track A Monday to Friday 09:00–12:00 in the group room,
led by the facilitator. Pat's counselor works 08:00–17:00 and the physician 12:00–18:00 on
weekdays; Pat works Tuesdays 13:00–17:00. The clock is frozen on Tuesday 1 December 2026;
the planned week starts Monday 7 December.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openiop.models import (
    AuditEvent,
    Commitment,
    GroupSession,
    Room,
    StaffWorkingHours,
    User,
)
from openiop.security import service as security
from openiop.security.audit import Actor
from tests import factories as f
from tests.personas import World, build_world

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # Tue 10:00 in Los Angeles
MONDAY = date(2026, 12, 7)


def la(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LA).astimezone(UTC)


@dataclass
class Scene:
    world: World
    office: Room
    small: Room
    group_room: Room

    def staff_id(self, persona: str) -> int:
        member = self.world.user(persona).staff_member_id
        assert member is not None
        return member

    def actor(self, db: Session, persona: str) -> Actor:
        return actor_of(db, self.world.user(persona))


def actor_of(db: Session, user: User) -> Actor:
    return Actor(security.principal_for(db, user), "web")


def hours(db: Session, staff_id: int, location_id: int, start: int, end: int) -> None:
    for weekday in range(1, 6):
        db.add(
            StaffWorkingHours(
                staff_member_id=staff_id,
                location_id=location_id,
                weekday=weekday,
                start_time=time(start),
                end_time=time(end),
            )
        )
    db.flush()


def build_scene(db: Session) -> Scene:
    world = build_world(db)
    site = world.site_a.id
    office = f.room(db, location_id=site, name="Office 1", capacity=2)
    small = f.room(db, location_id=site, name="Phone booth", capacity=1)
    group_room = f.room(db, location_id=site, name="Group room", capacity=14)
    world.track_a.room_id = group_room.id
    scene = Scene(world, office, small, group_room)
    hours(db, scene.staff_id("care_counselor"), site, 8, 17)
    hours(db, scene.staff_id("care_physician"), site, 12, 18)
    hours(db, scene.staff_id("site_counselor"), site, 8, 17)
    db.add(
        Commitment(
            patient_id=world.patient.id,
            kind="work",
            weekday=2,
            start_time=time(13),
            end_time=time(17),
            label="work shift",
        )
    )
    for offset in range(5):
        day = date.fromordinal(MONDAY.toordinal() + offset)
        db.add(
            GroupSession(
                track_id=world.track_a.id,
                location_id=site,
                session_date=day,
                starts_at=la(day, 9),
                ends_at=la(day, 12),
                topic="Coping skills",
                facilitator_id=scene.staff_id("facilitator"),
                room_id=group_room.id,
            )
        )
    db.flush()
    return scene


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def events(db: Session, action: str, outcome: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def bearer(db: Session, user: User) -> dict[str, str]:
    issued = security.create_token(
        db, user=user, name="t", expires_days=None, actor=Actor(None, "cli")
    )
    return {"Authorization": f"Bearer {issued.secret}"}
