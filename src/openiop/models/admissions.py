"""Admissions: inquiries from the public site, the per-location day rates behind the cost
comparison page, clinicians' assessments of inquiries and the clinical tasks they raise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openiop.models.base import Base, Timestamped


class Inquiry(Base, Timestamped):
    """Someone asking about the program: the first step of the admissions pipeline.

    A web inquiry starts at stage "new" with no owner; staff take it from there. The
    idempotency key comes from a hidden form field, so a form sent twice is stored once.
    `ip_hash` is a keyed hash of the sender's address, kept only to limit how often one
    address may send the form.
    """

    __tablename__ = "inquiries"
    __table_args__ = (
        Index("ix_inquiries_stage_next_action", "stage", "next_action_date"),
        Index("ix_inquiries_ip_hash_created", "ip_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(30), default="new")
    source: Mapped[str] = mapped_column(String(30), default="web")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    next_action_date: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    caller_relationship: Mapped[str] = mapped_column(String(20))  # self, family, referrer
    person_name: Mapped[str | None] = mapped_column(String(200))  # who needs help, if not caller
    contact_method: Mapped[str] = mapped_column(String(10))  # phone, email, text
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    best_times: Mapped[str | None] = mapped_column(String(200))
    substances: Mapped[str] = mapped_column(String(300), default="")  # comma-separated keys
    insurance_carrier: Mapped[str | None] = mapped_column(String(100))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    consent_to_contact: Mapped[bool] = mapped_column(Boolean)
    consented_at: Mapped[datetime | None] = mapped_column()
    message: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # Pipeline (migration 0003): for duplicate detection, the referral source, when it was
    # admitted (for the conversion figures) and why it was closed.
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    referral_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral_sources.id"), index=True
    )
    admitted_at: Mapped[datetime | None] = mapped_column()
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def substance_list(self) -> list[str]:
        return [s for s in self.substances.split(",") if s]


class LocationRate(Base, Timestamped):
    """Day rates at one location from `effective_from` on, in whole cents.

    The newest row whose date has come is the one in force; older rows stay as history.
    The residential and inpatient rates are what a stay elsewhere typically costs a day,
    room and board included, so the cost page can compare like with like.
    """

    __tablename__ = "location_rates"
    __table_args__ = (
        UniqueConstraint("location_id", "effective_from", name="uq_location_rates_location_from"),
        CheckConstraint(
            "iop_day_rate_cents >= 0 AND residential_day_rate_cents >= 0 "
            "AND inpatient_day_rate_cents >= 0",
            name="not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    iop_day_rate_cents: Mapped[int] = mapped_column(Integer)
    residential_day_rate_cents: Mapped[int] = mapped_column(Integer)
    inpatient_day_rate_cents: Mapped[int] = mapped_column(Integer)
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ReferralSource(Base, Timestamped):
    """Where inquiries come from (a hospital, a court, an employer ...), for the conversion
    figures. Kinds: self, family, provider, court, employer, other."""

    __tablename__ = "referral_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InquiryContact(Base):
    """One entry in an inquiry's contact log: a call, text, email or meeting and its outcome.
    Append-only: a wrong entry is corrected by a new one, never edited."""

    __tablename__ = "inquiry_contacts"
    __table_args__ = (Index("ix_inquiry_contacts_inquiry_at", "inquiry_id", "contacted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))  # call, text, email, in_person
    direction: Mapped[str] = mapped_column(String(10))  # outbound, inbound
    outcome: Mapped[str] = mapped_column(String(20))  # reached, left_message, no_answer, ...
    note: Mapped[str | None] = mapped_column(Text)
    contacted_at: Mapped[datetime] = mapped_column()
    logged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()


class AdmissionAssessment(Base, Timestamped):
    """A clinician's screening and assessment of an inquiry, the level of care the rules
    recommended (with every reason) and the clinician's decision on it.

    Answers, DSM-5 checklists and dimension notes are kept as JSON because each instrument has
    its own shape; the recommendation is stored as it was computed, so a later change of the
    rules never rewrites what a clinician saw and decided on. A new assessment is a new row.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(
            "decision IS NULL OR decision IN ('accepted', 'overridden')", name="decision_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    substances: Mapped[list[str]] = mapped_column(JSON)
    dsm5_criteria: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # substance → keys met
    instrument_answers: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    home_environment: Mapped[str] = mapped_column(String(20))
    sober_living_home: Mapped[str | None] = mapped_column(String(200))
    commitments: Mapped[str | None] = mapped_column(Text)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON)  # "1" → {"rating", "note"}
    recommendation: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_level: Mapped[str | None] = mapped_column(String(40))
    override_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ClinicalTask(Base):
    """Work a clinician or coordinator must do by a date: the same-day safety follow-up that a
    PHQ-9 item 9 answer above 0 demands, the first week's to-dos after an admission (intake,
    individual session, physician visit), or a referral's follow-up call. Status "open" until
    someone marks it "done"; who and when are kept."""

    __tablename__ = "clinical_tasks"
    __table_args__ = (Index("ix_clinical_tasks_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # see admissions.task_rules.KINDS
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    # Migration 0006: the admitted patient a to-do is about, whom it is for, and what to do.
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    title: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column()
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AdmissionRecord(Base):
    """How an inquiry became a patient: which assessment's decision it rests on, the patient
    (new or linked), the enrollment, and the consent to treatment signed on screen.

    The consent is kept as its text version and a SHA-256 of the exact text shown, the typed
    name that serves as signature, who signed (the person or a legal representative) and when,
    and the staff member who witnessed it. One admission per inquiry.
    """

    __tablename__ = "admission_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), unique=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    patient_was_new: Mapped[bool] = mapped_column(Boolean)
    consent_version: Mapped[str] = mapped_column(String(40))
    consent_sha256: Mapped[str] = mapped_column(String(64))
    consent_signer: Mapped[str] = mapped_column(String(20))  # self, representative
    consent_signed_name: Mapped[str] = mapped_column(String(200))
    consent_relationship: Mapped[str | None] = mapped_column(String(100))
    consent_signed_at: Mapped[datetime] = mapped_column()
    admitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()
