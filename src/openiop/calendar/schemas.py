"""The calendar's JSON shapes (/api/v1/calendar/...)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Kind = Literal["intake", "individual", "physician", "drug_screen", "family_session"]


class AppointmentIn(BaseModel):
    """A new appointment. Give `ends_at` or `minutes`; neither means the kind's usual length
    (individual 50, physician 20, drug screen 10, family 60, intake 90)."""

    model_config = ConfigDict(extra="forbid")

    patient_id: int
    staff_member_id: int
    location_id: int
    kind: Kind
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    minutes: int | None = Field(None, ge=5, le=480)
    room_id: int | None = None
    telehealth: bool = False


class AppointmentMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    minutes: int | None = Field(None, ge=5, le=480)
    staff_member_id: int | None = None
    room_id: int | None = None
    telehealth: bool | None = None


class AppointmentCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str = Field(min_length=1, max_length=200)
    late: bool | None = Field(None, description="Omit to decide by the 24-hour rule")


class AppointmentComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    outcome: Literal["completed", "no_show"]
    actual_minutes: int | None = Field(None, ge=1, le=480)
    reason: str | None = Field(None, max_length=200, description="Required for a past day")


class AppointmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    staff_member_id: int
    location_id: int
    enrollment_id: int | None
    kind: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    telehealth: bool
    status: str
    actual_minutes: int | None
    covering: bool
    cancel_reason: str | None
    plan_run_id: int | None
    version: int


class ConflictOut(BaseModel):
    code: str
    field: str
    message: str


class ConflictCheck(BaseModel):
    ok: bool
    conflicts: list[ConflictOut]


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first: date
    last: date
    location_id: int | None = None


class PlannedSessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    track_id: int
    session_date: date
    starts_at: datetime
    ends_at: datetime
    topic: str
    facilitator_id: int | None
    room_id: int | None


class GenerateOut(BaseModel):
    created: list[PlannedSessionOut]
    skipped_existing: int
    skipped_closed: list[date]


class SessionCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str = Field(min_length=1, max_length=200)


class SessionCover(BaseModel):
    """A stand-in facilitator for one session; the reason is kept in the audit trail."""

    model_config = ConfigDict(extra="forbid")

    version: int
    facilitator_id: int
    reason: str | None = Field(None, max_length=200)


class GroupSessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    track_id: int
    location_id: int
    session_date: date
    starts_at: datetime
    ends_at: datetime
    topic: str
    facilitator_id: int | None
    # The facilitator a stand-in replaced; null when the usual facilitator leads it.
    covering_for_id: int | None
    room_id: int | None
    status: str
    cancel_reason: str | None
    version: int


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    start: datetime
    end: datetime
    kind: str
    title: str
    detail: str
    status: str
    href: str | None
    telehealth: bool


class DayOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    closed: str | None
    items: list[ItemOut]


class RequirementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label: str
    needed: int
    planned: int
    done: int
    state: str


class WeekOut(BaseModel):
    title: str
    subject: str
    subject_id: int
    time_zone: str
    week_start: date
    days: list[DayOut]
    requirements: list[RequirementOut]
