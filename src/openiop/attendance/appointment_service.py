"""Completing individual and physician appointments with the minutes actually delivered.

Who may: Permission.ATTENDANCE_RECORD at the appointment's site, and either the staff member
who held the appointment or a member of the patient's care team (full access). The change
and the ledger row are written in the same transaction; a past day needs a reason.
Functions take keyword arguments and never commit.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.attendance import ledger_service, repository, rules
from openiop.attendance.service import principal_of, zone_of
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import Appointment
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission
from openiop.security.service import Refused, authorize_patient, require


def complete_appointment(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    status: str,
    actual_minutes: str | int | None,
    reason: str | None = None,
) -> Appointment:
    """Mark an appointment completed (with its minutes), no-show or cancelled."""
    require(session, actor, Permission.ATTENDANCE_RECORD, action="appointment.complete")
    appointment = repository.appointment(session, appointment_id)
    if appointment is None:
        raise NotFound(f"No appointment with id {appointment_id}.")
    _authorize(session, actor, appointment)
    zone = zone_of(session, appointment.location_id)
    if appointment.starts_at > clock.now():
        message = "This appointment has not started yet."
        raise ValidationFailed(message, field_errors={"status": message})
    scheduled = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    minutes = rules.appointment_minutes(status, actual_minutes, scheduled)
    after = {"status": status, "actual_minutes": minutes if status == "completed" else None}
    before = {"status": appointment.status, "actual_minutes": appointment.actual_minutes}
    if before == after:
        return appointment
    service_date = appointment.starts_at.astimezone(ZoneInfo(zone)).date()
    reason = rules.checked_reason(reason, service_date, clock.today_in(zone))
    appointment.status, appointment.actual_minutes = status, after["actual_minutes"]
    try:
        repository.flush(session)
    except StaleDataError:
        raise Conflict(
            "Someone else changed this appointment at the same time. Reload it."
        ) from None
    enrollment_id = appointment.enrollment_id or repository.open_enrollment_id(
        session, appointment.patient_id, appointment.location_id
    )
    if reason is not None:
        ledger_service.record_correction(
            session,
            actor=actor,
            patient_id=appointment.patient_id,
            enrollment_id=enrollment_id,
            service_date=service_date,
            object_type="appointment",
            object_id=appointment.id,
            reason=reason,
            before=before,
            after=after,
        )
    if enrollment_id is not None and appointment.kind in repository.LEDGER_KINDS:
        ledger_service.recompute_day(session, enrollment_id=enrollment_id, day=service_date)
    return appointment


def _authorize(session: Session, actor: Actor, appointment: Appointment) -> None:
    principal = principal_of(actor)
    if not principal.at_location(appointment.location_id):
        raise Refused(
            "This appointment is at another site.",
            AuditEntry(
                "appointment.complete",
                "refused",
                patient_id=appointment.patient_id,
                object_type="appointment",
                object_id=appointment.id,
            ),
        )
    # The clinician who held it may record it even when covering for the care team.
    own = principal.staff_member_id == appointment.staff_member_id
    authorize_patient(
        session,
        actor=actor,
        patient_id=appointment.patient_id,
        action="appointment.complete",
        need=Access.LIMITED if own else Access.FULL,
        object_type="appointment",
        object_id=appointment.id,
    )
