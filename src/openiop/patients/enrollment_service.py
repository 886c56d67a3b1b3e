"""Use cases for enrollments (episodes of care). Split from service.py to keep both short.

Writing needs Permission.ENROLLMENT_WRITE, access to the patient, and the enrollment's site
among the actor's own. Reading follows the patient's access: the care team, directors and
emergency access see the clinical fields (admit and discharge detail, substance, diagnoses);
other staff at the site see where and with whom the patient is seen. Writers whose access is
LIMITED (admissions) may record clinical fields at intake but are not shown them afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.kit.pagination import Page, PageRequest
from openiop.models import Enrollment, Location, Patient, Program, StaffMember, Track
from openiop.patients import enrollment_rules as rules
from openiop.patients import repository
from openiop.patients.schemas import EnrollmentDetail, EnrollmentSummary
from openiop.patients.service import CHANGED_ELSEWHERE, flush_or_conflict, principal_of, today
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Permission
from openiop.security.service import Refused, authorize_patient, require

FIELDS = (
    "program_id",
    "location_id",
    "track_id",
    "admit_date",
    "primary_counselor_id",
    "physician_id",
    "status",
    "discharge_date",
    "discharge_type",
    "primary_substance",
    "diagnosis_codes",
)
CLINICAL_FIELDS = ("primary_substance", "diagnosis_codes")

EnrollmentView = EnrollmentSummary | EnrollmentDetail


def view(row: Enrollment, access: Access) -> EnrollmentView:
    return EnrollmentDetail.of(row) if access >= Access.FULL else EnrollmentSummary.of(row)


# ---- choices for the form ---------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    locations: list[Location]
    programs: list[Program]
    tracks: list[Track]
    counselors: list[StaffMember]
    physicians: list[StaffMember]


def choices(session: Session, *, actor: Actor, organization_id: int) -> Choices:
    """What the form offers: the actor's sites and what runs or works there."""
    sites = repository.locations(session, principal_of(actor).location_ids)
    site_ids = [site.id for site in sites]
    staff = repository.staff_at(session, site_ids)
    return Choices(
        locations=sites,
        programs=repository.active_programs(session, organization_id),
        tracks=repository.tracks_at(session, site_ids),
        counselors=staff,
        physicians=[s for s in staff if set(s.credential_list) & rules.PRESCRIBER_CREDENTIALS],
    )


# ---- reading ----------------------------------------------------------------------------


def get_enrollment(
    session: Session, *, actor: Actor, enrollment_id: int, action: str = "enrollment.read"
) -> tuple[Enrollment, Access]:
    row = repository.enrollment(session, enrollment_id)
    if row is None:
        raise NotFound(f"No enrollment with id {enrollment_id}.")
    access = authorize_patient(
        session,
        actor=actor,
        patient_id=row.patient_id,
        action=action,
        object_type="enrollment",
        object_id=row.id,
    )
    return row, access


def list_enrollments(
    session: Session, *, actor: Actor, patient_id: int | None, page: PageRequest
) -> Page[EnrollmentView]:
    if patient_id is not None:
        access = authorize_patient(
            session, actor=actor, patient_id=patient_id, action="enrollment.list"
        )
        rows = repository.enrollments_of(session, patient_id)
        chosen = rows[page.offset : page.offset + page.size]
        return Page([view(row, access) for row in chosen], len(rows), page)
    # Across patients only the limited view: deciding FULL would need each patient's care
    # team; a reader who wants clinical detail asks for one patient.
    require(session, actor, Permission.PATIENT_LIST, action="enrollment.list")
    scope = principal_of(actor).location_ids
    total = repository.count_enrollments_at(session, location_ids=scope)
    rows = (
        repository.enrollments_at(session, location_ids=scope, offset=page.offset, limit=page.size)
        if total
        else []
    )
    patient_ids = sorted({row.patient_id for row in rows})
    audit.record_many(
        session,
        actor,
        (
            AuditEntry(
                "enrollment.list",
                patient_id=pid,
                object_type="patient",
                object_id=pid,
                detail=f"page={page.page}",
            )
            for pid in patient_ids
        ),
    )
    return Page([EnrollmentSummary.of(row) for row in rows], total, page)


# ---- writing ----------------------------------------------------------------------------


def create_enrollment(
    session: Session, *, actor: Actor, patient_id: int, data: Mapping[str, object]
) -> Enrollment:
    require(session, actor, Permission.ENROLLMENT_WRITE, action="enrollment.create")
    authorize_patient(session, actor=actor, patient_id=patient_id, action="enrollment.create")
    patient = repository.patient_by_id(session, patient_id)
    assert patient is not None  # authorize_patient refuses unknown patients with 404
    entry = _checked(session, actor, patient, data, existing=None)
    row = Enrollment(patient_id=patient_id, **_columns(entry))
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditEntry(
            "enrollment.create",
            patient_id=patient_id,
            object_type="enrollment",
            object_id=row.id,
            detail=f"status={row.status}",
        ),
    )
    return row


def update_enrollment(
    session: Session,
    *,
    actor: Actor,
    enrollment_id: int,
    version: int,
    changes: Mapping[str, object],
) -> Enrollment:
    require(session, actor, Permission.ENROLLMENT_WRITE, action="enrollment.update")
    row, _access = get_enrollment(
        session, actor=actor, enrollment_id=enrollment_id, action="enrollment.update"
    )
    _refuse_other_site(actor, row)
    if row.version != version:
        raise Conflict(CHANGED_ELSEWHERE)
    merged = {name: getattr(row, name) for name in FIELDS}
    merged.update({k: v for k, v in changes.items() if k in FIELDS})
    patient = repository.patient_by_id(session, row.patient_id)
    entry = _checked(session, actor, patient, merged, existing=row)  # type: ignore[arg-type]
    columns = _columns(entry)
    changed = [name for name, value in columns.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, columns[name])
    flush_or_conflict(session)
    # The loaded program, site, track and staff may no longer match the new ids.
    session.expire(row, ["program", "location", "track", "primary_counselor", "physician"])
    audit.record(
        session,
        actor,
        AuditEntry(
            "enrollment.update",
            patient_id=row.patient_id,
            object_type="enrollment",
            object_id=row.id,
            detail="changed: " + (", ".join(changed) or "nothing"),
        ),
    )
    return row


def _refuse_other_site(actor: Actor, row: Enrollment) -> None:
    if not principal_of(actor).at_location(row.location_id):
        raise Refused(
            "This enrollment belongs to a site you do not work at.",
            AuditEntry(
                "enrollment.update",
                "refused",
                patient_id=row.patient_id,
                object_type="enrollment",
                object_id=row.id,
            ),
        )


def _columns(entry: rules.EnrollmentInput) -> dict[str, object]:
    columns = {name: getattr(entry, name) for name in FIELDS}
    columns["diagnosis_codes"] = ",".join(entry.diagnosis_codes)
    return columns


def _checked(
    session: Session,
    actor: Actor,
    patient: Patient,
    data: Mapping[str, object],
    existing: Enrollment | None,
) -> rules.EnrollmentInput:
    entry, errors = rules.parse_enrollment(data)
    if entry is None:
        raise ValidationFailed("The enrollment was not saved.", field_errors=errors)
    problems = rules.enrollment_problems(entry, _facts(session, actor, patient, entry, existing))
    if problems:
        raise ValidationFailed("The enrollment was not saved.", field_errors=problems)
    return entry


def _facts(
    session: Session,
    actor: Actor,
    patient: Patient,
    entry: rules.EnrollmentInput,
    existing: Enrollment | None,
) -> rules.EnrollmentFacts:
    exclude = existing.id if existing else None
    newly = (
        existing is None
        or existing.primary_counselor_id != entry.primary_counselor_id
        or existing.status not in rules.OPEN_STATUSES
    )
    programs = repository.active_programs(session, patient.organization_id)
    return rules.EnrollmentFacts(
        today=today(),
        date_of_birth=patient.date_of_birth,
        actor_location_ids=principal_of(actor).location_ids,
        program_ids=frozenset(p.id for p in programs),
        track=_track_facts(session, entry.track_id),
        counselor=_staff_facts(session, entry.primary_counselor_id, exclude),
        physician=_staff_facts(session, entry.physician_id, exclude),
        counselor_newly_assigned=newly,
        other_open_enrollment=repository.other_open_enrollment(session, patient.id, exclude),
    )


def _track_facts(session: Session, track_id: int | None) -> rules.TrackFacts | None:
    track = repository.track(session, track_id) if track_id is not None else None
    return rules.TrackFacts(track.program_id, track.location_id, track.active) if track else None


def _staff_facts(
    session: Session, staff_id: int | None, exclude: int | None
) -> rules.StaffFacts | None:
    member = repository.staff_member(session, staff_id) if staff_id is not None else None
    if member is None:
        return None
    return rules.StaffFacts(
        name=member.full_name,
        active=member.active,
        location_ids=frozenset(loc.id for loc in member.locations),
        credentials=frozenset(member.credential_list),
        open_caseload=repository.open_caseload(session, member.id, exclude),
        caseload_cap=member.caseload_cap,
    )


# ---- what the forms need ----------------------------------------------------------------


@dataclass(frozen=True)
class FormContext:
    patient: Patient
    access: Access
    choices: Choices
    enrollment: Enrollment | None = None


def new_form(session: Session, *, actor: Actor, patient_id: int) -> FormContext:
    require(session, actor, Permission.ENROLLMENT_WRITE, action="enrollment.create")
    access = authorize_patient(
        session,
        actor=actor,
        patient_id=patient_id,
        action="patient.read",
        object_type="enrollment_form",
    )
    patient = repository.patient_by_id(session, patient_id)
    assert patient is not None
    return FormContext(
        patient, access, choices(session, actor=actor, organization_id=patient.organization_id)
    )


def edit_form(session: Session, *, actor: Actor, enrollment_id: int) -> FormContext:
    require(session, actor, Permission.ENROLLMENT_WRITE, action="enrollment.update")
    row, access = get_enrollment(session, actor=actor, enrollment_id=enrollment_id)
    _refuse_other_site(actor, row)
    patient = repository.patient_by_id(session, row.patient_id)
    assert patient is not None
    return FormContext(
        patient, access, choices(session, actor=actor, organization_id=patient.organization_id), row
    )


def form_values(row: Enrollment, access: Access) -> dict[str, object]:
    """The stored values as the form shows them; clinical ones only to those who may read them."""
    values = {name: getattr(row, name) for name in FIELDS}
    values["version"] = row.version
    values["diagnosis_codes"] = ", ".join(c for c in row.diagnosis_codes.split(",") if c)
    if access < Access.FULL:
        for name in CLINICAL_FIELDS:
            values.pop(name)
    return values
