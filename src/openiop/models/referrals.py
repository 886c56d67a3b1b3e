"""Where admissions sends a person the program does not fit: referral partners (other
programs, by the levels of care they offer), sober-living homes, and each referral made."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from openiop.models.base import Base, Timestamped


class ReferralPartner(Base, Timestamped):
    """A program we refer to. `levels` holds level-of-care keys (see
    admissions.level_of_care.INTENSITY) as a comma-separated list, e.g.
    "residential,withdrawal_management"."""

    __tablename__ = "referral_partners"
    __table_args__ = (Index("ix_referral_partners_city", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    levels: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def level_list(self) -> list[str]:
        return [level for level in self.levels.split(",") if level]


class SoberLivingHome(Base, Timestamped):
    """A sober-living home: for the person whose home is not safe to recover in.
    `certified_by` names the certifying body (e.g. CCAPP), blank when not certified."""

    __tablename__ = "sober_living_homes"
    __table_args__ = (
        Index("ix_sober_living_homes_city", "city"),
        CheckConstraint("beds >= 0", name="beds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    beds: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(20))  # men, women, all
    phone: Mapped[str | None] = mapped_column(String(20))
    certified_by: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Referral(Base):
    """One referral made from an inquiry: to a partner, a sober-living home or both, at a level
    of care, why, by whom and when, and the date someone checks that the person got there."""

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint(
            "partner_id IS NOT NULL OR sober_living_home_id IS NOT NULL", name="has_destination"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("referral_partners.id"))
    sober_living_home_id: Mapped[int | None] = mapped_column(ForeignKey("sober_living_homes.id"))
    level: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    follow_up_date: Mapped[date] = mapped_column(Date)
    follow_up_task_id: Mapped[int | None] = mapped_column(ForeignKey("clinical_tasks.id"))
    referred_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column()
