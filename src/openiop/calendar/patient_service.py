"""A patient's one-off blocks and scheduling preferences: patient data, audited with them.

Who may: read with Permission.CALENDAR_READ and at least limited access to the patient, or
the patient themselves; change with Permission.APPOINTMENT_WRITE (the people who book) and
the same access. Recurring weekly commitments live in the patient registry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from openiop.calendar import repository as cal_repo
from openiop.calendar import setup_repository as repo
from openiop.kit import clock
from openiop.kit.clock import as_utc
from openiop.kit.errors import NotFound, ValidationFailed
from openiop.models import PatientBlock, SchedulingPreference
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission, Role, can
from openiop.security.service import Refused, access_to_patient

PARTS_OF_DAY = {"morning": "Morning", "afternoon": "Afternoon", "evening": "Evening"}


def authorize(
    session: Session,
    actor: Actor,
    *,
    patient_id: int,
    action: str,
    write: bool,
    object_id: int | None = None,
) -> None:
    """Check and audit one read or change of a patient's scheduling data."""
    principal = actor.principal
    entry = AuditEntry(
        action,
        patient_id=patient_id,
        object_type="patient_schedule",
        object_id=object_id or patient_id,
    )
    if principal is None:
        raise Refused("Sign in first.", replace(entry, outcome="refused"))
    own = principal.role is Role.PATIENT and principal.patient_id == patient_id and not write
    permission = Permission.APPOINTMENT_WRITE if write else Permission.CALENDAR_READ
    allowed = own or (
        can(principal, permission)
        and access_to_patient(session, principal, patient_id) >= Access.LIMITED
    )
    if not allowed:
        raise Refused("This patient is outside your scope.", replace(entry, outcome="refused"))
    audit.record(session, actor, entry)


def blocks(session: Session, *, actor: Actor, patient_id: int) -> list[PatientBlock]:
    authorize(session, actor, patient_id=patient_id, action="patient_block.read", write=False)
    return repo.blocks_from(session, patient_id, clock.now())


def add_block(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    starts_at: datetime | None,
    ends_at: datetime | None,
    label: str | None,
) -> PatientBlock:
    authorize(session, actor, patient_id=patient_id, action="patient_block.create", write=True)
    if starts_at is None or ends_at is None or as_utc(starts_at) >= as_utc(ends_at):
        raise ValidationFailed(
            "Give when the block starts and ends; the end after the start.",
            field_errors={"ends_at": "The end must be after the start."},
        )
    row = PatientBlock(
        patient_id=patient_id,
        starts_at=as_utc(starts_at),
        ends_at=as_utc(ends_at),
        label=(label or "").strip()[:100] or None,
    )
    session.add(row)
    session.flush()
    return row


def remove_block(session: Session, *, actor: Actor, block_id: int) -> int:
    row = repo.block(session, block_id)
    if row is None:
        raise NotFound(f"No blocked time with id {block_id}.")
    authorize(
        session,
        actor,
        patient_id=row.patient_id,
        action="patient_block.delete",
        write=True,
        object_id=row.id,
    )
    patient_id = row.patient_id
    repo.remove(session, row)
    return patient_id


def preference(session: Session, *, actor: Actor, patient_id: int) -> SchedulingPreference:
    """The stored preference, or an unsaved empty one (no preference, no telehealth)."""
    authorize(session, actor, patient_id=patient_id, action="patient_preference.read", write=False)
    found = cal_repo.preference(session, patient_id)
    return found or SchedulingPreference(
        patient_id=patient_id, preferred_weekdays="", telehealth_ok=False
    )


def save_preference(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    weekdays: list[str],
    part_of_day: str | None,
    telehealth_ok: bool,
    note: str | None,
) -> SchedulingPreference:
    authorize(session, actor, patient_id=patient_id, action="patient_preference.update", write=True)
    problems = {}
    if any(d not in "1234567" or len(d) != 1 for d in weekdays):
        problems["preferred_weekdays"] = "Choose days of the week."
    if part_of_day and part_of_day not in PARTS_OF_DAY:
        problems["part_of_day"] = "Choose morning, afternoon or evening."
    if note and len(note.strip()) > 200:
        problems["note"] = "Keep the note under 200 characters."
    if problems:
        raise ValidationFailed(
            "Please correct: " + " ".join(problems.values()), field_errors=problems
        )
    row = cal_repo.preference(session, patient_id)
    if row is None:
        row = SchedulingPreference(patient_id=patient_id)
        session.add(row)
    row.preferred_weekdays = "".join(sorted(set(weekdays)))
    row.part_of_day = part_of_day or None
    row.telehealth_ok = telehealth_ok
    row.note = (note or "").strip() or None
    session.flush()
    return row
