"""Attendance at group sessions, the daily minutes ledger and corrections after the day.

`DailyMinutes` is the one ledger that compliance, billing and authorizations read: one row
per enrollment per local date of service, rebuilt from its sources (group attendance and
completed appointments) in the same transaction as every change to them. See
docs/attendance.md for the contract.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.kit import clock
from openiop.models.base import Base, Timestamped
from openiop.models.calendar import GroupSession
from openiop.models.patients import Enrollment, Patient

ATTENDANCE_STATUSES = ("present", "late", "left_early", "absent_excused", "absent_unexcused")


class GroupAttendance(Base, Timestamped):
    """One patient's attendance at one group session: status, times and minutes attended."""

    __tablename__ = "group_attendance"
    __table_args__ = (
        UniqueConstraint("group_session_id", "enrollment_id"),
        CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in ATTENDANCE_STATUSES) + ")",
            name="status_known",
        ),
        CheckConstraint("minutes >= 0", name="minutes_positive"),
        CheckConstraint(
            "check_out_at IS NULL OR check_in_at IS NULL OR check_in_at < check_out_at",
            name="in_before_out",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_session_id: Mapped[int] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE")
    )
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    check_in_at: Mapped[datetime | None] = mapped_column()
    check_out_at: Mapped[datetime | None] = mapped_column()
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    session: Mapped[GroupSession] = relationship(lazy="raise")
    enrollment: Mapped[Enrollment] = relationship(lazy="raise")
    patient: Mapped[Patient] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class DailyMinutes(Base):
    """The minutes ledger: what one enrollment received on one local date of service."""

    __tablename__ = "daily_minutes"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "service_date"),
        Index("ix_daily_minutes_location_date", "location_id", "service_date"),
        Index("ix_daily_minutes_patient_date", "patient_id", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    service_date: Mapped[date] = mapped_column(Date)
    group_minutes: Mapped[int] = mapped_column(Integer, default=0)
    group_sessions_attended: Mapped[int] = mapped_column(Integer, default=0)
    # Minutes of the group sessions the patient was expected at (attended or not).
    group_scheduled_minutes: Mapped[int] = mapped_column(Integer, default=0)
    individual_minutes: Mapped[int] = mapped_column(Integer, default=0)
    individual_sessions: Mapped[int] = mapped_column(Integer, default=0)
    individual_longest_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Each completed individual session's minutes in start order: compliance counts the
    # sessions that meet a minimum length, which a total and a count cannot tell.
    individual_session_minutes: Mapped[list[int]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    physician_minutes: Mapped[int] = mapped_column(Integer, default=0)
    physician_visits: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class AttendanceCorrection(Base):
    """A change to attendance or an appointment's minutes after its day, with the reason."""

    __tablename__ = "attendance_corrections"
    __table_args__ = (
        Index("ix_attendance_corrections_patient_date", "patient_id", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"))
    service_date: Mapped[date] = mapped_column(Date)
    object_type: Mapped[str] = mapped_column(String(20))  # group_attendance, appointment
    object_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(Text)  # JSON of the changed fields before
    after: Mapped[str] = mapped_column(Text)  # and after
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=clock.now)
