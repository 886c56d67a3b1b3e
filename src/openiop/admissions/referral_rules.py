"""Pure rules of referring out: reading the directory forms (referral partners, sober-living
homes) and the referral form, and what a referral does to the inquiry. No database, no web.
Every check returns {field: message}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from openiop.admissions.level_of_care import INTENSITY, LEVEL_LABELS
from openiop.kit.identifiers import normalize_us_phone

GENDERS = {"men": "Men", "women": "Women", "all": "All genders"}
MAX_BEDS = 500
FOLLOW_UP_DAYS = 90  # a follow-up further out than this is no follow-up
SOBER_LIVING_LEVEL = "iop_with_sober_living"


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _long_text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return str(value).strip() if value is not None else ""


def _limited(
    raw: Mapping[str, object], name: str, limit: int, errors: dict[str, str], required: bool
) -> str | None:
    value = _long_text(raw, name) if name in ("notes", "reason") else _text(raw, name)
    if required and not value:
        errors[name] = "Required."
    elif len(value) > limit:
        errors[name] = f"Use at most {limit} characters."
    return value or None


def _phone(raw: Mapping[str, object], errors: dict[str, str]) -> str | None:
    value = _text(raw, "phone")
    if not value:
        return None
    phone = normalize_us_phone(value)
    if phone is None:
        errors["phone"] = "Enter a 10-digit US phone number, e.g. (555) 010-0123."
    return phone


def _flag(raw: Mapping[str, object], name: str) -> bool:
    return _text(raw, name).lower() in {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class PartnerInput:
    name: str
    levels: tuple[str, ...]
    city: str
    state: str | None
    phone: str | None
    notes: str | None
    active: bool


def check_partner(
    raw: Mapping[str, object], levels: list[str]
) -> tuple[PartnerInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = _limited(raw, "name", 200, errors, True)
    city = _limited(raw, "city", 100, errors, True)
    notes = _limited(raw, "notes", 2000, errors, False)
    chosen = tuple(level for level in INTENSITY if level in levels)
    if not levels:
        errors["levels"] = "Tick at least one level of care the partner offers."
    elif len(chosen) != len(set(levels)):
        errors["levels"] = "Choose levels of care from the list."
    state = _text(raw, "state").upper() or None
    if state is not None and (len(state) != 2 or not state.isalpha()):
        errors["state"] = "Use the two-letter state code, e.g. CA."
    phone = _phone(raw, errors)
    if errors:
        return None, errors
    active = _flag(raw, "active")
    return PartnerInput(name, chosen, city, state, phone, notes, active), {}  # type: ignore[arg-type]


@dataclass(frozen=True)
class HomeInput:
    name: str
    city: str
    beds: int
    gender: str
    phone: str | None
    certified_by: str | None
    notes: str | None
    active: bool


def check_home(raw: Mapping[str, object]) -> tuple[HomeInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = _limited(raw, "name", 200, errors, True)
    city = _limited(raw, "city", 100, errors, True)
    certified = _limited(raw, "certified_by", 100, errors, False)
    notes = _limited(raw, "notes", 2000, errors, False)
    beds_text = _text(raw, "beds")
    beds = int(beds_text) if beds_text.isdigit() and len(beds_text) <= 4 else -1
    if not 0 <= beds <= MAX_BEDS:
        errors["beds"] = f"Enter the number of beds, a whole number from 0 to {MAX_BEDS}."
    gender = _text(raw, "gender")
    if gender not in GENDERS:
        errors["gender"] = "Choose who the home houses."
    phone = _phone(raw, errors)
    if errors:
        return None, errors
    active = _flag(raw, "active")
    return HomeInput(name, city, beds, gender, phone, certified, notes, active), {}  # type: ignore[arg-type]


# ---- a referral -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralInput:
    level: str
    partner_id: int | None
    sober_living_home_id: int | None
    reason: str
    follow_up_date: date

    @property
    def closes_inquiry(self) -> bool:
        """A referral to another program ends our part: the inquiry moves to "referred out".
        A sober-living referral alone keeps it open, because the person is to be admitted
        here once they have moved in."""
        return self.partner_id is not None


def _id(raw: Mapping[str, object], name: str, errors: dict[str, str]) -> int | None:
    value = _text(raw, name)
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        errors[name] = "Choose from the list."
        return None
    return int(value)


def _follow_up(raw: Mapping[str, object], today: date, errors: dict[str, str]) -> date | None:
    value = _text(raw, "follow_up_date")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors["follow_up_date"] = "Enter the follow-up date as YYYY-MM-DD."
        return None
    if day < today:
        errors["follow_up_date"] = "The follow-up date cannot be in the past."
    elif day > today + timedelta(days=FOLLOW_UP_DAYS):
        errors["follow_up_date"] = f"Follow up within {FOLLOW_UP_DAYS} days."
    return day


@dataclass(frozen=True)
class Destinations:
    """What the directory holds for the chosen ids: the active partners with their levels, and
    the active sober-living homes."""

    partner_levels: Mapping[int, tuple[str, ...]]
    home_ids: frozenset[int]


def check_referral(
    raw: Mapping[str, object], today: date, found: Destinations
) -> tuple[ReferralInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    level = _text(raw, "level")
    if level not in INTENSITY:
        errors["level"] = "Choose the level of care the person is referred to."
    partner_id = _id(raw, "partner_id", errors)
    home_id = _id(raw, "sober_living_home_id", errors)
    reason = _limited(raw, "reason", 2000, errors, True)
    follow_up = _follow_up(raw, today, errors)
    errors.update(_destination_problems(level, partner_id, home_id, found, errors))
    if errors:
        return None, errors
    return ReferralInput(level, partner_id, home_id, reason, follow_up), {}  # type: ignore[arg-type]


def _destination_problems(
    level: str,
    partner_id: int | None,
    home_id: int | None,
    found: Destinations,
    errors: Mapping[str, str],
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if home_id is not None and home_id not in found.home_ids:
        problems["sober_living_home_id"] = "Choose an active sober-living home from the list."
    if partner_id is not None:
        offered = found.partner_levels.get(partner_id)
        if offered is None:
            problems["partner_id"] = "Choose an active referral partner from the list."
        elif level in INTENSITY and not levels_served(level) & set(offered):
            problems["partner_id"] = f"This partner does not offer {LEVEL_LABELS[level].lower()}."
    if level == SOBER_LIVING_LEVEL and home_id is None and "sober_living_home_id" not in errors:
        problems["sober_living_home_id"] = "Choose the sober-living home the person will move into."
    elif level != SOBER_LIVING_LEVEL and partner_id is None and "partner_id" not in errors:
        problems["partner_id"] = "Choose the partner the person is referred to."
    return problems


def levels_served(level: str) -> set[str]:
    """A partner serves a sober-living referral when it runs an intensive outpatient program."""
    return {level, "iop"} if level == SOBER_LIVING_LEVEL else {level}
