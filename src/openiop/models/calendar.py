"""The calendar: group sessions from tracks, appointments, closures, staff hours and time off,
patients' one-off blocks and scheduling preferences.

Instants are stored in UTC (`starts_at`, `ends_at`); a group session also keeps its local
date of service, because compliance and billing count by the location's calendar day.
Appointment kinds use the scheduling engine's codes (scheduling.problem.KINDS) so a plan
can be stored without translation.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.models.base import Base, Timestamped
from openiop.models.organization import Room
from openiop.models.patients import Enrollment, Patient
from openiop.models.programs import Track
from openiop.models.staff import StaffMember

APPOINTMENT_KINDS = ("intake", "individual", "physician", "drug_screen", "family_session")
APPOINTMENT_STATUSES = ("scheduled", "completed", "no_show", "cancelled", "late_cancelled")
GROUP_SESSION_STATUSES = ("scheduled", "held", "cancelled")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CurriculumTopic(Base):
    """One topic of a program's group curriculum; a track's sessions rotate through them."""

    __tablename__ = "curriculum_topics"
    __table_args__ = (UniqueConstraint("program_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))  # e.g. Relapse prevention
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LocationClosure(Base, Timestamped):
    """A day a site is closed (holiday, emergency): no groups, no appointments."""

    __tablename__ = "location_closures"
    __table_args__ = (UniqueConstraint("location_id", "closed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    closed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))


class StaffWorkingHours(Base):
    """A weekly block when a staff member works at a location (local wall-clock time)."""

    __tablename__ = "staff_working_hours"
    __table_args__ = (CheckConstraint("start_time < end_time", name="start_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # ISO, Monday=1
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class StaffTimeOff(Base, Timestamped):
    __tablename__ = "staff_time_off"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="start_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str | None] = mapped_column(String(200))


class PatientBlock(Base, Timestamped):
    """A one-off commitment (a court date, a shift swap); recurring ones are Commitments."""

    __tablename__ = "patient_blocks"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="start_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    label: Mapped[str | None] = mapped_column(String(100))


class SchedulingPreference(Base, Timestamped):
    """What the patient would like: days, part of the day, and whether video is acceptable."""

    __tablename__ = "scheduling_preferences"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    preferred_weekdays: Mapped[str] = mapped_column(String(7), default="")  # ISO digits
    part_of_day: Mapped[str | None] = mapped_column(String(10))  # morning/afternoon/evening
    telehealth_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(200))


class GroupSession(Base, Timestamped):
    """One meeting of a track's group on one local date, with its topic and facilitator."""

    __tablename__ = "group_sessions"
    __table_args__ = (
        UniqueConstraint("track_id", "session_date"),
        Index("ix_group_sessions_location_date", "location_id", "session_date"),
        Index("ix_group_sessions_facilitator_date", "facilitator_id", "session_date"),
        CheckConstraint("starts_at < ends_at", name="start_before_end"),
        CheckConstraint(_one_of("status", GROUP_SESSION_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    session_date: Mapped[date] = mapped_column(Date)  # local date of service
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("curriculum_topics.id"))
    topic: Mapped[str] = mapped_column(String(120))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    # With a stand-in: the facilitator they replaced (the first one, through repeated covers)
    # and why; both cleared when that facilitator leads it again.
    covering_for_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    cover_reason: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)

    track: Mapped[Track] = relationship(lazy="raise")
    facilitator: Mapped[StaffMember | None] = relationship(
        lazy="raise", foreign_keys=[facilitator_id]
    )
    covering_for: Mapped[StaffMember | None] = relationship(
        lazy="raise", foreign_keys=[covering_for_id]
    )
    room: Mapped[Room | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class Appointment(Base, Timestamped):
    """An individual, physician, intake, drug-screen or family appointment for one patient."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_staff_start", "staff_member_id", "starts_at"),
        Index("ix_appointments_patient_start", "patient_id", "starts_at"),
        Index("ix_appointments_location_start", "location_id", "starts_at"),
        CheckConstraint("starts_at < ends_at", name="start_before_end"),
        CheckConstraint(_one_of("kind", APPOINTMENT_KINDS), name="kind_known"),
        CheckConstraint(_one_of("status", APPOINTMENT_STATUSES), name="status_known"),
        CheckConstraint("actual_minutes IS NULL OR actual_minutes >= 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"), index=True)
    staff_member_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    telehealth: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(14), default="scheduled")
    # Minutes actually delivered, recorded when the appointment is completed.
    actual_minutes: Mapped[int | None] = mapped_column(Integer)
    # Held by someone other than the patient's primary counselor (a stand-in).
    covering: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which "Plan next week" run proposed it, if any (no foreign key: runs may be pruned).
    plan_run_id: Mapped[int | None] = mapped_column(Integer)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    patient: Mapped[Patient] = relationship(lazy="raise")
    enrollment: Mapped[Enrollment | None] = relationship(lazy="raise")
    staff_member: Mapped[StaffMember] = relationship(lazy="raise")
    room: Mapped[Room | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
