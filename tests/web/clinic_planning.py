"""Extra rows the Plan-next-week browser test needs in the seeded clinic: a program director
at the eastside site, two offices, and weekday working hours for the counselor (08:00-17:00)
and the physician (12:00-18:00). Called by clinic._build_clinic."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from openiop.models import Location, StaffMember, StaffWorkingHours
from tests import factories as f

DIRECTOR = "director@example.org"


def seed_planning(
    db: Session, *, site: Location, counselor: StaffMember, physician: StaffMember
) -> None:
    f.staff_account(
        db,
        site=site,
        email=DIRECTOR,
        role="program_director",
        first="Rae",
        last="Okonkwo",
        credentials="LCSW",
    )
    for name in ("Office 1", "Office 2"):
        f.room(db, location_id=site.id, name=name, capacity=2)
    for member, start, end in ((counselor, 8, 17), (physician, 12, 18)):
        for weekday in range(1, 6):
            db.add(
                StaffWorkingHours(
                    staff_member_id=member.id,
                    location_id=site.id,
                    weekday=weekday,
                    start_time=time(start),
                    end_time=time(end),
                )
            )
    db.flush()
