"""Rows the program-week browser test needs: for each viewport a site of its own with a
facilitator (primary counselor of all eight, and their track's facilitator: on every care
team), an afternoon track of eight patients and today's session of that track. One site per
viewport because a signed group note cannot be written twice. Called by clinic._build_clinic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import GroupSession, Organization, Program
from tests import factories as f


@dataclass(frozen=True)
class WeekSite:
    site: str
    facilitator: str  # the facilitator's sign-in email
    track: str
    attendees: tuple[tuple[str, str], ...]  # (first, last)
    late: str  # "First Last" of the attendee who comes in at 13:20
    absent: str  # "First Last" of the one who does not come


PROGRAM_WEEK = {
    "desktop": WeekSite(
        site="Harborlight Bayview",
        facilitator="bayview.facilitator@example.org",
        track="Bayview Afternoons",
        attendees=(
            ("Anselm", "Brightwater"),
            ("Bryony", "Copperfield"),
            ("Caspian", "Dunmore"),
            ("Delphine", "Elsworth"),
            ("Evander", "Foxhollow"),
            ("Fenna", "Greystoke"),
            ("Gideon", "Hawthorne"),
            ("Honora", "Ingleby"),
        ),
        late="Bryony Copperfield",
        absent="Fenna Greystoke",
    ),
    "phone": WeekSite(
        site="Harborlight Hillcrest",
        facilitator="hillcrest.facilitator@example.org",
        track="Hillcrest Afternoons",
        attendees=(
            ("Isolde", "Jessamine"),
            ("Jasper", "Kittredge"),
            ("Kerensa", "Lowther"),
            ("Lorcan", "Merriweather"),
            ("Maelis", "Northcote"),
            ("Nevin", "Oakhurst"),
            ("Orla", "Pendleford"),
            ("Perrin", "Quarrington"),
        ),
        late="Jasper Kittredge",
        absent="Nevin Oakhurst",
    ),
}


def seed_program_week(db: Session, *, org: Organization, program: Program) -> None:
    for week_site in PROGRAM_WEEK.values():
        _seed_site(db, org=org, program=program, spec=week_site)


def _seed_site(db: Session, *, org: Organization, program: Program, spec: WeekSite) -> None:
    site = f.location(db, organization_id=org.id, name=spec.site)
    room = f.room(db, location_id=site.id, name=f"{spec.site} Group Room")
    first, last = spec.site.split()[-1], "Facilitator"
    facilitator = f.staff_account(
        db,
        site=site,
        email=spec.facilitator,
        role="counselor",
        first=first,
        last=last,
        credentials="LCSW",  # signs alone: no co-signature
    )
    track = f.track(
        db,
        program_id=program.id,
        location_id=site.id,
        room_id=room.id,
        name=spec.track,
        start_time=time(13),
        end_time=time(16),
        facilitators=[facilitator],
    )
    today = clock.today_in(site.time_zone)
    for first_name, last_name in spec.attendees:
        patient = f.patient(
            db,
            organization_id=org.id,
            registered_location_id=site.id,
            first_name=first_name,
            last_name=last_name,
        )
        f.enrollment(
            db,
            patient_id=patient.id,
            program_id=program.id,
            location_id=site.id,
            track_id=track.id,
            primary_counselor_id=facilitator.id,
            admit_date=today - timedelta(days=14),
        )
    zone = ZoneInfo(site.time_zone)
    db.add(
        GroupSession(
            track_id=track.id,
            location_id=site.id,
            room_id=room.id,
            facilitator_id=facilitator.id,
            session_date=today,
            starts_at=datetime.combine(today, time(13), tzinfo=zone),
            ends_at=datetime.combine(today, time(16), tzinfo=zone),
            topic="Repairing trust at home",
        )
    )
    db.flush()
