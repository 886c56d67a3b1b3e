"""Pydantic shapes of the attendance API and the views the pages render."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class RosterRowIn(BaseModel):
    """One patient's attendance; times are local wall-clock "HH:MM" on the session's day."""

    enrollment_id: int
    status: str
    check_in: str | None = Field(None, description='Local time, e.g. "09:20"')
    check_out: str | None = Field(None, description='Local time, e.g. "11:40"')


class AttendanceIn(BaseModel):
    rows: list[RosterRowIn] = Field(default_factory=list)
    # "All present" with exceptions: every roster patient not listed in rows gets this status.
    others: str | None = Field(None, description='e.g. "present"; null leaves them unrecorded')
    reason: str | None = Field(None, description="Required when changing a past day")
    version: int | None = Field(None, description="The session version read, if known")


class AppointmentCompletionIn(BaseModel):
    status: str = Field(description="completed, no_show, late_cancelled or cancelled")
    actual_minutes: int | None = None
    reason: str | None = Field(None, description="Required when changing a past day")


class RosterRowOut(BaseModel):
    enrollment_id: int
    patient_id: int
    patient_name: str
    status: str | None
    check_in: str | None
    check_out: str | None
    minutes: int


class RosterOut(BaseModel):
    session_id: int
    track: str
    topic: str
    session_date: date
    starts_at: datetime
    ends_at: datetime
    status: str
    scheduled_minutes: int
    rows: list[RosterRowOut]


class AppointmentOut(BaseModel):
    id: int
    patient_id: int
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    actual_minutes: int | None


class ComplianceOut(BaseModel):
    week: str
    group_minutes: int
    group_days: int
    required_group_minutes: int
    individual_minutes: int
    physician_visits: int
    compliant: bool
    gaps: list[str]


class LedgerDayOut(BaseModel):
    service_date: date
    group_minutes: int
    group_sessions_attended: int
    group_scheduled_minutes: int
    individual_minutes: int
    individual_sessions: int
    individual_session_minutes: list[int] = Field(
        description="Each completed individual session's minutes, in start order"
    )
    physician_minutes: int
    physician_visits: int
    updated_at: datetime


class CorrectionOut(BaseModel):
    service_date: date
    object_type: str
    object_id: int
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]
    changed_by_user_id: int | None
    changed_at: datetime


class LedgerOut(BaseModel):
    enrollment_id: int
    patient_id: int
    days: list[LedgerDayOut]
    corrections: list[CorrectionOut] = Field(
        default_factory=list, description="Changes made to these days after the day"
    )
