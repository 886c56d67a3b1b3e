"""Appointments: create, move, cancel, complete. Keyword-only inputs; never commits.

Who may: Permission.APPOINTMENT_WRITE at the appointment's location, with at least the
limited (face-sheet) access to the patient that scheduling needs. Every create and move is
checked against the hard rules (conflicts.check_appointment) and refused with the clashing
items named — before anything is written. Every read and change is audited with the patient.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.attendance import appointment_service
from openiop.calendar import repository as repo
from openiop.calendar import rules
from openiop.calendar.conflicts import Slot, check_appointment
from openiop.kit import clock
from openiop.kit.clock import as_utc
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import Appointment
from openiop.scheduling.problem import KINDS
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission, Principal, can
from openiop.security.service import Refused, access_to_patient, require

LATE_CANCEL_HOURS = 24  # a cancellation closer to the start than this is a late cancellation


class ScheduleConflict(Conflict):
    """409: the time collides with something already on a calendar; the message names it."""

    title = "Scheduling conflict"

    def __init__(self, conflicts: list[rules.Conflict]) -> None:
        super().__init__(rules.summary(conflicts), field_errors=rules.field_errors(conflicts))
        self.conflicts = conflicts


def refuse_unless_placeable(session: Session, slot: Slot) -> None:
    """Raise 422 for impossible input and 409 for clashes; return when the slot is free."""
    found = check_appointment(session, slot)
    shape = [c for c in found if c.code == "shape"]
    if shape:
        raise ValidationFailed(
            "Please correct: " + " ".join(c.message for c in shape),
            field_errors=rules.field_errors(shape),
        )
    if found:
        raise ScheduleConflict(found)


# ---- access ---------------------------------------------------------------------------


def authorize_at(
    session: Session, actor: Actor, *, location_id: int, patient_id: int, action: str
) -> Access:
    """Permission, site and patient checks for a change; refusals carry their audit entry."""
    require(session, actor, Permission.APPOINTMENT_WRITE, action=action)
    principal = actor.principal
    assert principal is not None
    refused = AuditEntry(action, "refused", patient_id=patient_id, object_type="appointment")
    if not principal.at_location(location_id):
        raise Refused("That location is outside your sites.", replace(refused, detail="location"))
    access = access_to_patient(session, principal, patient_id)
    if access < Access.LIMITED:
        raise Refused("This patient is outside your scope.", refused)
    return access


def record(session: Session, actor: Actor, action: str, row: Appointment, detail: str) -> None:
    entry = AuditEntry(
        action,
        patient_id=row.patient_id,
        object_type="appointment",
        object_id=row.id,
        detail=detail,
    )
    audit.record(session, actor, entry)


# ---- use cases ------------------------------------------------------------------------


def _minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def end_of(start: datetime, ends_at: datetime | None, minutes: int | None, kind: str) -> datetime:
    if ends_at is not None:
        return as_utc(ends_at)
    length = minutes if minutes is not None else KINDS[kind].minutes if kind in KINDS else 0
    return as_utc(start) + timedelta(minutes=length)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise ValidationFailed(
            f"Unknown appointment kind '{kind}'.", field_errors={"kind": f"Choose one of: {known}."}
        )


def create_appointment(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    staff_member_id: int,
    location_id: int,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    minutes: int | None = None,
    room_id: int | None = None,
    telehealth: bool = False,
    plan_run_id: int | None = None,
) -> Appointment:
    """Book one appointment, refused (409) if it collides with anything on any calendar.

    Give `ends_at` or `minutes`; without either the kind's usual length is used."""
    authorize_at(
        session, actor, location_id=location_id, patient_id=patient_id, action="appointment.create"
    )
    _check_kind(kind)
    end = end_of(starts_at, ends_at, minutes, kind)
    slot = Slot(
        patient_id, staff_member_id, location_id, kind, as_utc(starts_at), end, telehealth, room_id
    )
    refuse_unless_placeable(session, slot)
    row = Appointment(
        patient_id=patient_id,
        enrollment_id=_enrollment_at(session, patient_id, location_id),
        staff_member_id=staff_member_id,
        location_id=location_id,
        kind=kind,
        starts_at=slot.starts_at,
        ends_at=end,
        room_id=None if telehealth else room_id,
        telehealth=telehealth,
        covering=_covering(session, patient_id, location_id, staff_member_id, kind),
        plan_run_id=plan_run_id,
        created_by_user_id=actor.principal.user_id if actor.principal else None,
    )
    repo.add(session, row)
    record(session, actor, "appointment.create", row, f"{kind} {slot.starts_at.isoformat()}")
    return row


def _enrollment_at(session: Session, patient_id: int, location_id: int) -> int | None:
    here = [e for e in repo.open_enrollments(session, patient_id) if e.location_id == location_id]
    return here[0].id if here else None


def _covering(
    session: Session, patient_id: int, location_id: int, staff_id: int, kind: str
) -> bool:
    """A counseling appointment held by someone other than the primary counselor."""
    if kind not in KINDS or not KINDS[kind].with_counselor:
        return False
    here = [e for e in repo.open_enrollments(session, patient_id) if e.location_id == location_id]
    primary = here[0].primary_counselor_id if here else None
    return primary is not None and primary != staff_id


def get_appointment(session: Session, *, actor: Actor, appointment_id: int) -> Appointment:
    """Read one appointment: calendar readers at its site, or the patient themselves."""
    row = repo.appointment(session, appointment_id)
    if row is None:
        raise NotFound(f"No appointment with id {appointment_id}.")
    principal = actor.principal
    entry = AuditEntry(
        "appointment.read", patient_id=row.patient_id, object_type="appointment", object_id=row.id
    )
    own = principal is not None and principal.patient_id == row.patient_id
    may = principal is not None and (
        own
        or (
            principal.role.value != "patient"
            and _can_read(principal)
            and principal.at_location(row.location_id)
            and access_to_patient(session, principal, row.patient_id) >= Access.LIMITED
        )
    )
    if not may:
        raise Refused("This appointment is outside your scope.", replace(entry, outcome="refused"))
    audit.record(session, actor, entry)
    return row


def _can_read(principal: Principal) -> bool:
    return can(principal, Permission.CALENDAR_READ)


def _writable(
    session: Session, actor: Actor, appointment_id: int, version: int, action: str
) -> Appointment:
    row = repo.appointment(session, appointment_id)
    if row is None:
        raise NotFound(f"No appointment with id {appointment_id}.")
    authorize_at(
        session, actor, location_id=row.location_id, patient_id=row.patient_id, action=action
    )
    if row.version != version:
        raise Conflict(
            "This appointment was changed by someone else since you opened it. Reload it and "
            "try again."
        )
    return row


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "This appointment was changed by someone else while you were saving."
        ) from None


def move_appointment(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    version: int,
    starts_at: datetime,
    ends_at: datetime | None = None,
    minutes: int | None = None,
    staff_member_id: int | None = None,
    room_id: int | None = None,
    telehealth: bool | None = None,
) -> Appointment:
    """Move (and optionally re-assign) a scheduled appointment, checked like a new one."""
    row = _writable(session, actor, appointment_id, version, "appointment.move")
    if row.status != "scheduled":
        raise ValidationFailed(
            f"Only a scheduled appointment can be moved; this one is {row.status}.",
            field_errors={"starts_at": "This appointment is no longer scheduled."},
        )
    length = (
        minutes
        if minutes is not None
        else _minutes_between(as_utc(row.starts_at), as_utc(row.ends_at))
    )
    tele = row.telehealth if telehealth is None else telehealth
    slot = Slot(
        patient_id=row.patient_id,
        staff_member_id=staff_member_id or row.staff_member_id,
        location_id=row.location_id,
        kind=row.kind,
        starts_at=as_utc(starts_at),
        ends_at=end_of(starts_at, ends_at, length, row.kind),
        telehealth=tele,
        room_id=None if tele else (room_id if room_id is not None else row.room_id),
        exclude_id=row.id,
    )
    refuse_unless_placeable(session, slot)
    before = as_utc(row.starts_at).isoformat()
    row.starts_at, row.ends_at = slot.starts_at, slot.ends_at
    row.staff_member_id, row.room_id, row.telehealth = slot.staff_member_id, slot.room_id, tele
    row.covering = _covering(
        session, row.patient_id, row.location_id, slot.staff_member_id, row.kind
    )
    _flush(session)
    record(session, actor, "appointment.move", row, f"{before} → {slot.starts_at.isoformat()}")
    return row


def cancel_appointment(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    version: int,
    reason: str,
    late: bool | None = None,
) -> Appointment:
    """Cancel with a reason. `late` None decides by the clock: within 24 h is late."""
    row = _writable(session, actor, appointment_id, version, "appointment.cancel")
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(
            "Say why the appointment is cancelled.",
            field_errors={"reason": "Give a reason (up to 200 characters)."},
        )
    if row.status != "scheduled":
        raise ValidationFailed(
            f"This appointment is already {row.status}.",
            field_errors={"reason": "Only a scheduled appointment can be cancelled."},
        )
    if late is None:
        late = as_utc(row.starts_at) - clock.now() < timedelta(hours=LATE_CANCEL_HOURS)
    row.status = "late_cancelled" if late else "cancelled"
    row.cancel_reason = reason
    _flush(session)
    record(session, actor, "appointment.cancel", row, f"{row.status}: {reason}")
    return row


def complete_appointment(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    version: int,
    outcome: str,
    actual_minutes: int | None = None,
    reason: str | None = None,
) -> Appointment:
    """Record what happened: held (with the minutes delivered) or a no-show.

    The attendance area owns this change, because it also updates the minutes ledger that
    compliance and billing read (and asks for a reason when the day is past); this only adds
    the calendar's optimistic-locking check in front of it."""
    row = repo.appointment(session, appointment_id)
    if row is None:
        raise NotFound(f"No appointment with id {appointment_id}.")
    if row.version != version:
        raise Conflict("This appointment was changed by someone else since you opened it.")
    if outcome not in ("completed", "no_show"):
        raise ValidationFailed(
            "Say whether it was held or missed.",
            field_errors={"outcome": "Choose held or no-show."},
        )
    return appointment_service.complete_appointment(
        session,
        actor=actor,
        appointment_id=appointment_id,
        status=outcome,
        actual_minutes=actual_minutes,
        reason=reason,
    )


__all__ = [
    "ScheduleConflict",
    "Slot",
    "cancel_appointment",
    "check_appointment",
    "complete_appointment",
    "create_appointment",
    "get_appointment",
    "move_appointment",
    "refuse_unless_placeable",
]
