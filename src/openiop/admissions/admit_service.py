"""Use cases of admitting an inquiry: the admit form's choices and the admission itself.
Keyword-only; never commits.

Who: the people who turn an inquiry into a patient (Permission.PATIENT_CREATE: administrators,
program directors, admissions staff), at the inquiry's location. The patient and the enrollment
are made by the patients area's services, which check and audit them in their own right; this
module adds the weekly commitments through the same service, the consent to treatment, the
first week's to-dos and the move of the inquiry to "admitted". Everything happens in the
caller's one transaction, so a refusal or a mistake anywhere leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from openiop.admissions import admit_repository as repo
from openiop.admissions import admit_rules as rules
from openiop.admissions import assessment_repository, pipeline_service
from openiop.admissions.admit_consent import CONSENT_TEXT, CONSENT_VERSION
from openiop.kit import clock
from openiop.kit.errors import Conflict, NotFound, ValidationFailed
from openiop.models import (
    AdmissionAssessment,
    AdmissionRecord,
    ClinicalTask,
    Inquiry,
    Location,
    Patient,
)
from openiop.patients import enrollment_service
from openiop.patients import service as patients
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Permission
from openiop.security.service import Refused, authorize_patient, require

ACTION = "inquiry.admit"


@dataclass(frozen=True)
class AdmitInput:
    """What the coordinator entered. `new_patient` holds the patients area's field names and
    is used only when no existing patient is linked."""

    version: int | None
    patient_id: int | None
    new_patient: Mapping[str, str]
    track_id: int | None
    admit_date: date | None
    primary_counselor_id: int | None
    physician_id: int | None
    commitments: tuple[rules.CommitmentRow, ...]
    clash_acknowledged: bool
    signature: rules.Signature


# ---- who may ------------------------------------------------------------------------------


def inquiry_for(session: Session, actor: Actor, inquiry_id: int, action: str = ACTION) -> Inquiry:
    """The inquiry, when the actor may take it through the pipeline at its location."""
    require(session, actor, Permission.PATIENT_CREATE, action=action)
    row = assessment_repository.inquiry(session, inquiry_id)
    if row is None:
        raise NotFound(f"No inquiry with id {inquiry_id}.")
    if row.location_id is not None and not actor.principal.at_location(row.location_id):  # type: ignore[union-attr]
        detail = f"outside location {row.location_id}"
        entry = AuditEntry(
            action, "refused", object_type="inquiry", object_id=row.id, detail=detail
        )
        raise Refused("This inquiry is for a location outside yours.", entry)
    return row


def scope(actor: Actor) -> frozenset[int] | None:
    return actor.principal.location_ids if actor.principal else frozenset()


def local_today(session: Session, row: Inquiry, default_zone: str) -> date:
    place = session.get(Location, row.location_id) if row.location_id else None
    return clock.today_in(place.time_zone if place else default_zone)


def blocks(
    session: Session, linked: Patient | None, extra: tuple[rules.CommitmentRow, ...]
) -> list[rules.WeeklyBlock]:
    stored = repo.commitments_of(session, linked.id) if linked else []
    blocks = [
        rules.WeeklyBlock(c.weekday, c.start_time, c.end_time, c.label or c.kind.capitalize())
        for c in stored
    ]
    return blocks + [b for row in extra for b in row.blocks()]


def track_times(track) -> rules.TrackTimes:  # type: ignore[no-untyped-def]
    return rules.TrackTimes(
        track.id, track.name, rules.track_days(track.weekdays), track.start_time, track.end_time
    )


# ---- admitting ----------------------------------------------------------------------------


def admit(
    session: Session, *, actor: Actor, inquiry_id: int, data: AdmitInput, default_zone: str
) -> AdmissionRecord:
    row = inquiry_for(session, actor, inquiry_id)
    if data.version != row.version:
        raise Conflict("This inquiry was changed by someone else since you opened it.")
    latest = assessment_repository.latest_assessment(session, row.id)
    problem = rules.admit_problem(row.stage, latest.decided_level if latest else None)
    if problem or latest is None:
        raise ValidationFailed(problem or "", field_errors={"assessment": problem or ""})
    today = local_today(session, row, default_zone)
    errors = _choice_problems(session, actor, data, today)
    patient, was_new = _patient(session, actor, data, errors)
    if errors:
        raise ValidationFailed("The person was not admitted.", field_errors=errors)
    assert patient is not None and data.track_id is not None and data.admit_date is not None
    _add_commitments(session, actor, patient.id, data.commitments)
    enrollment = _enroll(session, actor, patient.id, data, latest)
    tasks = _first_week(session, row, patient.id, data)
    record = _record(session, actor, row, latest, patient, enrollment.id, was_new, data)
    pipeline_service.move_stage(
        session, actor=actor, inquiry_id=row.id, stage="admitted", version=row.version
    )
    detail = (
        f"admission={record.id}; patient={'new' if was_new else 'linked'}; "
        f"enrollment={enrollment.id}; tasks={len(tasks)}; consent={CONSENT_VERSION}"
    )
    audit.record(session, actor, AuditEntry(ACTION, patient_id=patient.id, object_type="inquiry",
                                            object_id=row.id, detail=detail))  # fmt: skip
    return record


def _choice_problems(
    session: Session, actor: Actor, data: AdmitInput, today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.admit_date is None:
        errors["admit_date"] = "Enter the admit date as YYYY-MM-DD."
    elif problem := rules.admit_date_problem(data.admit_date, today):
        errors["admit_date"] = problem
    track = repo.track(session, data.track_id) if data.track_id is not None else None
    if track is None or not track.active or not actor.principal.at_location(track.location_id):  # type: ignore[union-attr]
        errors["track_id"] = "Choose one of the active tracks at your sites."
        return errors
    errors.update(_staff_problems(session, data, track.location_id))
    return errors


def _staff_problems(session: Session, data: AdmitInput, location_id: int) -> dict[str, str]:
    errors = {}
    checks = (
        ("primary_counselor_id", data.primary_counselor_id, rules.may_counsel, "counseling"),
        ("physician_id", data.physician_id, rules.may_prescribe, "prescriber (MD, DO, NP, PA)"),
    )
    for name, staff_id, qualified, kind in checks:
        member = repo.staff_member(session, staff_id) if staff_id is not None else None
        if member is None or not member.active:
            errors[name] = "Choose one of the active staff listed."
        elif location_id not in {loc.id for loc in member.locations}:
            errors[name] = f"{member.full_name} does not work at the site of the track."
        elif not qualified(member.credential_list):
            errors[name] = f"{member.full_name} does not hold a {kind} credential."
    return errors


def _patient(
    session: Session, actor: Actor, data: AdmitInput, errors: dict[str, str]
) -> tuple[Patient | None, bool]:
    """The linked patient (access checked and audited) or a new one registered at the
    track's site through the patients service; adds the signature and clash problems."""
    track = repo.track(session, data.track_id) if "track_id" not in errors else None
    if data.patient_id is not None:
        authorize_patient(session, actor=actor, patient_id=data.patient_id, action=ACTION)
        patient, was_new = repo.patient(session, data.patient_id), False
    elif track is None:
        return None, True
    else:
        values = {**data.new_patient, "registered_location_id": track.location_id}
        try:
            patient, was_new = patients.create_patient(session, actor=actor, data=values), True
        except ValidationFailed as error:
            errors.update(error.field_errors)
            return None, True
    assert patient is not None
    errors.update(rules.consent_problems(data.signature, patient.full_name))
    if track is not None and not data.clash_acknowledged:
        weekly = blocks(session, None if was_new else patient, data.commitments)
        found = rules.clashes(track_times(track), weekly)
        if found:
            errors["track_id"] = (
                "This track clashes with the person's commitments ("
                + "; ".join(rules.describe_clashes(track_times(track), found))
                + "). Choose another track, or tick that the person will rearrange them."
            )
    return patient, was_new


def _add_commitments(
    session: Session, actor: Actor, patient_id: int, rows: tuple[rules.CommitmentRow, ...]
) -> None:
    for entry in rows:
        for day in entry.weekdays:
            values = {"kind": entry.kind, "weekday": str(day), "label": entry.label,
                      "start_time": rules.hhmm(entry.start), "end_time": rules.hhmm(entry.end)}  # fmt: skip
            patients.add_commitment(session, actor=actor, patient_id=patient_id, data=values)


def _enroll(
    session: Session, actor: Actor, patient_id: int, data: AdmitInput, latest: AdmissionAssessment
):  # type: ignore[no-untyped-def]
    track = repo.track(session, data.track_id)  # type: ignore[arg-type]
    assert track is not None
    values = {
        "program_id": track.program_id,
        "location_id": track.location_id,
        "track_id": track.id,
        "admit_date": data.admit_date.isoformat(),  # type: ignore[union-attr]
        "primary_counselor_id": data.primary_counselor_id,
        "physician_id": data.physician_id,
        "status": "active",
        "primary_substance": latest.substances[0] if latest.substances else None,
    }
    try:
        return enrollment_service.create_enrollment(
            session, actor=actor, patient_id=patient_id, data=values
        )
    except ValidationFailed as error:
        # "status" is where the enrollment rules put "already has an open enrollment".
        fields = {("patient_id" if k == "status" else k): v for k, v in error.field_errors.items()}
        raise ValidationFailed("The person was not admitted.", field_errors=fields) from None


def _first_week(
    session: Session, row: Inquiry, patient_id: int, data: AdmitInput
) -> list[ClinicalTask]:
    track = repo.track(session, data.track_id)  # type: ignore[arg-type]
    owners = {"counselor": data.primary_counselor_id, "physician": data.physician_id}
    tasks = [
        ClinicalTask(kind=p.kind, title=p.title, due_date=p.due, status="open",
                     inquiry_id=row.id, patient_id=patient_id,
                     location_id=track.location_id if track else None,
                     assigned_staff_id=owners[p.owner], created_at=clock.now())
        for p in rules.first_week(data.admit_date)  # type: ignore[arg-type]
    ]  # fmt: skip
    for task in tasks:
        repo.add(session, task)
    return tasks


def _record(
    session: Session,
    actor: Actor,
    row: Inquiry,
    latest: AdmissionAssessment,
    patient: Patient,
    enrollment_id: int,
    was_new: bool,
    data: AdmitInput,
) -> AdmissionRecord:
    now = clock.now()
    signature = data.signature
    record = AdmissionRecord(
        inquiry_id=row.id,
        assessment_id=latest.id,
        patient_id=patient.id,
        enrollment_id=enrollment_id,
        patient_was_new=was_new,
        consent_version=CONSENT_VERSION,
        consent_sha256=hashlib.sha256(CONSENT_TEXT.encode()).hexdigest(),
        consent_signer=signature.signer,
        consent_signed_name=" ".join(signature.typed_name.split()),
        consent_relationship=(
            signature.relationship.strip() if signature.signer == "representative" else None
        ),
        consent_signed_at=now,
        admitted_by_user_id=actor.principal.user_id if actor.principal else None,
        created_at=now,
    )
    repo.add(session, record)
    return record
