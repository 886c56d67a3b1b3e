"""Rows the attendance browser test needs in the seeded clinic: a third site with its own
facilitator, an afternoon track of eight patients and today's session of that track.
Called by clinic._build_clinic. A site of its own keeps the other tests' lists unchanged."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import GroupSession, Organization, Program
from tests import factories as f

FACILITATOR = "facilitator@example.org"
TRACK = "Northside Afternoons"
ATTENDEES = [
    ("Alder", "Quenby"),
    ("Briar", "Rookwood"),
    ("Cedar", "Saltonstall"),
    ("Dell", "Tamsworth"),
    ("Elm", "Umberfield"),
    ("Fen", "Vossberg"),
    ("Gale", "Winterbourne"),
    ("Heath", "Yarrowby"),
]


def seed_attendance(db: Session, *, org: Organization, program: Program) -> None:
    site = f.location(db, organization_id=org.id, name="Harborlight Northside")
    room = f.room(db, location_id=site.id, name="North Group Room")
    facilitator = f.staff_account(
        db,
        site=site,
        email=FACILITATOR,
        role="counselor",
        first="Jules",
        last="Marchetti",
        credentials="CADC",
    )
    track = f.track(
        db,
        program_id=program.id,
        location_id=site.id,
        room_id=room.id,
        name=TRACK,
        start_time=time(13),
        end_time=time(16),
        facilitators=[facilitator],
    )
    for first, last in ATTENDEES:
        patient = f.patient(
            db,
            organization_id=org.id,
            registered_location_id=site.id,
            first_name=first,
            last_name=last,
        )
        f.enrollment(
            db,
            patient_id=patient.id,
            program_id=program.id,
            location_id=site.id,
            track_id=track.id,
            primary_counselor_id=facilitator.id,
        )
    _todays_session(
        db,
        track_id=track.id,
        location_id=site.id,
        room_id=room.id,
        facilitator_id=facilitator.id,
        zone=site.time_zone,
    )


def _todays_session(db: Session, *, zone: str, **ids: int) -> None:
    tz = ZoneInfo(zone)
    today = clock.today_in(zone)
    db.add(
        GroupSession(
            session_date=today,
            starts_at=datetime.combine(today, time(13), tzinfo=tz),
            ends_at=datetime.combine(today, time(16), tzinfo=tz),
            topic="Building a relapse-prevention plan",
            **ids,
        )
    )
    db.flush()
