"""Staff members: the people who deliver care, with credentials, sites and capacity."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, Column, ForeignKey, Integer, Numeric, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openiop.models.base import Base, Timestamped
from openiop.models.organization import Location

staff_locations = Table(
    "staff_locations",
    Base.metadata,
    Column("staff_member_id", ForeignKey("staff_members.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("locations.id"), primary_key=True, index=True),
)


class StaffMember(Base, Timestamped):
    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Comma-separated credential codes, e.g. "LCSW,CADC"; see programs.rules.CREDENTIALS.
    credentials: Mapped[str] = mapped_column(String(100), default="")
    npi: Mapped[str | None] = mapped_column(String(10))
    caseload_cap: Mapped[int] = mapped_column(Integer, default=0)
    weekly_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("40"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    locations: Mapped[list[Location]] = relationship(secondary=staff_locations, lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def credential_list(self) -> list[str]:
        return [c for c in self.credentials.split(",") if c]
