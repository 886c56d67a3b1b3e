"""Calendar feed tokens and the appointment-reminder outbox.

A feed token is a random secret in a URL that calendar apps poll without signing in; only its
SHA-256 is stored, so a database leak does not leak working feed URLs. A token belongs to
exactly one staff member or one patient.

A reminder is one row per appointment (or per patient group day) in an outbox: a job queues
rows ahead of time and a sender delivers the due ones, recording attempts and the last error,
so a failing mail server delays a reminder instead of losing it or sending it twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openiop.models.base import Base, Timestamped

FEED_OWNER_KINDS = ("staff", "patient")
REMINDER_STATUSES = ("queued", "sent", "failed", "dropped")


class CalendarFeedToken(Base):
    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (
        CheckConstraint("(staff_member_id IS NULL) <> (patient_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so people can tell their feeds apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column()
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()

    @property
    def owner_kind(self) -> str:
        return "staff" if self.staff_member_id is not None else "patient"


class ReminderPreference(Base, Timestamped):
    """A patient's consent to email reminders; none means no reminders at all."""

    __tablename__ = "reminder_preferences"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    email_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # Group days are daily and predictable: some patients want no reminder for them.
    group_days: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Reminder(Base, Timestamped):
    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(
            "(appointment_id IS NULL) <> (group_session_id IS NULL)", name="one_subject"
        ),
        CheckConstraint("status IN ('queued', 'sent', 'failed', 'dropped')", name="status_known"),
        # One reminder per appointment, and per patient and group day: re-runs never duplicate.
        Index("uq_reminders_appointment", "appointment_id", unique=True),
        Index("uq_reminders_patient_group_session", "patient_id", "group_session_id", unique=True),
        Index("ix_reminders_status_send_after", "status", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    group_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_sessions.id"), index=True
    )
    # When the visit starts, as known when the reminder was last checked.
    starts_at: Mapped[datetime] = mapped_column()
    send_after: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    sent_to: Mapped[str | None] = mapped_column(String(254))
    drop_reason: Mapped[str | None] = mapped_column(String(100))
