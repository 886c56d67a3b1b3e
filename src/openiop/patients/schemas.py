"""Pydantic I/O models for the registry: what the API returns and accepts, and what the
face sheet template is given. A limited view is built without clinical fields at all, so
neither the JSON nor the page can show what the reader may not see."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from openiop.models import Commitment, Enrollment, Patient


class CommitmentOut(BaseModel):
    id: int
    kind: str
    weekday: int
    start_time: time
    end_time: time
    label: str | None

    @classmethod
    def of(cls, row: Commitment) -> CommitmentOut:
        return cls(
            id=row.id,
            kind=row.kind,
            weekday=row.weekday,
            start_time=row.start_time,
            end_time=row.end_time,
            label=row.label,
        )


class EnrollmentSummary(BaseModel):
    """What any staff member at the site may see: where and with whom the patient is seen."""

    id: int
    patient_id: int
    status: str
    program_id: int
    program_name: str
    location_id: int
    location_name: str
    track_id: int | None
    track_name: str | None
    track_weekdays: str | None
    track_start: time | None
    track_end: time | None
    primary_counselor_id: int | None
    primary_counselor_name: str | None
    physician_id: int | None
    physician_name: str | None
    version: int

    @classmethod
    def of(cls, row: Enrollment) -> EnrollmentSummary:
        return cls(**_summary_fields(row))


class EnrollmentDetail(EnrollmentSummary):
    """Adds the clinical fields: for the care team, directors, emergency access, the patient."""

    admit_date: date
    discharge_date: date | None
    discharge_type: str | None
    primary_substance: str | None
    diagnosis_codes: list[str]

    @classmethod
    def of(cls, row: Enrollment) -> EnrollmentDetail:
        return cls(
            **_summary_fields(row),
            admit_date=row.admit_date,
            discharge_date=row.discharge_date,
            discharge_type=row.discharge_type,
            primary_substance=row.primary_substance,
            diagnosis_codes=[c for c in (row.diagnosis_codes or "").split(",") if c],
        )


def _summary_fields(row: Enrollment) -> dict[str, object]:
    track, counselor, physician = row.track, row.primary_counselor, row.physician
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "status": row.status,
        "program_id": row.program_id,
        "program_name": row.program.name,
        "location_id": row.location_id,
        "location_name": row.location.name,
        "track_id": row.track_id,
        "track_name": track.name if track else None,
        "track_weekdays": track.weekdays if track else None,
        "track_start": track.start_time if track else None,
        "track_end": track.end_time if track else None,
        "primary_counselor_id": row.primary_counselor_id,
        "primary_counselor_name": counselor.full_name if counselor else None,
        "physician_id": row.physician_id,
        "physician_name": physician.full_name if physician else None,
        "version": row.version,
    }


class PatientOut(BaseModel):
    """Identity and contact: the limited face sheet's demographics."""

    id: int
    mrn: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: date
    age: int
    sex_at_birth: str
    gender_identity: str | None
    pronouns: str | None
    phone: str | None
    email: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    preferred_language: str
    emergency_contact_name: str | None
    emergency_contact_relationship: str | None
    emergency_contact_phone: str | None
    registered_location_id: int
    version: int

    @classmethod
    def of(cls, row: Patient, *, age: int) -> PatientOut:
        fields = {name: getattr(row, name) for name in cls.model_fields if name != "age"}
        return cls(**fields, age=age)


class Clinical(BaseModel):
    enrollments: list[EnrollmentDetail]  # newest first, discharged ones included


class FaceSheet(BaseModel):
    access: Literal["limited", "full"]
    patient: PatientOut
    current_enrollment: EnrollmentSummary | None
    commitments: list[CommitmentOut]
    clinical: Clinical | None
    emergency_access_until: datetime | None = None
    time_zone: str = Field(default="America/Los_Angeles", description="The patient's site's zone")


class PatientListItem(BaseModel):
    id: int
    mrn: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: date
    location_name: str | None
    track_name: str | None
    status: str | None


class PatientPage(BaseModel):
    items: list[PatientListItem]
    total: int
    page: int
    size: int
    pages: int


class EnrollmentPage(BaseModel):
    items: list[EnrollmentSummary | EnrollmentDetail]
    total: int
    page: int
    size: int
    pages: int


# ---- input ------------------------------------------------------------------------------

_STRICT = ConfigDict(extra="forbid")


class PatientIn(BaseModel):
    """A new patient. Values are checked by patients.rules so errors name the field."""

    model_config = _STRICT

    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: str | None = Field(default=None, description="YYYY-MM-DD or MM/DD/YYYY")
    sex_at_birth: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    phone: str | None = None
    email: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    preferred_language: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_relationship: str | None = None
    emergency_contact_phone: str | None = None
    registered_location_id: int | None = None


class PatientPatch(PatientIn):
    version: int = Field(description="The version you read; a different stored one gives 409")


class EnrollmentIn(BaseModel):
    model_config = _STRICT

    patient_id: int
    program_id: int | None = None
    location_id: int | None = None
    track_id: int | None = None
    admit_date: str | None = Field(default=None, description="YYYY-MM-DD or MM/DD/YYYY")
    primary_counselor_id: int | None = None
    physician_id: int | None = None
    status: str = "active"
    discharge_date: str | None = None
    discharge_type: str | None = None
    primary_substance: str | None = None
    diagnosis_codes: str | list[str] | None = Field(default=None, description="e.g. F10.20")


class EnrollmentPatch(BaseModel):
    model_config = _STRICT

    version: int
    program_id: int | None = None
    location_id: int | None = None
    track_id: int | None = None
    admit_date: str | None = None
    primary_counselor_id: int | None = None
    physician_id: int | None = None
    status: str | None = None
    discharge_date: str | None = None
    discharge_type: str | None = None
    primary_substance: str | None = None
    diagnosis_codes: str | list[str] | None = None
