"""Rows the group-note browser test needs in the seeded clinic: a site of its own with a
facilitator, a morning track of four patients and two past sessions (one per viewport, since a
signed group note cannot be written twice). Called by clinic._build_clinic."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import GroupSession, Organization, Program
from tests import factories as f

NOTES_FACILITATOR = "group.facilitator@example.org"
NOTES_TRACK = "Southside Mornings"
NOTES_ATTENDEES = [
    ("Ivy", "Ashcombe"),
    ("Juniper", "Brackenridge"),
    ("Kestrel", "Coldharbour"),
    ("Linden", "Dewsbury"),
]
# Viewport -> how many days before today its session was held.
SESSION_DAYS_AGO = {"desktop": 1, "phone": 2}


def seed_notes(db: Session, *, org: Organization, program: Program) -> None:
    site = f.location(db, organization_id=org.id, name="Harborlight Southside")
    facilitator = f.staff_account(
        db,
        site=site,
        email=NOTES_FACILITATOR,
        role="counselor",
        first="Marlo",
        last="Penhaligon",
        credentials="LCSW",
    )
    track = f.track(
        db,
        program_id=program.id,
        location_id=site.id,
        name=NOTES_TRACK,
        facilitators=[facilitator],
    )
    for first, last in NOTES_ATTENDEES:
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
            admit_date=clock.today_in(site.time_zone) - timedelta(days=20),
        )
    zone = ZoneInfo(site.time_zone)
    for days_ago in SESSION_DAYS_AGO.values():
        day = clock.today_in(site.time_zone) - timedelta(days=days_ago)
        db.add(
            GroupSession(
                track_id=track.id,
                location_id=site.id,
                facilitator_id=facilitator.id,
                session_date=day,
                starts_at=datetime.combine(day, time(9), tzinfo=zone),
                ends_at=datetime.combine(day, time(12), tzinfo=zone),
                topic="Managing cravings",
            )
        )
    db.flush()
