"""Programs with their policy, and tracks (a recurring group schedule at one location)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from sqlalchemy import Boolean, Column, ForeignKey, Integer, Numeric, String, Table, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.models.base import Base, Timestamped

track_facilitators = Table(
    "track_facilitators",
    Base.metadata,
    Column("track_id", ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_member_id", ForeignKey("staff_members.id"), primary_key=True, index=True),
)


class Program(Base, Timestamped):
    """A level of care the provider runs; its policy holds the weekly requirements."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    asam_level: Mapped[str] = mapped_column(String(5), default="2.1")
    population: Mapped[str] = mapped_column(String(20), default="adult")
    # Policy: the seed defaults are 5 days x 3 h, one individual session >= 50 min and one
    # physician visit a week, within ASAM level 2.1's 9-19 hours a week for adults.
    group_days_per_week: Mapped[int] = mapped_column(Integer, default=5)
    group_hours_per_day: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("3"))
    min_weekly_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("9"))
    max_weekly_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("19"))
    individual_sessions_per_week: Mapped[int] = mapped_column(Integer, default=1)
    individual_min_minutes: Mapped[int] = mapped_column(Integer, default=50)
    physician_visits_per_week: Mapped[int] = mapped_column(Integer, default=1)
    physician_visit_minutes: Mapped[int] = mapped_column(Integer, default=20)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Track(Base, Timestamped):
    """A recurring group schedule, e.g. mornings 09:00-12:00 Monday to Friday at one site."""

    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    name: Mapped[str] = mapped_column(String(100))
    # ISO weekdays as digits, Monday=1: "12345" is Monday to Friday.
    weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    group_size_cap: Mapped[int] = mapped_column(Integer, default=12)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    facilitators: Mapped[list[StaffMember]] = relationship(  # noqa: F821
        secondary=track_facilitators, lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}
