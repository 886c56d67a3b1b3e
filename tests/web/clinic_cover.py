"""Rows the covering-facilitator browser test needs in the seeded clinic: a site of its own
with a program director, the track's usual facilitator, a counselor on time off all day (the
clash) and a free counselor with a sign-in (the stand-in), and two groups today, one per
viewport, since a covered session cannot be covered by the same person twice.
Called by clinic._build_clinic. A site of its own keeps the other tests' lists unchanged."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import GroupSession, Organization, Program, StaffTimeOff
from tests import factories as f

COVER_DIRECTOR = "cover.director@example.org"
STAND_IN = "cover.standin@example.org"
STAND_IN_NAME = "Ines Marwood"
USUAL = "Noor Halloway"
BUSY = "Wren Castellane"
BUSY_WHY = "training"
# Viewport -> (track, start hour, end hour) of its group today.
COVER_TRACKS = {"desktop": ("Uptown Mornings", 9, 12), "phone": ("Uptown Evenings", 17, 20)}


def seed_cover(db: Session, *, org: Organization, program: Program) -> None:
    site = f.location(db, organization_id=org.id, name="Harborlight Uptown")
    room = f.room(db, location_id=site.id, name="Uptown Group Room")
    f.staff_account(
        db,
        site=site,
        email=COVER_DIRECTOR,
        role="program_director",
        first="Odile",
        last="Brannock",
        credentials="",
    )
    usual = f.staff(
        db,
        organization_id=org.id,
        locations=[site],
        first_name="Noor",
        last_name="Halloway",
        credentials="CADC",
    )
    busy = f.staff(
        db,
        organization_id=org.id,
        locations=[site],
        first_name="Wren",
        last_name="Castellane",
        credentials="LMFT",
    )
    first, last = STAND_IN_NAME.split()
    f.staff_account(
        db, site=site, email=STAND_IN, role="counselor", first=first, last=last, credentials="LPCC"
    )
    zone = ZoneInfo(site.time_zone)
    today = clock.today_in(site.time_zone)
    db.add(
        StaffTimeOff(
            staff_member_id=busy.id,
            starts_at=datetime.combine(today, time(7), tzinfo=zone),
            ends_at=datetime.combine(today, time(21), tzinfo=zone),
            reason=BUSY_WHY,
        )
    )
    for name, start, end in COVER_TRACKS.values():
        track = f.track(
            db,
            program_id=program.id,
            location_id=site.id,
            room_id=room.id,
            name=name,
            start_time=time(start),
            end_time=time(end),
            facilitators=[usual],
        )
        db.add(
            GroupSession(
                track_id=track.id,
                location_id=site.id,
                session_date=today,
                starts_at=datetime.combine(today, time(start), tzinfo=zone),
                ends_at=datetime.combine(today, time(end), tzinfo=zone),
                topic="Managing cravings",
                facilitator_id=usual.id,
                room_id=room.id,
            )
        )
    db.flush()
