"""Plan-next-week runs: one background solve of one location's week, and what it proposed.

A run is queued by a coordinator, solved by the in-process plan worker, then reviewed. The
proposal is kept as JSON (items with stable ids such as "i3", unplaced requests with the
engine's reasons) because it is a snapshot of one moment: nothing else joins against it, and
accepting an item creates an ordinary Appointment that carries `plan_run_id`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openiop.models.base import Base, Timestamped

PLAN_RUN_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_STATUSES = ("queued", "running")


class PlanRun(Base, Timestamped):
    __tablename__ = "plan_runs"
    __table_args__ = (
        Index("ix_plan_runs_location_week", "location_id", "week_start"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    week_start: Mapped[date] = mapped_column(Date)  # the Monday of the planned ISO week
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # "location:week" while queued or running, NULL after: a unique key that refuses a second
    # active run for the same week even when two requests race (NULLs never collide).
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=10)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Item id -> appointment id created from it, and item id -> why it was refused.
    accepted: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
