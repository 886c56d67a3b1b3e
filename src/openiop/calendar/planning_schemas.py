"""JSON shapes of Plan next week (docs/api.md, "Plan next week")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from openiop.calendar.planning_service import week_text
from openiop.models import PlanRun


class PlanRunOut(BaseModel):
    id: int
    location_id: int
    week: str = Field(description="ISO week, YYYY-Www")
    week_start: date
    status: str = Field(description="queued, running, done or failed")
    progress: int = Field(description="0-100")
    started_at: datetime | None
    finished_at: datetime | None
    time_limit_seconds: int
    summary: dict[str, Any] | None = Field(
        description="counts of new, moved, unchanged, unplaced and kept appointments, "
        "and the engine's status, objective, gap and seconds"
    )
    proposal: dict[str, Any] | None = Field(
        description="items (each with an id to accept), unplaced (with reasons), kept"
    )
    accepted: dict[str, Any] = Field(
        description="item id -> created appointment id, or the reason it was refused"
    )
    error: str | None

    @classmethod
    def of(cls, run: PlanRun, *, with_proposal: bool = True) -> PlanRunOut:
        return cls(
            id=run.id,
            location_id=run.location_id,
            week=week_text(run.week_start),
            week_start=run.week_start,
            status=run.status,
            progress=run.progress,
            started_at=run.started_at,
            finished_at=run.finished_at,
            time_limit_seconds=run.time_limit_seconds,
            summary=run.summary,
            proposal=run.proposal if with_proposal else None,
            accepted=dict(run.accepted or {}),
            error=run.error,
        )


class PlanStarted(BaseModel):
    id: int
    status: str
    week: str
    location_id: int
    href: str = Field(description="where to GET the run")


class AcceptRequest(BaseModel):
    items: list[str] | None = Field(
        default=None, description="proposal item ids to accept (e.g. ['i1', 'i4']); null: all"
    )


class AcceptedItem(BaseModel):
    item: str
    appointment_id: int


class RefusedItem(BaseModel):
    item: str
    reason: str


class AcceptOut(BaseModel):
    created: list[AcceptedItem]
    refused: list[RefusedItem]
