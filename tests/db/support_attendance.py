"""Helpers for the attendance database tests (this module holds no tests).

The personas' world (tests/personas.py) plus group sessions and appointments on its morning
track at site A. Times are Pacific; the clock is frozen inside ISO week 2026-W49
(Monday 11/30 to Sunday 12/06).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import Appointment, DailyMinutes, Enrollment, GroupSession, Patient, User
from openiop.security import service as security
from openiop.security.audit import Actor
from tests import factories as f
from tests.personas import World, build_world

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 11, 30)
WEDNESDAY = date(2026, 12, 2)


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LA).astimezone(ZoneInfo("UTC"))


def freeze(day: date, at: time = time(13)) -> None:
    """Freeze the clock at a local Pacific time (after the morning group by default)."""
    clock.freeze(local(day, at))


def group_session(
    db: Session,
    *,
    world: World,
    day: date,
    start: time = time(9),
    end: time = time(12),
    track_id: int | None = None,
    **kw: object,
) -> GroupSession:
    row = GroupSession(
        track_id=track_id or world.track_a.id,
        location_id=world.site_a.id,
        session_date=day,
        starts_at=local(day, start),
        ends_at=local(day, end),
        topic="Coping with cravings",
        **kw,
    )
    db.add(row)
    db.flush()
    return row


def appointment(
    db: Session,
    *,
    world: World,
    patient_id: int,
    staff_member_id: int,
    day: date,
    kind: str = "individual",
    start: time = time(14),
    minutes: int = 60,
    enrollment_id: int | None = None,
    **kw: object,
) -> Appointment:
    begins = local(day, start)
    row = Appointment(
        patient_id=patient_id,
        enrollment_id=enrollment_id,
        staff_member_id=staff_member_id,
        location_id=world.site_a.id,
        kind=kind,
        starts_at=begins,
        ends_at=begins + timedelta(minutes=minutes),
        **kw,
    )
    db.add(row)
    db.flush()
    return row


def enroll(db: Session, world: World, first: str, last: str) -> Enrollment:
    patient = f.patient(
        db,
        organization_id=world.site_a.organization_id,
        registered_location_id=world.site_a.id,
        first_name=first,
        last_name=last,
    )
    return f.enrollment(
        db,
        patient_id=patient.id,
        program_id=world.program.id,
        location_id=world.site_a.id,
        track_id=world.track_a.id,
        primary_counselor_id=world.user("care_counselor").staff_member_id,
        physician_id=world.user("care_physician").staff_member_id,
    )


def enrollment_of(db: Session, patient: Patient) -> Enrollment:
    return db.execute(select(Enrollment).where(Enrollment.patient_id == patient.id)).scalar_one()


NAMES = [
    ("Avery", "Brookstone"),
    ("Blake", "Cinderhall"),
    ("Corin", "Dapplewood"),
    ("Dana", "Emberly"),
    ("Ellis", "Fernsby"),
    ("Finley", "Glimmer"),
    ("Gray", "Hollowell"),
]


@dataclass
class Scene:
    world: World
    session: GroupSession
    enrollments: list[Enrollment] = field(default_factory=list)

    def user(self, persona: str) -> User:
        return self.world.user(persona)

    def staff_id(self, persona: str) -> int:
        staff = self.world.user(persona).staff_member_id
        assert staff is not None
        return staff


def scene(db: Session, *, day: date = WEDNESDAY, extra: int = 2, **session_kw: object) -> Scene:
    """Pat (from the personas) and `extra` more patients on the morning track, one session."""
    world = build_world(db)
    enrollments = [enrollment_of(db, world.patient)]
    enrollments += [enroll(db, world, first, last) for first, last in NAMES[:extra]]
    session = group_session(db, world=world, day=day, **session_kw)
    return Scene(world, session, enrollments)


def actor_for(db: Session, user: User) -> Actor:
    return Actor(security.principal_for(db, user), "web")


def ledger(db: Session, enrollment_id: int, day: date) -> DailyMinutes | None:
    db.expire_all()
    return db.execute(
        select(DailyMinutes).where(
            DailyMinutes.enrollment_id == enrollment_id, DailyMinutes.service_date == day
        )
    ).scalar_one_or_none()
