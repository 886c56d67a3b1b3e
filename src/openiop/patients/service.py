"""Use cases of the patient registry: find patients, read a face sheet, register and edit
demographics and weekly commitments. Functions take keyword arguments and never commit.

Who may do what:
- list: Permission.PATIENT_LIST, only patients registered or enrolled at the actor's sites.
- read: security.service.authorize_patient decides LIMITED or FULL (and audits).
- register: Permission.PATIENT_CREATE, at one of the actor's sites.
- edit: Permission.PATIENT_UPDATE plus access to the patient. Front desk may change the
  contact and emergency-contact fields only (rules.CONTACT_FIELDS), and not commitments:
  identity and schedule changes are checked by admissions or a director.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openiop.config import get_settings
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.kit.pagination import Page, PageRequest
from openiop.models import Commitment, Enrollment, Location, Patient
from openiop.patients import repository, rules
from openiop.patients.enrollment_rules import OPEN_STATUSES
from openiop.patients.schemas import (
    Clinical,
    CommitmentOut,
    EnrollmentDetail,
    EnrollmentSummary,
    FaceSheet,
    PatientListItem,
    PatientOut,
)
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission, Principal, Role, may_break_glass
from openiop.security.service import Refused, authorize_patient, require

MRN_PREFIX, MRN_DIGITS = "M", 6
CHANGED_ELSEWHERE = "This record was changed by someone else since you opened it."


def today() -> date:
    return clock.today_in(get_settings().default_time_zone)


def principal_of(actor: Actor) -> Principal:
    assert actor.principal is not None  # every caller has passed require/authorize first
    return actor.principal


# ---- finding patients -------------------------------------------------------------------


def list_patients(
    session: Session, *, actor: Actor, query: str, page: PageRequest
) -> Page[PatientListItem]:
    require(session, actor, Permission.PATIENT_LIST, action="patient.list")
    try:
        search = rules.parse_search(query)
    except rules.RuleError as error:
        raise ValidationFailed(str(error), field_errors={"q": str(error)}) from None
    scope = principal_of(actor).location_ids
    total = repository.count_patients(session, search=search, location_ids=scope)
    rows = (
        repository.search_patients(
            session, search=search, location_ids=scope, offset=page.offset, limit=page.size
        )
        if total
        else []
    )
    items = [_list_item(*row) for row in rows]
    _audit_list(session, actor, items, page)
    return Page(items, total, page)


def _list_item(
    patient: Patient, site: str | None, track: str | None, status: str | None
) -> PatientListItem:
    return PatientListItem(
        id=patient.id,
        mrn=patient.mrn,
        first_name=patient.first_name,
        last_name=patient.last_name,
        preferred_name=patient.preferred_name,
        date_of_birth=patient.date_of_birth,
        location_name=site,
        track_name=track,
        status=status,
    )


def _audit_list(
    session: Session, actor: Actor, items: list[PatientListItem], page: PageRequest
) -> None:
    # One event per patient shown, not one per page: a list row discloses name, MRN and date
    # of birth, and the trail is searched by patient ("who saw my record"), which only
    # works when each disclosure carries its patient_id. An empty search is still recorded.
    detail = f"page={page.page}"
    if not items:
        audit.record(session, actor, AuditEntry("patient.list", detail=detail + " none shown"))
        return
    audit.record_many(
        session,
        actor,
        (
            AuditEntry(
                "patient.list",
                patient_id=item.id,
                object_type="patient",
                object_id=item.id,
                detail=detail,
            )
            for item in items
        ),
    )


# ---- the face sheet ---------------------------------------------------------------------


def face_sheet(
    session: Session, *, actor: Actor, patient_id: int, action: str = "patient.read"
) -> FaceSheet:
    """The record as far as the actor may see it; the clinical part only with FULL access."""
    access = authorize_patient(session, actor=actor, patient_id=patient_id, action=action)
    patient = repository.patient_record(session, patient_id)
    if patient is None:  # pragma: no cover - authorize_patient has already said 404
        raise NotFound(f"No patient with id {patient_id}.")
    return _sheet(session, actor, patient, access)


def _sheet(session: Session, actor: Actor, patient: Patient, access: Access) -> FaceSheet:
    location = repository.location(session, patient.registered_location_id)
    zone = location.time_zone if location else get_settings().default_time_zone
    current = current_enrollment(patient.enrollments)
    full = access >= Access.FULL
    return FaceSheet(
        access="full" if full else "limited",
        patient=PatientOut.of(
            patient, age=rules.age_on(patient.date_of_birth, clock.today_in(zone))
        ),
        current_enrollment=EnrollmentSummary.of(current) if current else None,
        commitments=[CommitmentOut.of(row) for row in patient.commitments],
        clinical=Clinical(enrollments=[EnrollmentDetail.of(e) for e in patient.enrollments])
        if full
        else None,
        emergency_access_until=_grant_expiry(session, actor, patient.id),
        time_zone=zone,
    )


def current_enrollment(enrollments: list[Enrollment]) -> Enrollment | None:
    open_ones = [e for e in enrollments if e.status in OPEN_STATUSES]
    return max(open_ones, key=lambda e: (e.admit_date, e.id)) if open_ones else None


def _grant_expiry(session: Session, actor: Actor, patient_id: int):  # type: ignore[no-untyped-def]
    principal = actor.principal
    if principal is None or principal.role is Role.PATIENT:
        return None
    return repository.active_grant_expiry(session, principal.user_id, patient_id, clock.now())


# ---- registering and editing ------------------------------------------------------------


def editable_fields(principal: Principal) -> tuple[str, ...]:
    if principal.role is Role.FRONT_DESK:
        return rules.CONTACT_FIELDS
    return rules.PATIENT_FIELDS


def may_edit_commitments(principal: Principal) -> bool:
    return principal.role is not Role.FRONT_DESK


def registration_sites(
    session: Session, *, actor: Actor, keep: int | None = None
) -> list[Location]:
    """The actor's sites, plus `keep` (a patient's current site) so an edit form can show it."""
    sites = repository.locations(session, principal_of(actor).location_ids)
    if keep is not None and keep not in {site.id for site in sites}:
        current = repository.location(session, keep)
        sites += [current] if current else []
    return sites


def create_patient(session: Session, *, actor: Actor, data: Mapping[str, object]) -> Patient:
    require(session, actor, Permission.PATIENT_CREATE, action="patient.create")
    values, errors = rules.check_patient(data, today=today())
    _check_site(session, principal_of(actor), values.get("registered_location_id"), errors)
    if errors:
        raise ValidationFailed("The patient was not registered.", field_errors=errors)
    location = repository.location(session, values["registered_location_id"])  # type: ignore[arg-type]
    patient = Patient(organization_id=location.organization_id, **values)  # type: ignore[union-attr]
    _insert_with_new_mrn(session, patient)
    audit.record(
        session,
        actor,
        AuditEntry(
            "patient.create",
            patient_id=patient.id,
            object_type="patient",
            object_id=patient.id,
            detail=f"mrn={patient.mrn}",
        ),
    )
    return patient


def _check_site(
    session: Session, principal: Principal, location_id: object, errors: dict[str, str]
) -> None:
    if "registered_location_id" in errors or not isinstance(location_id, int):
        return
    allowed = {loc.id for loc in repository.locations(session, principal.location_ids)}
    if location_id not in allowed:
        errors["registered_location_id"] = "Choose one of your own sites."


def _insert_with_new_mrn(session: Session, patient: Patient) -> None:
    """MRNs read "M000123": the next after the highest. Two registrations racing for the same
    number meet the unique index; the loser tries the next number inside a savepoint."""
    for _attempt in range(5):
        patient.mrn = next_mrn(session)
        try:
            with session.begin_nested():
                session.add(patient)
                session.flush()
            return
        except IntegrityError as error:
            if "mrn" not in str(error.orig).lower():
                raise
    raise Conflict("Could not assign a medical record number just now. Please try again.")


def next_mrn(session: Session) -> str:
    highest = repository.highest_mrn(session, MRN_PREFIX, MRN_DIGITS)
    number = int(highest[1:]) + 1 if highest and highest[1:].isdigit() else 1
    return f"{MRN_PREFIX}{number:0{MRN_DIGITS}d}"


def update_patient(
    session: Session, *, actor: Actor, patient_id: int, version: int, changes: Mapping[str, object]
) -> Patient:
    require(session, actor, Permission.PATIENT_UPDATE, action="patient.update")
    authorize_patient(session, actor=actor, patient_id=patient_id, action="patient.update")
    patient = _patient_at_version(session, patient_id, version)
    merged = {name: getattr(patient, name) for name in rules.PATIENT_FIELDS}
    merged.update({k: v for k, v in changes.items() if k in rules.PATIENT_FIELDS})
    values, errors = rules.check_patient(merged, today=today())
    changed = [
        k for k in rules.PATIENT_FIELDS if k in errors or getattr(patient, k) != values.get(k)
    ]
    _refuse_fields_beyond_role(principal_of(actor), patient_id, changed)
    if "registered_location_id" in changed:
        _check_site(session, principal_of(actor), values.get("registered_location_id"), errors)
    if errors:
        raise ValidationFailed("The changes were not saved.", field_errors=errors)
    for name in changed:
        setattr(patient, name, values[name])
    flush_or_conflict(session)
    audit.record(
        session,
        actor,
        AuditEntry(
            "patient.update",
            patient_id=patient_id,
            object_type="patient",
            object_id=patient_id,
            detail="changed: " + (", ".join(changed) or "nothing"),
        ),
    )
    return patient


def _patient_at_version(session: Session, patient_id: int, version: int) -> Patient:
    patient = repository.patient_by_id(session, patient_id)
    if patient is None:
        raise NotFound(f"No patient with id {patient_id}.")
    if patient.version != version:
        raise Conflict(CHANGED_ELSEWHERE)
    return patient


def _refuse_fields_beyond_role(principal: Principal, patient_id: int, changed: list[str]) -> None:
    beyond = [name for name in changed if name not in editable_fields(principal)]
    if beyond:
        raise Refused(
            "Your role may change contact and emergency-contact details only.",
            AuditEntry(
                "patient.update",
                "refused",
                patient_id=patient_id,
                object_type="patient",
                object_id=patient_id,
                detail="fields: " + ", ".join(beyond),
            ),
        )


def flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(CHANGED_ELSEWHERE) from None


# ---- weekly commitments -----------------------------------------------------------------


def _authorize_commitments(session: Session, actor: Actor, patient_id: int, action: str) -> None:
    require(session, actor, Permission.PATIENT_UPDATE, action=action)
    if not may_edit_commitments(principal_of(actor)):
        raise Refused(
            "Your role may change contact and emergency-contact details only.",
            AuditEntry(action, "refused", patient_id=patient_id, detail="commitments"),
        )
    authorize_patient(session, actor=actor, patient_id=patient_id, action=action)


def add_commitment(
    session: Session, *, actor: Actor, patient_id: int, data: Mapping[str, object]
) -> Commitment:
    _authorize_commitments(session, actor, patient_id, "patient.commitment.add")
    entry, errors = rules.check_commitment(data)
    if entry is None:
        raise ValidationFailed("The commitment was not added.", field_errors=errors)
    row = Commitment(
        patient_id=patient_id,
        kind=entry.kind,
        weekday=entry.weekday,
        start_time=entry.start_time,
        end_time=entry.end_time,
        label=entry.label,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditEntry(
            "patient.commitment.add",
            patient_id=patient_id,
            object_type="commitment",
            object_id=row.id,
        ),
    )
    return row


def remove_commitment(
    session: Session, *, actor: Actor, patient_id: int, commitment_id: int
) -> None:
    _authorize_commitments(session, actor, patient_id, "patient.commitment.remove")
    row = repository.commitment(session, commitment_id)
    if row is None or row.patient_id != patient_id:
        raise NotFound(f"No commitment with id {commitment_id} for this patient.")
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditEntry(
            "patient.commitment.remove",
            patient_id=patient_id,
            object_type="commitment",
            object_id=commitment_id,
        ),
    )


# ---- emergency access -------------------------------------------------------------------


def check_break_glass(session: Session, *, actor: Actor, patient_id: int) -> None:
    """May this actor ask for emergency access to this (existing) patient? Refuses, audited."""
    principal = actor.principal
    if principal is None or not may_break_glass(principal):
        raise Refused(
            "Your role may not use emergency access.",
            AuditEntry("patient.break_glass", "refused", patient_id=patient_id),
        )
    if repository.patient_by_id(session, patient_id) is None:
        raise NotFound(f"No patient with id {patient_id}.")
