"""Rows the admissions journey needs in the seeded clinic: a site of its own (so the patient it
admits changes no other test's caseload or roster) with a morning and an evening track, a
counselor, a physician and an admissions coordinator."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from tests import factories as f

SOUTH_SITE = "Harborlight Southside"
ADMISSIONS = "intake.south@example.org"
SOUTH_COUNSELOR = "counselor.south@example.org"
SOUTH_COUNSELOR_NAME = "Marisol Quintero"
SOUTH_PHYSICIAN_NAME = "Tobias Renn"
MORNINGS, EVENINGS = "Southside Mornings", "Southside Evenings"


def seed_admissions(db: Session, *, org, program) -> None:  # type: ignore[no-untyped-def]
    site = f.location(db, organization_id=org.id, name=SOUTH_SITE)

    def account(email: str, role: str, first: str, last: str, creds: str):  # type: ignore[no-untyped-def]
        return f.staff_account(
            db, site=site, email=email, role=role, first=first, last=last, credentials=creds
        )

    account(ADMISSIONS, "admissions", "Noor", "Haddad", "")
    account(SOUTH_COUNSELOR, "counselor", "Marisol", "Quintero", "LCSW")
    account("physician.south@example.org", "physician", "Tobias", "Renn", "MD")
    f.track(db, program_id=program.id, location_id=site.id, name=MORNINGS)
    f.track(db, program_id=program.id, location_id=site.id, name=EVENINGS,
            start_time=time(18), end_time=time(21))  # fmt: skip
