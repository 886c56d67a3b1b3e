"""A small world with one person per role, used by permission tests.

Two sites. Patient Pat is enrolled at site A with counselor Casey as primary counselor and
Dr. Devi as physician. Other staff sit at site A unless their name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openiop.models import Location, Patient, Program, Track, User
from tests import factories as f


@dataclass
class World:
    site_a: Location
    site_b: Location
    program: Program
    track_a: Track
    patient: Patient  # enrolled at site A
    other_patient: Patient  # enrolled at site B
    users: dict[str, User]

    def user(self, persona: str) -> User:
        return self.users[persona]


def build_world(db: Session) -> World:
    org = f.organization(db)
    site_a = f.location(db, organization_id=org.id, name="Site A")
    site_b = f.location(db, organization_id=org.id, name="Site B")
    program = f.program(db, organization_id=org.id)

    members = {}

    def staff_user(persona: str, role: str, site: Location, credentials: str = "") -> User:
        member = f.staff(
            db,
            organization_id=org.id,
            locations=[site],
            credentials=credentials,
            email=f"{persona}@example.org",
        )
        members[persona] = member
        return f.user(db, role=role, email=f"{persona}@example.org", staff_member_id=member.id)

    users = {
        "care_counselor": staff_user("care_counselor", "counselor", site_a, "LCSW"),
        "care_physician": staff_user("care_physician", "physician", site_a, "MD"),
        "facilitator": staff_user("facilitator", "counselor", site_a, "CADC"),
        "site_counselor": staff_user("site_counselor", "counselor", site_a, "LMFT"),
        "other_site_counselor": staff_user("other_site_counselor", "counselor", site_b, "LCSW"),
        "director": staff_user("director", "program_director", site_a),
        "admissions": staff_user("admissions", "admissions", site_a),
        "billing": staff_user("billing", "billing", site_a),
        "front_desk": staff_user("front_desk", "front_desk", site_a),
        "auditor": f.user(db, role="auditor", email="auditor@example.org"),
        "admin": f.user(db, role="admin", email="admin@example.org"),
    }
    track_a = f.track(
        db, program_id=program.id, location_id=site_a.id, facilitators=[members["facilitator"]]
    )
    patient = f.patient(
        db,
        organization_id=org.id,
        registered_location_id=site_a.id,
        first_name="Pat",
        last_name="Quillfeather",
    )
    f.enrollment(
        db,
        patient_id=patient.id,
        program_id=program.id,
        location_id=site_a.id,
        track_id=track_a.id,
        primary_counselor_id=users["care_counselor"].staff_member_id,
        physician_id=users["care_physician"].staff_member_id,
        diagnosis_codes="F10.20",
        primary_substance="alcohol",
    )
    other = f.patient(
        db,
        organization_id=org.id,
        registered_location_id=site_b.id,
        first_name="Robin",
        last_name="Marrowby",
    )
    f.enrollment(db, patient_id=other.id, program_id=program.id, location_id=site_b.id)
    users["patient"] = f.user(db, role="patient", email="pat@example.org", patient_id=patient.id)
    return World(site_a, site_b, program, track_a, patient, other, users)


def sign_in(client: TestClient, email: str, password: str = f.PASSWORD) -> None:
    """Sign a test client in through the real form (CSRF cookie included)."""
    client.get("/login")
    token = client.cookies.get("openiop_csrf")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient, page: str = "/account") -> str:
    """The CSRF token the signed-in session's forms carry."""
    import re

    html = client.get(page).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on " + page
    return match.group(1)
