"""Checked values for the staff pipeline: the inquiry edit, a contact-log entry and a referral
source, read from a form (strings) or an API body. `read_*` raise ValidationFailed naming
each field, so a page can re-render the form with the values and messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from openiop.admissions.pipeline_rules import STAGES
from openiop.kit.errors import ValidationFailed

CHANNELS = {
    "call": "Phone call",
    "text": "Text message",
    "email": "Email",
    "in_person": "In person",
}
DIRECTIONS = {"outbound": "We contacted them", "inbound": "They contacted us"}
OUTCOMES = {
    "reached": "Reached",
    "left_message": "Left a message",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
}
SOURCE_KINDS = {
    "self": "Self",
    "family": "Family or friend",
    "provider": "Health-care provider",
    "court": "Court or probation",
    "employer": "Employer",
    "other": "Other",
}
EDIT_FIELDS = (
    "stage",
    "closed_reason",
    "owner_user_id",
    "next_action_date",
    "referral_source_id",
    "date_of_birth",
)


class InquiryUpdate(BaseModel):
    stage: str
    closed_reason: str | None
    owner_user_id: int | None
    next_action_date: date | None
    referral_source_id: int | None
    date_of_birth: date | None


class ContactIn(BaseModel):
    channel: str
    direction: str
    outcome: str
    note: str | None
    contacted_at: datetime | None  # None: now


class SourceIn(BaseModel):
    name: str
    kind: str


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return "" if value is None else str(value).strip()


def _id(form: Mapping[str, Any], name: str, errors: dict[str, str]) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors[name] = "Choose from the list."
        return None
    return int(raw)


def _date(form: Mapping[str, Any], name: str, errors: dict[str, str]) -> date | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    errors[name] = "Enter a date as YYYY-MM-DD."
    return None


def _limited(form: Mapping[str, Any], name: str, limit: int, errors: dict[str, str]) -> str:
    value = _text(form, name)
    if len(value) > limit:
        errors[name] = f"Keep this to {limit} characters or fewer."
    return value


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed("Please correct the fields marked.", field_errors=errors)


def read_update(form: Mapping[str, Any], *, today: date) -> InquiryUpdate:
    errors: dict[str, str] = {}
    stage = _text(form, "stage")
    if stage not in STAGES:
        errors["stage"] = "Choose a stage from the list."
    born = _date(form, "date_of_birth", errors)
    if born is not None and not date(1900, 1, 1) <= born <= today:
        errors["date_of_birth"] = "Enter a date of birth in the past."
    data = InquiryUpdate(
        stage=stage,
        closed_reason=_limited(form, "closed_reason", 500, errors) or None,
        owner_user_id=_id(form, "owner_user_id", errors),
        next_action_date=_date(form, "next_action_date", errors),
        referral_source_id=_id(form, "referral_source_id", errors),
        date_of_birth=born,
    )
    _refuse(errors)
    return data


def read_contact(form: Mapping[str, Any], *, zone: str, now: datetime) -> ContactIn:
    """`contacted_at` is a local date and time (datetime-local input), blank for now."""
    errors: dict[str, str] = {}
    for name, allowed in (("channel", CHANNELS), ("direction", DIRECTIONS), ("outcome", OUTCOMES)):
        if _text(form, name) not in allowed:
            errors[name] = "Choose from the list."
    at = None
    raw = _text(form, "contacted_at")
    if raw:
        try:
            at = datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(zone))
        except ValueError:
            errors["contacted_at"] = "Enter a date and time, or leave blank for now."
        if at is not None and at > now:
            errors["contacted_at"] = "A contact cannot be in the future."
    data = ContactIn(
        channel=_text(form, "channel"),
        direction=_text(form, "direction"),
        outcome=_text(form, "outcome"),
        note=_limited(form, "note", 2000, errors) or None,
        contacted_at=at,
    )
    _refuse(errors)
    return data


def read_source(form: Mapping[str, Any]) -> SourceIn:
    errors: dict[str, str] = {}
    name = _limited(form, "name", 200, errors)
    if not name:
        errors["name"] = "Give the source a name."
    kind = _text(form, "kind")
    if kind not in SOURCE_KINDS:
        errors["kind"] = "Choose a kind from the list."
    _refuse(errors)
    return SourceIn(name=name, kind=kind)


# ---- API bodies ----------------------------------------------------------------------------


class InquiryPatch(BaseModel):
    """Fields left out keep their value; `version` is the one the client last read."""

    model_config = ConfigDict(extra="forbid")

    version: int
    stage: str | None = None
    closed_reason: str | None = None
    owner_user_id: int | None = None
    next_action_date: str | None = None
    referral_source_id: int | None = None
    date_of_birth: str | None = None


class InquiryOut(BaseModel):
    id: int
    stage: str
    name: str
    phone: str | None
    email: str | None
    location_id: int | None
    owner_user_id: int | None
    next_action_date: date | None
    referral_source_id: int | None
    date_of_birth: date | None
    closed_reason: str | None
    admitted_at: datetime | None
    created_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True)
