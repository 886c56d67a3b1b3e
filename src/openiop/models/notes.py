"""Clinical notes: group notes written once, per-patient chart notes, medications, addenda,
links to plan objectives, and private SUD counseling notes kept apart and encrypted.

A group note's shared part (topic, content, interventions) lives in `group_notes`; each
attendee's individualized part is a `clinical_notes` row of kind "group" pointing at it, so a
chart reads its own row plus the shared part and never another attendee's row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.models.base import Base, Timestamped
from openiop.models.calendar import GroupSession


class Signable:
    """Columns every signable note shares: the lifecycle and its evidence."""

    status: Mapped[str] = mapped_column(String(10), default="draft")
    signed_at: Mapped[datetime | None] = mapped_column()
    signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    cosign_required: Mapped[bool] = mapped_column(Boolean, default=False)
    cosigned_at: Mapped[datetime | None] = mapped_column()
    cosigned_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class GroupNote(Base, Timestamped, Signable):
    """The shared part of one group session's note, written once by the facilitator."""

    __tablename__ = "group_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_session_id: Mapped[int] = mapped_column(ForeignKey("group_sessions.id"), unique=True)
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    topic: Mapped[str] = mapped_column(String(120), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    interventions: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    group_session: Mapped[GroupSession] = relationship(lazy="raise")
    parts: Mapped[list[ClinicalNote]] = relationship(back_populates="group_note", lazy="raise")

    __mapper_args__ = {"version_id_col": version}


note_objectives = Table(
    "note_objectives",
    Base.metadata,
    Column("note_id", ForeignKey("clinical_notes.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "objective_id",
        ForeignKey("plan_objectives.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ClinicalNote(Base, Timestamped, Signable):
    """One note in one patient's chart (for a group: that patient's part only)."""

    __tablename__ = "clinical_notes"
    __table_args__ = (
        UniqueConstraint("group_note_id", "patient_id"),
        Index("ix_clinical_notes_patient_date", "patient_id", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    kind: Mapped[str] = mapped_column(String(12))  # counseling, physician, intake, contact, group
    format: Mapped[str] = mapped_column(String(8))  # dap, birp, soap, intake, contact, group
    group_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_notes.id", ondelete="CASCADE")
    )
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    service_date: Mapped[date] = mapped_column(Date)  # local date of service
    service_at: Mapped[datetime] = mapped_column()  # when the service ended (late-entry clock)
    contact_method: Mapped[str | None] = mapped_column(String(12))  # contact notes only
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)

    group_note: Mapped[GroupNote | None] = relationship(back_populates="parts", lazy="raise")
    medications: Mapped[list[NoteMedication]] = relationship(
        lazy="raise", order_by="NoteMedication.position", cascade="all, delete-orphan"
    )
    addenda: Mapped[list[NoteAddendum]] = relationship(
        lazy="raise", order_by="NoteAddendum.created_at"
    )

    __mapper_args__ = {"version_id_col": version}


class NoteMedication(Base):
    """A medication listed on a physician note: name, dose, route and frequency."""

    __tablename__ = "note_medications"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("clinical_notes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    dose: Mapped[str] = mapped_column(String(120))
    route: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(120))


class NoteAddendum(Base):
    """A dated addition to a signed note; the note itself never changes after signing."""

    __tablename__ = "note_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("clinical_notes.id"), index=True)
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()


class PrivateCounselingNote(Base, Timestamped):
    """A SUD counseling (process) note: kept apart from the chart, encrypted at rest, seen
    only by its author. Only the ciphertext is stored; the key comes from settings."""

    __tablename__ = "private_counseling_notes"
    __table_args__ = (
        Index("ix_private_counseling_notes_author_patient", "author_user_id", "patient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_date: Mapped[date] = mapped_column(Date)
    ciphertext: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
