"""Pydantic I/O models for admissions: the level-of-care API, and the checked values of the
public forms (inquiry, cost comparison) and the staff rates form.

`read_*` functions take a submitted form (strings) and return a model, or raise
ValidationFailed whose `field_errors` name each field with a plain message, so a page can
re-render the form with the values and the messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, TypeAdapter, ValidationError

from openiop.admissions import cost_estimate
from openiop.admissions.dsm5 import SUBSTANCES
from openiop.kit.errors import ValidationFailed
from openiop.kit.identifiers import normalize_us_phone

# ---- level-of-care API ---------------------------------------------------------------------

_EXAMPLE = {
    "substances": ["alcohol"],
    "dsm5_criteria_met": {"alcohol": 5},
    "instruments": {
        "PHQ-9": [1, 1, 2, 1, 0, 1, 1, 0, 0],
        "CIWA-Ar": [1, 1, 0, 1, 0, 0, 0, 0, 1, 0],
    },
    "home_environment": "safe_home",
    "dimension_ratings": {"1": 1, "2": 0, "3": 1, "4": 2, "5": 2, "6": 1},
}


class EvaluateRequest(BaseModel):
    """Loosely typed on purpose: the level-of-care rules check every value themselves and name
    the instrument and item at fault, which is more useful than a generic type error."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    substances: list[Any] = Field(description="Substance classes of concern, e.g. alcohol")
    dsm5_criteria_met: dict[str, Any] = Field(description="DSM-5 criteria met (0–11) per substance")
    home_environment: Any = Field(description="safe_home | sober_living | unsafe")
    instruments: dict[str, Any] | None = Field(
        None, description='Answers per instrument, e.g. {"PHQ-9": [9 item scores]}'
    )
    dimension_ratings: dict[str, Any] | None = Field(
        None, description='ASAM dimension ratings 0–4, e.g. {"1": 0, ..., "6": 2}'
    )


class ReasonOut(BaseModel):
    rule: str
    detail: str
    meaning: str = Field(description="The rule in plain words")


class EvaluateResponse(BaseModel):
    recommendation: str
    label: str
    scores: dict[str, Any]
    reasons: list[ReasonOut]
    also_indicated: list[str]
    dsm5: list[dict[str, Any]]


# ---- shared form helpers -------------------------------------------------------------------


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _optional(form: Mapping[str, str], name: str, limit: int, errors: dict[str, str]) -> str | None:
    value = _text(form, name)
    if len(value) > limit:
        errors[name] = f"Keep this to {limit} characters or fewer."
    return value or None


def _required(
    form: Mapping[str, str], name: str, limit: int, message: str, errors: dict[str, str]
) -> str:
    value = _text(form, name)
    if not value:
        errors[name] = message
    elif len(value) > limit:
        errors[name] = f"Keep this to {limit} characters or fewer."
    return value


def _one_of(
    form: Mapping[str, str], name: str, allowed: Mapping[str, str], message: str, errors: dict
) -> str:
    value = _text(form, name)
    if value not in allowed:
        errors[name] = message
    return value


def _whole(
    form: Mapping[str, str], name: str, low: int, high: int, what: str, errors: dict[str, str]
) -> int:
    raw = _text(form, name)
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = f"Enter {what} from {low} to {high}."
        return low
    return int(raw)


def _id(form: Mapping[str, str], name: str, message: str, errors: dict[str, str]) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors[name] = message
        return None
    return int(raw)


def _refuse(errors: dict[str, str], message: str = "Please correct the fields marked.") -> None:
    if errors:
        raise ValidationFailed(message, field_errors=errors)


# ---- inquiry -------------------------------------------------------------------------------

RELATIONSHIPS = {
    "self": "I am asking for myself",
    "family": "I am a family member or friend",
    "referrer": "I am a professional referring someone",
}
CONTACT_METHODS = {"phone": "Phone call", "text": "Text message", "email": "Email"}
INQUIRY_SUBSTANCES = {**SUBSTANCES, "not_sure": "Not sure"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_EMAIL = TypeAdapter(EmailStr)


class InquiryIn(BaseModel):
    name: str
    caller_relationship: str
    person_name: str | None
    contact_method: str
    phone: str | None
    email: str | None
    best_times: str | None
    substances: list[str]
    insurance_carrier: str | None
    location_id: int | None
    consent_to_contact: bool
    message: str | None
    idempotency_key: str


def read_inquiry(form: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> InquiryIn:
    errors: dict[str, str] = {}
    method = _one_of(
        form, "contact_method", CONTACT_METHODS, "Choose how we should contact you.", errors
    )
    chosen = list(dict.fromkeys(lists.get("substances", ())))
    if any(s not in INQUIRY_SUBSTANCES for s in chosen):
        errors["substances"] = "Choose substances from the list."
    data = InquiryIn(
        name=_required(form, "name", 200, "Tell us your name.", errors),
        caller_relationship=_one_of(
            form, "caller_relationship", RELATIONSHIPS, "Tell us who is asking.", errors
        ),
        person_name=_optional(form, "person_name", 200, errors),
        contact_method=method,
        phone=_phone(form, method, errors),
        email=_email(form, method, errors),
        best_times=_optional(form, "best_times", 200, errors),
        substances=[s for s in chosen if s in INQUIRY_SUBSTANCES],
        insurance_carrier=_optional(form, "insurance_carrier", 100, errors),
        location_id=_id(form, "location_id", "Choose a location from the list.", errors),
        consent_to_contact=bool(form.get("consent_to_contact")),
        message=_optional(form, "message", 1000, errors),
        idempotency_key=_text(form, "idempotency_key"),
    )
    if not data.consent_to_contact:
        errors["consent_to_contact"] = "Tick the box so that we may contact you."
    _refuse(errors)
    return data


def token_is_valid(token: str) -> bool:
    return bool(_TOKEN.match(token))


def _phone(form: Mapping[str, str], method: str, errors: dict[str, str]) -> str | None:
    raw = _text(form, "phone")
    if not raw:
        if method in {"phone", "text"}:
            errors["phone"] = "Give a phone number so we can call or text you."
        return None
    phone = normalize_us_phone(raw)
    if phone is None:
        errors["phone"] = "Enter a 10-digit US phone number, such as 555-010-0123."
    return phone


def _email(form: Mapping[str, str], method: str, errors: dict[str, str]) -> str | None:
    raw = _text(form, "email")
    if not raw:
        if method == "email":
            errors["email"] = "Give an email address so we can write to you."
        return None
    try:
        if len(raw) <= 254:
            return str(_EMAIL.validate_python(raw)).lower()
    except ValidationError:
        pass
    errors["email"] = "Enter an email address such as name@example.org."
    return None


# ---- cost comparison -----------------------------------------------------------------------


class CostIn(BaseModel):
    location_id: int | None
    iop_weeks: int
    other_kind: str
    other_days: int
    insurance: cost_estimate.Insurance


def read_cost(form: Mapping[str, str]) -> CostIn:
    errors: dict[str, str] = {}
    location_id = _id(form, "location_id", "Choose a location from the list.", errors)
    if location_id is None and "location_id" not in errors:
        errors["location_id"] = "Choose a location."
    data = CostIn(
        location_id=location_id,
        iop_weeks=_whole(form, "iop_weeks", 1, 52, "a number of weeks", errors),
        other_kind=_one_of(
            form, "other_kind", cost_estimate.OTHER_KINDS, "Choose what to compare with.", errors
        ),
        other_days=_whole(form, "other_days", 1, 365, "a number of days", errors),
        insurance=cost_estimate.Insurance(
            deductible_remaining_cents=_money(form, "deductible", errors),
            coinsurance_percent=_percent(form, "coinsurance", errors),
            oop_max_remaining_cents=_money(form, "oop_max", errors),
        ),
    )
    _refuse(errors)
    return data


def _money(form: Mapping[str, str], name: str, errors: dict[str, str]) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return cost_estimate.parse_dollars(raw)
    except ValueError as error:
        errors[name] = str(error)
        return None


def _percent(form: Mapping[str, str], name: str, errors: dict[str, str]) -> Decimal | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return cost_estimate.parse_percent(raw)
    except ValueError as error:
        errors[name] = str(error)
        return None


# ---- staff: day rates ----------------------------------------------------------------------

RATE_FIELDS = ("iop_day_rate", "residential_day_rate", "inpatient_day_rate")


class RateIn(BaseModel):
    location_id: int
    effective_from: date
    iop_day_rate_cents: int
    residential_day_rate_cents: int
    inpatient_day_rate_cents: int


def read_rate(form: Mapping[str, str], *, location_id: int | None = None) -> RateIn:
    """`location_id` is fixed when correcting an existing row; otherwise it comes from the form."""
    errors: dict[str, str] = {}
    if location_id is None:
        location_id = _id(form, "location_id", "Choose a location from the list.", errors)
        if location_id is None and "location_id" not in errors:
            errors["location_id"] = "Choose a location."
    effective = _date(form, "effective_from", errors)
    cents = {name: _day_rate(form, name, errors) for name in RATE_FIELDS}
    _refuse(errors)
    return RateIn(
        location_id=location_id or 0,
        effective_from=effective or date.min,
        **{f"{name}_cents": value for name, value in cents.items()},
    )


def _date(form: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = _text(form, name)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    errors[name] = "Enter a date as YYYY-MM-DD."
    return None


def _day_rate(form: Mapping[str, str], name: str, errors: dict[str, str]) -> int:
    raw = _text(form, name)
    if not raw:
        errors[name] = "Enter a day rate in dollars."
        return 0
    try:
        cents = cost_estimate.parse_dollars(raw)
    except ValueError as error:
        errors[name] = str(error)
        return 0
    if cents > cost_estimate.MAX_DAY_RATE_CENTS:
        errors[name] = "A day rate above $100,000 looks like a typing slip."
    return cents
