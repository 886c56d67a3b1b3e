"""Pydantic I/O models for locations, rooms, programs, tracks and staff.

`...Create` models carry a whole record; `...Patch` models carry only what changes plus the
`version` the client last saw (optimistic locking). `parse` turns any input, a JSON body or a
submitted form, into a model or a ValidationFailed whose messages name the fields.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)

from openiop.kit.errors import ValidationFailed


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Text20 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
OptText200 = Annotated[
    Annotated[str, StringConstraints(max_length=200)] | None, BeforeValidator(_blank_to_none)
]
OptShort = Annotated[
    Annotated[str, StringConstraints(max_length=30)] | None, BeforeValidator(_blank_to_none)
]
Email = Annotated[EmailStr, StringConstraints(max_length=254), BeforeValidator(_lower)]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
OptId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
# Hours are exact decimals in the database; JSON clients get plain numbers.
Hours = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- locations and rooms ------------------------------------------------------------------


class LocationCreate(_In):
    code: Text20 = Field(description="Short unique code, e.g. OAK")
    name: Text200
    address_line1: Text200
    address_line2: OptText200 = None
    city: Text100
    state: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True)] = "CA"
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]
    phone: OptShort = None
    time_zone: Short = "America/Los_Angeles"
    npi: OptShort = Field(None, description="The site's organizational NPI (type 2)")
    active: bool = True
    organization_id: OptId = None


class LocationPatch(_In):
    version: int
    code: Text20 | None = None
    name: Text200 | None = None
    address_line1: Text200 | None = None
    address_line2: OptText200 = None
    city: Text100 | None = None
    state: str | None = None
    postal_code: str | None = None
    phone: OptShort = None
    time_zone: Short | None = None
    npi: OptShort = None
    active: bool | None = None


class RoomCreate(_In):
    name: Text100
    capacity: int
    telehealth: bool = False
    active: bool = True


class RoomPatch(_In):
    version: int
    name: Text100 | None = None
    capacity: int | None = None
    telehealth: bool | None = None
    active: bool | None = None


class RoomOut(_Out):
    id: int
    location_id: int
    name: str
    capacity: int
    telehealth: bool
    active: bool
    version: int


class LocationOut(_Out):
    id: int
    organization_id: int
    code: str
    name: str
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    postal_code: str
    phone: str | None
    time_zone: str
    npi: str | None
    active: bool
    version: int


class LocationDetail(LocationOut):
    rooms: list[RoomOut]


# ---- programs -----------------------------------------------------------------------------


class ProgramCreate(_In):
    code: Text20
    name: Text200
    asam_level: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5)] = "2.1"
    population: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = "adult"
    group_days_per_week: int = 5
    group_hours_per_day: Decimal = Decimal("3")
    min_weekly_hours: Annotated[Decimal | None, BeforeValidator(_blank_to_none)] = Field(
        None, description="Defaults to the level's lower bound (9 h adults, 6 h adolescents)"
    )
    max_weekly_hours: Annotated[Decimal | None, BeforeValidator(_blank_to_none)] = Field(
        None, description="Defaults to the level's upper bound (19 h for level 2.1)"
    )
    individual_sessions_per_week: int = 1
    individual_min_minutes: int = 50
    physician_visits_per_week: int = 1
    physician_visit_minutes: int = 20
    active: bool = True
    organization_id: OptId = None


class ProgramPatch(_In):
    version: int
    code: Text20 | None = None
    name: Text200 | None = None
    asam_level: str | None = None
    population: str | None = None
    group_days_per_week: int | None = None
    group_hours_per_day: Decimal | None = None
    min_weekly_hours: Decimal | None = None
    max_weekly_hours: Decimal | None = None
    individual_sessions_per_week: int | None = None
    individual_min_minutes: int | None = None
    physician_visits_per_week: int | None = None
    physician_visit_minutes: int | None = None
    active: bool | None = None


class ProgramOut(_Out):
    id: int
    organization_id: int
    code: str
    name: str
    asam_level: str
    population: str
    group_days_per_week: int
    group_hours_per_day: Hours
    min_weekly_hours: Hours
    max_weekly_hours: Hours
    individual_sessions_per_week: int
    individual_min_minutes: int
    physician_visits_per_week: int
    physician_visit_minutes: int
    active: bool
    version: int
    summary: str = Field(description='Plain language, e.g. "5 days × 3 h = 15 h a week, ..."')


# ---- tracks -------------------------------------------------------------------------------


class TrackCreate(_In):
    program_id: Id
    location_id: Id
    room_id: OptId = None
    name: Text100
    weekdays: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = Field(
        "12345", description='ISO weekday digits, Monday=1: "12345" is Monday to Friday'
    )
    start_time: time
    end_time: time
    group_size_cap: int = 12
    facilitator_ids: list[Id] = Field(default_factory=list, max_length=50)
    active: bool = True


class TrackPatch(_In):
    version: int
    program_id: Id | None = None
    location_id: Id | None = None
    room_id: OptId = None
    name: Text100 | None = None
    weekdays: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    group_size_cap: int | None = None
    facilitator_ids: list[Id] | None = Field(None, max_length=50)
    active: bool | None = None


class TrackOut(_Out):
    id: int
    program_id: int
    location_id: int
    room_id: int | None
    name: str
    weekdays: str
    start_time: time
    end_time: time
    group_size_cap: int
    facilitator_ids: list[int]
    active: bool
    version: int


# ---- staff --------------------------------------------------------------------------------


class StaffCreate(_In):
    first_name: Text100
    last_name: Text100
    email: Email
    credentials: list[Annotated[str, StringConstraints(max_length=20)]] = Field(
        default_factory=list, max_length=17, description="Codes such as LCSW, CADC, MD"
    )
    npi: OptShort = Field(None, description="Required for MD, DO, NP and PA")
    location_ids: list[Id] = Field(default_factory=list, max_length=100)
    caseload_cap: int = 0
    weekly_hours: Decimal = Decimal("40")
    active: bool = True
    organization_id: OptId = None


class StaffPatch(_In):
    version: int
    first_name: Text100 | None = None
    last_name: Text100 | None = None
    email: Email | None = None
    credentials: list[Annotated[str, StringConstraints(max_length=20)]] | None = Field(
        None, max_length=17
    )
    npi: OptShort = None
    location_ids: list[Id] | None = Field(None, max_length=100)
    caseload_cap: int | None = None
    weekly_hours: Decimal | None = None
    active: bool | None = None


class StaffOut(_Out):
    id: int
    organization_id: int
    first_name: str
    last_name: str
    email: str
    credentials: list[str]
    npi: str | None
    location_ids: list[int]
    caseload_cap: int
    weekly_hours: Hours
    active: bool
    needs_supervision: bool
    version: int


# ---- lists and parsing --------------------------------------------------------------------

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


_MESSAGES = {
    "missing": "Required.",
    "string_too_short": "Required.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "decimal_parsing": "Enter a number.",
    "decimal_type": "Enter a number.",
    "finite_number": "Enter a number.",
    "time_parsing": "Enter a time as HH:MM.",
    "time_type": "Enter a time as HH:MM.",
    "bool_parsing": "Choose yes or no.",
    "extra_forbidden": "Not a field of this record.",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if error.get("input", "") is None:
        return "Required."
    if kind == "string_too_long":
        return f"At most {error['ctx']['max_length']} characters."
    if kind == "too_long":
        return f"At most {error['ctx']['max_length']} items."
    if kind in ("greater_than_equal", "less_than_equal"):
        return "Choose one from the list."
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return "Enter a valid email address."
    return _MESSAGES.get(kind, str(error.get("msg", "Invalid value.")))


M = TypeVar("M", bound=BaseModel)


def field_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "body"
        errors.setdefault(name, _message(item))
    return errors


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate input into `model`, or raise ValidationFailed naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = field_errors(error)
        raise ValidationFailed(
            "Please correct: " + ", ".join(fields) + ".", field_errors=fields
        ) from None
