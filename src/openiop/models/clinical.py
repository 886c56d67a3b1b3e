"""Clinical records of an episode of care: treatment plans (problems, goals, measurable
objectives, interventions, signatures and reviews), measurement-based care (questionnaires
given on a per-program schedule), drug screens with results per substance class, and the
discharge summary. Per-program clinical policy (review intervals, measure schedule) lives
here too, so a program can change it without a code release."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.models.base import Base, Timestamped
from openiop.models.staff import StaffMember


class ClinicalPolicy(Base, Timestamped):
    """A program's treatment-plan review policy. Without a row the defaults apply: a review
    every 30 days and a physician review within 30 days of admission (Title 22)."""

    __tablename__ = "clinical_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), unique=True)
    plan_review_interval_days: Mapped[int] = mapped_column(Integer, default=30)
    physician_review_within_days: Mapped[int] = mapped_column(Integer, default=30)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class MeasureSchedule(Base, Timestamped):
    """How often a program gives one instrument: at intake (or not), then every N days."""

    __tablename__ = "measure_schedules"
    __table_args__ = (
        UniqueConstraint("program_id", "instrument", name="uq_measure_schedules_program_instr"),
        CheckConstraint("interval_days > 0", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(20))  # key in openiop.instruments
    at_intake: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TreatmentPlan(Base, Timestamped):
    """The individualized plan of one enrollment. A plan is edited while a draft; once the
    patient, the counselor and the physician have signed it, it is "active" and only its
    reviews and objective statuses change. A revised plan is a new row; the old one becomes
    "superseded" so what everyone signed stays readable."""

    __tablename__ = "treatment_plans"
    __table_args__ = (
        Index("ix_treatment_plans_enrollment_status", "enrollment_id", "status"),
        CheckConstraint("status IN ('draft', 'active', 'superseded')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    summary: Mapped[str | None] = mapped_column(Text)  # the patient's own words for the plan
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    patient_signed_name: Mapped[str | None] = mapped_column(String(200))
    patient_signed_at: Mapped[datetime | None] = mapped_column()
    counselor_signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    counselor_signed_at: Mapped[datetime | None] = mapped_column()
    physician_signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    physician_signed_at: Mapped[datetime | None] = mapped_column()
    activated_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    problems: Mapped[list[PlanProblem]] = relationship(
        back_populates="plan",
        lazy="raise",
        order_by="PlanProblem.position",
        cascade="all, delete-orphan",
    )
    reviews: Mapped[list[PlanReview]] = relationship(
        lazy="raise", order_by="PlanReview.reviewed_on", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def fully_signed(self) -> bool:
        return bool(
            self.patient_signed_at and self.counselor_signed_at and self.physician_signed_at
        )


class PlanProblem(Base):
    """A problem in the patient's words or the clinician's, optionally tied to an ASAM
    dimension (1-6)."""

    __tablename__ = "plan_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)
    asam_dimension: Mapped[int | None] = mapped_column(Integer)

    plan: Mapped[TreatmentPlan] = relationship(back_populates="problems", lazy="raise")
    goals: Mapped[list[PlanGoal]] = relationship(
        back_populates="problem",
        lazy="raise",
        order_by="PlanGoal.position",
        cascade="all, delete-orphan",
    )


class PlanGoal(Base):
    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("plan_problems.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)

    problem: Mapped[PlanProblem] = relationship(back_populates="goals", lazy="raise")
    objectives: Mapped[list[PlanObjective]] = relationship(
        back_populates="goal",
        lazy="raise",
        order_by="PlanObjective.position",
        cascade="all, delete-orphan",
    )


class PlanObjective(Base):
    """A measurable step toward a goal, with a target date and how it is measured. Notes
    (clinical notes, another area) point at objectives by id; plan_id is kept here so a note
    can list a patient's objectives without walking the tree."""

    __tablename__ = "plan_objectives"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'met', 'partially_met', 'not_met', 'discontinued')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(300))
    target_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)

    goal: Mapped[PlanGoal] = relationship(back_populates="objectives", lazy="raise")
    interventions: Mapped[list[PlanIntervention]] = relationship(
        back_populates="objective",
        lazy="raise",
        order_by="PlanIntervention.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}


class PlanIntervention(Base):
    """What staff do for an objective: modality, how often, and who is responsible."""

    __tablename__ = "plan_interventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("plan_objectives.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    modality: Mapped[str] = mapped_column(String(30))  # see clinical.plan_rules.MODALITIES
    frequency: Mapped[str] = mapped_column(String(100))
    responsible_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), index=True
    )

    objective: Mapped[PlanObjective] = relationship(back_populates="interventions", lazy="raise")
    responsible_staff: Mapped[StaffMember | None] = relationship(lazy="raise")


class PlanReview(Base):
    """A dated review of an active plan: "periodic" (every N days) or "physician"."""

    __tablename__ = "plan_reviews"
    __table_args__ = (CheckConstraint("kind IN ('periodic', 'physician')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_plans.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class MeasureAdministration(Base):
    """One questionnaire given to a patient: answers as given, and the score computed then
    (kept as computed, so a later change of the scoring never rewrites history). A PHQ-9
    item 9 answer above 0 links the urgent same-day task it raised."""

    __tablename__ = "measure_administrations"
    __table_args__ = (
        Index("ix_measure_admin_patient_instr_on", "patient_id", "instrument", "administered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(20))
    administered_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[list[int]] = mapped_column(JSON)
    total: Mapped[int | None] = mapped_column(Integer)  # BAM has no total
    band: Mapped[str | None] = mapped_column(String(40))
    subscales: Mapped[dict[str, Any]] = mapped_column(JSON)
    flags: Mapped[list[str]] = mapped_column(JSON)
    urgent_task_id: Mapped[int | None] = mapped_column(ForeignKey("clinical_tasks.id"))
    administered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()


class DrugScreen(Base, Timestamped):
    """A specimen collected from a patient; results follow per substance class (at once for a
    point-of-care cup, days later from a lab)."""

    __tablename__ = "drug_screens"
    __table_args__ = (
        Index("ix_drug_screens_patient_collected", "patient_id", "collected_on"),
        CheckConstraint("testing IN ('point_of_care', 'lab')", name="testing_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    collected_on: Mapped[date] = mapped_column(Date)
    observed: Mapped[bool] = mapped_column(Boolean)
    specimen: Mapped[str] = mapped_column(String(20))  # urine, oral_fluid, breath, blood, hair
    testing: Mapped[str] = mapped_column(String(20))
    lab_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    collected_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    results: Mapped[list[DrugScreenResult]] = relationship(
        lazy="raise", order_by="DrugScreenResult.substance_class", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class DrugScreenResult(Base):
    """One substance class's result. "expected" is a positive explained by a prescribed
    medication (e.g. buprenorphine), named in `medication`."""

    __tablename__ = "drug_screen_results"
    __table_args__ = (
        UniqueConstraint("screen_id", "substance_class", name="uq_drug_screen_results_class"),
        CheckConstraint(
            "result IN ('negative', 'positive', 'expected', 'invalid', 'dilute')",
            name="result_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("drug_screens.id", ondelete="CASCADE"))
    substance_class: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(20))
    medication: Mapped[str | None] = mapped_column(String(200))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column()


class DischargeSummary(Base, Timestamped):
    """The discharge of one enrollment. `record` is the snapshot drafted from the chart
    (dates, attendance totals, measures at admission and discharge, plan progress) so the
    signed summary and its PDF never change when the chart does."""

    __tablename__ = "discharge_summaries"
    __table_args__ = (CheckConstraint("status IN ('draft', 'signed')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    discharge_type: Mapped[str] = mapped_column(String(40))
    discharge_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    clinical_course: Mapped[str] = mapped_column(Text, default="")
    aftercare_plan: Mapped[str] = mapped_column(Text, default="")
    referral_to: Mapped[str | None] = mapped_column(String(200))
    drafted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
