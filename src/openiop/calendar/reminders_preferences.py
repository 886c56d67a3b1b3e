"""A patient's choice about email reminders, and the reminders sent to them.

Who may do what:
- see the choice and recent reminders: the patient, and staff with any access to the patient
  (site staff see the face sheet; staff at other sites, auditors and other patients do not);
- change it: the patient, the care team (full access), or staff whose role may update patient
  details (front desk, admissions, directors, administrators) at the patient's site.
Reminders go only to patients who opted in and have an email address on file.
Functions take keyword arguments and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openiop.calendar import reminders_repository as repository
from openiop.kit.errors import ValidationFailed
from openiop.models import Reminder, ReminderPreference
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission, Role, can
from openiop.security.service import Refused, authorize_patient


@dataclass(frozen=True)
class ReminderSettings:
    patient_id: int
    patient_name: str
    email: str | None
    email_opt_in: bool
    group_days: bool
    may_change: bool
    recent: list[Reminder]


def view(session: Session, *, actor: Actor, patient_id: int) -> ReminderSettings:
    access = authorize_patient(session, actor=actor, patient_id=patient_id, action="reminders.view")
    return _settings(session, patient_id, may_change=_may_change(actor, access))


def change(
    session: Session, *, actor: Actor, patient_id: int, email_opt_in: bool, group_days: bool
) -> ReminderSettings:
    access = authorize_patient(
        session, actor=actor, patient_id=patient_id, action="reminders.change"
    )
    if not _may_change(actor, access):
        raise Refused(
            "Your role may not change a patient's reminder choices.",
            AuditEntry("reminders.change", "refused", patient_id=patient_id),
        )
    patient = repository.patient(session, patient_id)
    assert patient is not None  # authorize_patient raised NotFound otherwise
    if email_opt_in and not patient.email:
        raise ValidationFailed(
            "Email reminders need an email address on file.",
            field_errors={"email_opt_in": "Add an email address to the patient's details first."},
        )
    _store(session, actor, patient_id, email_opt_in=email_opt_in, group_days=group_days)
    return _settings(session, patient_id, may_change=True)


def _may_change(actor: Actor, access: Access) -> bool:
    principal = actor.principal
    if principal is None:
        return False
    if principal.role is Role.PATIENT or access is Access.FULL:
        return True
    return can(principal, Permission.PATIENT_UPDATE)


def _store(
    session: Session, actor: Actor, patient_id: int, *, email_opt_in: bool, group_days: bool
) -> None:
    row = repository.preference(session, patient_id)
    if row is None:
        row = ReminderPreference(patient_id=patient_id)
        session.add(row)
    row.email_opt_in = email_opt_in
    # Group-day reminders are a refinement of email reminders, never on without them.
    row.group_days = group_days and email_opt_in
    row.updated_by_user_id = actor.principal.user_id if actor.principal else None
    session.flush()


def _settings(session: Session, patient_id: int, *, may_change: bool) -> ReminderSettings:
    patient = repository.patient(session, patient_id)
    assert patient is not None
    row = repository.preference(session, patient_id)
    return ReminderSettings(
        patient_id=patient_id,
        patient_name=patient.full_name,
        email=patient.email,
        email_opt_in=bool(row and row.email_opt_in),
        group_days=bool(row and row.group_days),
        may_change=may_change,
        recent=repository.patient_reminders(session, patient_id),
    )
