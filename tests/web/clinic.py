"""The small clinic the browser tests run against, seeded once into the live server's database.

Site A holds the counselor's caseload of twelve; site B holds patients the counselor must
never see listed, one of whom also matches the search "quill".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time

from sqlalchemy.orm import Session

from openiop.db import make_engine, session_factory
from openiop.models import Commitment, Patient
from tests import factories as f
from tests.web.clinic_admissions import seed_admissions
from tests.web.clinic_attendance import seed_attendance
from tests.web.clinic_clinical import seed_clinical
from tests.web.clinic_cover import seed_cover
from tests.web.clinic_notes import seed_notes
from tests.web.clinic_planning import seed_planning
from tests.web.clinic_program_week import seed_program_week

COUNSELOR = "counselor@example.org"  # primary counselor of the whole site-A caseload
SITE_COUNSELOR = "site.counselor@example.org"  # at site A, on nobody's care team
WEST_COUNSELOR = "west.counselor@example.org"  # at site B only
# Only the wrong-password test signs in as the front desk, so its failed attempts (one per
# viewport) stay below the back-off threshold.
FRONT_DESK = "frontdesk@example.org"
SITE_A_PATIENTS = [
    ("Pat", "Quillfeather"),
    ("Morgan", "Bramblecott"),
    ("Avery", "Thistlewood"),
    ("Jordan", "Fernsby"),
    ("Riley", "Larkspurr"),
    ("Quinn", "Mossgrove"),
    ("Dana", "Pebbleworth"),
    ("Emery", "Wrenfield"),
    ("Rowan", "Hollowmere"),
    ("Sage", "Tumbledown"),
    ("Harper", "Marigoldson"),
    ("Blake", "Cindervale"),
]
SITE_B_PATIENTS = [("Robin", "Quillmarsh"), ("Casey", "Saltmarrow"), ("Jesse", "Duskwhistle")]


@dataclass(frozen=True)
class Seed:
    """What the tests need to know about the seeded clinic."""

    pat_id: int
    pat_mrn: str
    other_site_ids: dict[str, int]  # last name -> patient id, site B
    other_site_mrns: dict[str, str]


def seed_clinic(url: str) -> Seed:
    """Build the clinic in the (migrated, empty) database at `url` and commit it."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as db:
            seed = _build_clinic(db)
            db.commit()
        return seed
    finally:
        engine.dispose()


def _build_clinic(db: Session) -> Seed:
    org = f.organization(db, name="Harborlight Recovery (demo)")
    site_a = f.location(db, organization_id=org.id, name="Harborlight Eastside")
    site_b = f.location(db, organization_id=org.id, name="Harborlight Westside")
    program = f.program(db, organization_id=org.id, name="Adult Intensive Outpatient")
    room = f.room(db, location_id=site_a.id, name="Group Room 1")

    def staff_account(email: str, role: str, site, first: str, last: str, creds: str):  # type: ignore[no-untyped-def]
        return f.staff_account(
            db, site=site, email=email, role=role, first=first, last=last, credentials=creds
        )

    counselor = staff_account(COUNSELOR, "counselor", site_a, "Casey", "Lindqvist", "LCSW")
    physician = staff_account("physician@example.org", "physician", site_a, "Devi", "Anand", "MD")
    facilitator = f.staff(
        db,
        organization_id=org.id,
        locations=[site_a],
        first_name="Toni",
        last_name="Bellweather",
        credentials="CADC",
    )
    staff_account(FRONT_DESK, "front_desk", site_a, "Frankie", "Deskworth", "")
    staff_account(SITE_COUNSELOR, "counselor", site_a, "Sidney", "Ashgrove", "LMFT")
    west_counselor = staff_account(WEST_COUNSELOR, "counselor", site_b, "Lee", "Westbrook", "LMFT")
    track = f.track(
        db,
        program_id=program.id,
        location_id=site_a.id,
        room_id=room.id,
        name="Weekday Mornings",
        facilitators=[facilitator],
    )

    patients = []
    for n, (first, last) in enumerate(SITE_A_PATIENTS):
        row = f.patient(
            db,
            organization_id=org.id,
            registered_location_id=site_a.id,
            first_name=first,
            last_name=last,
            date_of_birth=date(1970 + n, 1 + n, 3 + n),
            phone=f"(555) 010-01{n:02d}",
            email=f"{last.lower()}@example.org",
        )
        f.enrollment(
            db,
            patient_id=row.id,
            program_id=program.id,
            location_id=site_a.id,
            track_id=track.id,
            primary_counselor_id=counselor.id,
            physician_id=physician.id,
            diagnosis_codes="F10.20",
            primary_substance="alcohol",
        )
        patients.append(row)
    pat = patients[0]
    _fill_in_pat(db, pat, program_id=program.id, location_id=site_a.id)
    seed_planning(db, site=site_a, counselor=counselor, physician=physician)
    seed_attendance(db, org=org, program=program)
    seed_clinical(db, pat=pat, morgan=patients[1], counselor=counselor)
    seed_admissions(db, org=org, program=program)
    seed_notes(db, org=org, program=program)
    seed_program_week(db, org=org, program=program)
    seed_cover(db, org=org, program=program)

    others = {}
    for first, last in SITE_B_PATIENTS:
        row = f.patient(
            db,
            organization_id=org.id,
            registered_location_id=site_b.id,
            first_name=first,
            last_name=last,
        )
        f.enrollment(
            db,
            patient_id=row.id,
            program_id=program.id,
            location_id=site_b.id,
            primary_counselor_id=west_counselor.id,
        )
        others[last] = row
    return Seed(
        pat_id=pat.id,
        pat_mrn=pat.mrn,
        other_site_ids={last: row.id for last, row in others.items()},
        other_site_mrns={last: row.mrn for last, row in others.items()},
    )


def _fill_in_pat(db: Session, pat: Patient, *, program_id: int, location_id: int) -> None:
    """A full face sheet: every section has something to show (and to lay out on a phone)."""
    pat.preferred_name, pat.pronouns, pat.sex_at_birth = "Patch", "they/them", "female"
    pat.address_line1, pat.city, pat.state, pat.postal_code = (
        "12 Lantern Row",
        "Sampleton",
        "CA",
        "94001",
    )
    pat.emergency_contact_name = "Jamie Quillfeather"
    pat.emergency_contact_relationship = "sibling"
    pat.emergency_contact_phone = "(555) 010-0199"
    db.add(
        Commitment(
            patient_id=pat.id,
            kind="work",
            weekday=2,
            start_time=clock_time(13),
            end_time=clock_time(17),
            label="Bakery shift",
        )
    )
    f.enrollment(
        db,
        patient_id=pat.id,
        program_id=program_id,
        location_id=location_id,
        admit_date=date(2025, 3, 3),
        status="discharged",
        discharge_date=date(2025, 5, 30),
        discharge_type="completed",
        primary_substance="alcohol",
        diagnosis_codes="F10.20,F41.1",
    )
    db.flush()
