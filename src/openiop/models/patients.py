"""Patients, their weekly commitments, and enrollments (episodes of care)."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Time, column, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.models.base import Base, Timestamped
from openiop.models.organization import Location
from openiop.models.programs import Program, Track
from openiop.models.staff import StaffMember


class Patient(Base, Timestamped):
    __tablename__ = "patients"
    __table_args__ = (
        Index(
            "ix_patients_name", func.lower(column("last_name")), func.lower(column("first_name"))
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The site that registered the patient scopes who may see them before any enrollment.
    registered_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    sex_at_birth: Mapped[str] = mapped_column(String(10), default="unknown")
    gender_identity: Mapped[str | None] = mapped_column(String(50))
    pronouns: Mapped[str | None] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    preferred_language: Mapped[str] = mapped_column(String(40), default="English")
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_relationship: Mapped[str | None] = mapped_column(String(50))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)

    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="patient",
        lazy="raise",
        order_by="(Commitment.weekday, Commitment.start_time)",
    )
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="patient", lazy="raise", order_by="Enrollment.admit_date.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Commitment(Base):
    """A recurring weekly block in the patient's life (work shift, school run) to plan around."""

    __tablename__ = "patient_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # work, school, childcare, other
    weekday: Mapped[int] = mapped_column(Integer)  # ISO, Monday=1
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    label: Mapped[str | None] = mapped_column(String(100))

    patient: Mapped[Patient] = relationship(back_populates="commitments", lazy="raise")


class Enrollment(Base, Timestamped):
    """One episode of care: a patient in a program at a location, on a track."""

    __tablename__ = "enrollments"
    __table_args__ = (Index("ix_enrollments_location_status", "location_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"), index=True)
    admit_date: Mapped[date] = mapped_column(Date)
    primary_counselor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), index=True
    )
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")  # pending/active/discharged
    discharge_date: Mapped[date | None] = mapped_column(Date)
    discharge_type: Mapped[str | None] = mapped_column(String(40))
    primary_substance: Mapped[str | None] = mapped_column(String(40))
    diagnosis_codes: Mapped[str] = mapped_column(String(200), default="")  # ICD-10-CM, comma-sep
    version: Mapped[int] = mapped_column(Integer, default=1)

    patient: Mapped[Patient] = relationship(back_populates="enrollments", lazy="raise")
    program: Mapped[Program] = relationship(lazy="raise")
    location: Mapped[Location] = relationship(lazy="raise")
    track: Mapped[Track | None] = relationship(lazy="raise")
    primary_counselor: Mapped[StaffMember | None] = relationship(
        foreign_keys=[primary_counselor_id], lazy="raise"
    )
    physician: Mapped[StaffMember | None] = relationship(foreign_keys=[physician_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
