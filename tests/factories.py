"""Factory functions with keyword defaults: each builds one valid row and flushes it."""

from __future__ import annotations

import itertools
from datetime import date, time
from decimal import Decimal

from sqlalchemy.orm import Session

from openiop.kit.identifiers import npi_with_check_digit
from openiop.models import (
    Enrollment,
    Location,
    Organization,
    Patient,
    Program,
    Room,
    StaffMember,
    Track,
    User,
)
from openiop.security.passwords import hash_password

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


def _n() -> int:
    return next(_seq)


def organization(db: Session, **kw) -> Organization:  # type: ignore[no-untyped-def]
    row = Organization(**{"name": "Test Recovery Services", **kw})
    db.add(row)
    db.flush()
    return row


def location(db: Session, *, organization_id: int | None = None, **kw) -> Location:  # type: ignore[no-untyped-def]
    n = _n()
    org_id = organization_id or organization(db).id
    row = Location(
        **{
            "organization_id": org_id,
            "code": f"LOC{n}",
            "name": f"Test Site {n}",
            "address_line1": f"{n} Example Way",
            "city": "Sampleton",
            "state": "CA",
            "postal_code": "94000",
            "time_zone": "America/Los_Angeles",
            "npi": npi_with_check_digit(f"1{n:08d}"),
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row


def room(db: Session, *, location_id: int, **kw) -> Room:  # type: ignore[no-untyped-def]
    row = Room(**{"location_id": location_id, "name": f"Room {_n()}", "capacity": 12, **kw})
    db.add(row)
    db.flush()
    return row


def program(db: Session, *, organization_id: int, **kw) -> Program:  # type: ignore[no-untyped-def]
    n = _n()
    row = Program(
        **{"organization_id": organization_id, "code": f"IOP{n}", "name": f"Adult IOP {n}", **kw}
    )
    db.add(row)
    db.flush()
    return row


def track(db: Session, *, program_id: int, location_id: int, facilitators=(), **kw) -> Track:  # type: ignore[no-untyped-def]
    row = Track(
        **{
            "program_id": program_id,
            "location_id": location_id,
            "name": f"Morning {_n()}",
            "weekdays": "12345",
            "start_time": time(9),
            "end_time": time(12),
            **kw,
        }
    )
    row.facilitators = list(facilitators)
    db.add(row)
    db.flush()
    return row


def staff(db: Session, *, organization_id: int, locations=(), **kw) -> StaffMember:  # type: ignore[no-untyped-def]
    n = _n()
    row = StaffMember(
        **{
            "organization_id": organization_id,
            "first_name": "Sam",
            "last_name": f"Staffer{n}",
            "email": f"staff{n}@example.org",
            "credentials": "LCSW",
            "caseload_cap": 20,
            "weekly_hours": Decimal("40"),
            **kw,
        }
    )
    row.locations = list(locations)
    db.add(row)
    db.flush()
    return row


def staff_account(  # type: ignore[no-untyped-def]
    db: Session, *, site, email: str, role: str, first: str, last: str, credentials: str
) -> StaffMember:
    """A staff member at one site with a sign-in of the given role (password PASSWORD)."""
    member = staff(
        db,
        organization_id=site.organization_id,
        locations=[site],
        email=email,
        first_name=first,
        last_name=last,
        credentials=credentials,
    )
    user(db, role=role, email=email, display_name=f"{first} {last}", staff_member_id=member.id)
    return member


def patient(db: Session, *, organization_id: int, registered_location_id: int, **kw) -> Patient:  # type: ignore[no-untyped-def]
    n = _n()
    row = Patient(
        **{
            "organization_id": organization_id,
            "registered_location_id": registered_location_id,
            "mrn": f"T{n:06d}",
            "first_name": "Pat",
            "last_name": f"Example{n}",
            "date_of_birth": date(1985, 4, 12),
            "phone": "(555) 010-0100",
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row


def enrollment(
    db: Session, *, patient_id: int, program_id: int, location_id: int, **kw
) -> Enrollment:  # type: ignore[no-untyped-def]
    row = Enrollment(
        **{
            "patient_id": patient_id,
            "program_id": program_id,
            "location_id": location_id,
            "admit_date": date(2026, 11, 2),
            "status": "active",
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row


def user(db: Session, *, role: str, email: str | None = None, **kw) -> User:  # type: ignore[no-untyped-def]
    n = _n()
    row = User(
        **{
            "email": email or f"{role}{n}@example.org",
            "display_name": f"{role.title()} {n}",
            "role": role,
            "password_hash": _PASSWORD_HASH,
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row


def inquiry(db: Session, **kw):  # type: ignore[no-untyped-def]
    """An inquiry as the public form stores it (stage "new", no owner)."""
    from openiop.models import Inquiry

    n = _n()
    row = Inquiry(
        **{
            "name": f"Wren Inquirer{n}",
            "caller_relationship": "self",
            "contact_method": "phone",
            "phone": f"(555) 010-01{n % 100:02d}",
            "email": f"inquirer{n}@example.org",
            "substances": "alcohol",
            "consent_to_contact": True,
            "idempotency_key": f"test-inquiry-key-{n:08d}-xxxx",
            **kw,
        }
    )
    db.add(row)
    db.flush()
    return row
