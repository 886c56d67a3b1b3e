"""What the booking form offers: the site's enrolled patients, staff and rooms.

Listing patients discloses who is in treatment, so each one listed is audited, as the
patient registry's search does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openiop.calendar import repository as cal_repo
from openiop.calendar import setup_repository as setup_repo
from openiop.calendar import views_repository as repo
from openiop.calendar.service import authorize_at
from openiop.models import Patient, Room, StaffMember
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission
from openiop.security.service import Refused, require


@dataclass
class Choices:
    patients: list[Patient]
    staff: list[StaffMember]
    rooms: list[Room]
    primary_counselor_id: int | None = None  # the fixed patient's, to preselect


def choices(
    session: Session, *, actor: Actor, location_id: int, patient_id: int | None = None
) -> Choices:
    require(session, actor, Permission.APPOINTMENT_WRITE, action="appointment.form")
    principal = actor.principal
    assert principal is not None
    if not principal.at_location(location_id):
        raise Refused(
            "That location is outside your sites.",
            AuditEntry(
                "appointment.form", "refused", object_type="location", object_id=location_id
            ),
        )
    if patient_id is not None:
        authorize_at(
            session,
            actor,
            location_id=location_id,
            patient_id=patient_id,
            action="appointment.form",
        )
        patients = [p for p in [session.get(Patient, patient_id)] if p is not None]
        audit.record(session, actor, AuditEntry("appointment.form", patient_id=patient_id))
    else:
        patients = repo.enrolled_patients(session, location_id)
        audit.record_many(
            session,
            actor,
            (
                AuditEntry(
                    "appointment.form", patient_id=p.id, object_type="patient", object_id=p.id
                )
                for p in patients
            ),
        )
    staff = setup_repo.staff_at(session, frozenset({location_id}))
    counselor = None
    if patient_id is not None:
        here = [
            e
            for e in cal_repo.open_enrollments(session, patient_id)
            if e.location_id == location_id
        ]
        counselor = here[0].primary_counselor_id if here else None
    return Choices(patients, staff, repo.rooms_at(session, location_id), counselor)
