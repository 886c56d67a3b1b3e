"""Pure rules for setting up the provider: program policy, track times, sites and credentials.

Every check returns {field: message}, empty when all is well, so the API and the forms show
the same plain message next to the same field. No FastAPI, SQLAlchemy or Jinja in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openiop.kit.identifiers import normalize_us_phone, npi_is_valid
from openiop.programs.credentials import (  # noqa: F401  (one place to import every rule from)
    CREDENTIALS,
    Credential,
    canonical_credentials,
    credential_problems,
    needs_supervision,
    staff_problems,
)

Problems = dict[str, str]

# ---- hours and levels of care -------------------------------------------------------------


def fmt_hours(hours: Decimal | int) -> str:
    """3.00 -> "3", 2.50 -> "2.5": hours as people write them."""
    return format(Decimal(hours).normalize(), "f")


@dataclass(frozen=True)
class HoursRange:
    """Weekly hours a level of care allows: low <= h <= high (or < high when exclusive)."""

    low: Decimal
    high: Decimal | None = None  # None: no upper bound
    high_exclusive: bool = False

    def contains(self, hours: Decimal) -> bool:
        if hours < self.low:
            return False
        if self.high is None:
            return True
        return hours < self.high if self.high_exclusive else hours <= self.high

    def describe(self) -> str:
        if self.high is None:
            return f"{fmt_hours(self.low)} h or more"
        if self.high_exclusive and self.low == 0:
            return f"fewer than {fmt_hours(self.high)} h"
        return f"{fmt_hours(self.low)}–{fmt_hours(self.high)} h"


ASAM_LEVELS = {
    "1": "Outpatient (level 1)",
    "2.1": "Intensive outpatient (level 2.1)",
    "2.5": "Partial hospitalization (level 2.5)",
}
POPULATIONS = {"adult": "Adults", "adolescent": "Adolescents"}

_D = Decimal
# ASAM's public hour bands, which California DMC-ODS uses too: below 9 h a week (6 h for
# adolescents) is outpatient, 20 h and more is partial hospitalization.
LEVEL_HOURS: dict[tuple[str, str], HoursRange] = {
    ("1", "adult"): HoursRange(_D(0), _D(9), high_exclusive=True),
    ("1", "adolescent"): HoursRange(_D(0), _D(6), high_exclusive=True),
    ("2.1", "adult"): HoursRange(_D(9), _D(19)),
    ("2.1", "adolescent"): HoursRange(_D(6), _D(19)),
    ("2.5", "adult"): HoursRange(_D(20)),
    ("2.5", "adolescent"): HoursRange(_D(20)),
}

MAX_HOURS_PER_DAY = _D(8)
HOURS_IN_A_WEEK = _D(168)
MAX_SESSIONS_PER_WEEK = 14
MAX_MINUTES = 480  # a single session longer than a working day is a typing slip


@dataclass(frozen=True)
class Policy:
    """A program's weekly requirements. The defaults are the seed: ASAM 2.1 for adults."""

    asam_level: str = "2.1"
    population: str = "adult"
    group_days_per_week: int = 5
    group_hours_per_day: Decimal = _D(3)
    min_weekly_hours: Decimal = _D(9)
    max_weekly_hours: Decimal = _D(19)
    individual_sessions_per_week: int = 1
    individual_min_minutes: int = 50
    physician_visits_per_week: int = 1
    physician_visit_minutes: int = 20

    @property
    def scheduled_weekly_hours(self) -> Decimal:
        return self.group_days_per_week * self.group_hours_per_day


def default_weekly_bounds(asam_level: str, population: str) -> tuple[Decimal, Decimal] | None:
    """The level's own band as a program's default min and max, when it has an upper end."""
    band = LEVEL_HOURS.get((asam_level, population))
    if band is None or band.high is None:
        return None
    high = band.high - _D("0.5") if band.high_exclusive else band.high
    return band.low, high


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 99


def _range_problem(value: int, low: int, high: int, what: str) -> str | None:
    if value < low or value > high:
        return f"{what} must be between {low} and {high}."
    return None


def level_problems(asam_level: str, population: str) -> Problems:
    problems: Problems = {}
    if asam_level not in ASAM_LEVELS:
        problems["asam_level"] = "Choose an ASAM level: " + ", ".join(ASAM_LEVELS) + "."
    if population not in POPULATIONS:
        problems["population"] = "Choose adult or adolescent."
    return problems


def _group_problems(p: Policy) -> Problems:
    problems: Problems = {}
    days = _range_problem(p.group_days_per_week, 1, 7, "Group days a week")
    if days:
        problems["group_days_per_week"] = days
    hours = p.group_hours_per_day
    if hours <= 0 or hours > MAX_HOURS_PER_DAY:
        problems["group_hours_per_day"] = (
            f"Group hours a day must be more than 0 and at most {fmt_hours(MAX_HOURS_PER_DAY)}."
        )
    elif _decimals(hours) > 2:
        problems["group_hours_per_day"] = "Use at most two decimal places (e.g. 2.75)."
    return problems


def _weekly_bound_problems(p: Policy) -> Problems:
    problems: Problems = {}
    for name, value, label in (
        ("min_weekly_hours", p.min_weekly_hours, "Minimum"),
        ("max_weekly_hours", p.max_weekly_hours, "Maximum"),
    ):
        if value < 0 or value > HOURS_IN_A_WEEK:
            problems[name] = f"{label} weekly hours must be between 0 and 168."
        elif _decimals(value) > 1:
            problems[name] = "Use at most one decimal place (e.g. 9.5)."
    if not problems and p.min_weekly_hours > p.max_weekly_hours:
        problems["max_weekly_hours"] = (
            f"The maximum ({fmt_hours(p.max_weekly_hours)} h) is below the minimum "
            f"({fmt_hours(p.min_weekly_hours)} h)."
        )
    return problems


def _level_band_problems(p: Policy) -> Problems:
    band = LEVEL_HOURS.get((p.asam_level, p.population))
    if band is None:
        return {}
    who = POPULATIONS[p.population].lower()
    problems: Problems = {}
    for name, value, label in (
        ("min_weekly_hours", p.min_weekly_hours, "minimum"),
        ("max_weekly_hours", p.max_weekly_hours, "maximum"),
    ):
        if not band.contains(value):
            problems[name] = (
                f"ASAM level {p.asam_level} for {who} is {band.describe()} a week; "
                f"a {label} of {fmt_hours(value)} h falls outside it."
            )
    return problems


def _scheduled_problem(p: Policy) -> Problems:
    scheduled = p.scheduled_weekly_hours
    if p.min_weekly_hours <= scheduled <= p.max_weekly_hours:
        return {}
    return {
        "group_hours_per_day": (
            f"{p.group_days_per_week} days × {fmt_hours(p.group_hours_per_day)} h = "
            f"{fmt_hours(scheduled)} h a week, outside the program's "
            f"{fmt_hours(p.min_weekly_hours)}–{fmt_hours(p.max_weekly_hours)} h."
        )
    }


_SESSION_LIMITS = (
    ("individual_sessions_per_week", 0, MAX_SESSIONS_PER_WEEK, "Individual sessions a week"),
    ("individual_min_minutes", 1, MAX_MINUTES, "Individual session minutes"),
    ("physician_visits_per_week", 0, 7, "Physician visits a week"),
    ("physician_visit_minutes", 1, MAX_MINUTES, "Physician visit minutes"),
)


def _session_problems(p: Policy) -> Problems:
    problems: Problems = {}
    for name, low, high, what in _SESSION_LIMITS:
        problem = _range_problem(getattr(p, name), low, high, what)
        if problem:
            problems[name] = problem
    return problems


def policy_problems(p: Policy) -> Problems:
    """Every field on its own first; the cross-field checks only once their inputs are sound."""
    problems = {
        **level_problems(p.asam_level, p.population),
        **_group_problems(p),
        **_weekly_bound_problems(p),
    }
    problems.update(_session_problems(p))
    if not problems:
        problems.update(_level_band_problems(p))
    if not problems:
        problems.update(_scheduled_problem(p))
    return problems


def policy_summary(p: Policy) -> str:
    """E.g. "5 days × 3 h = 15 h a week, within 9–19 h"."""
    scheduled = p.scheduled_weekly_hours
    inside = p.min_weekly_hours <= scheduled <= p.max_weekly_hours
    return (
        f"{p.group_days_per_week} days × {fmt_hours(p.group_hours_per_day)} h = "
        f"{fmt_hours(scheduled)} h a week, {'within' if inside else 'outside'} "
        f"{fmt_hours(p.min_weekly_hours)}–{fmt_hours(p.max_weekly_hours)} h"
    )


def policy_sentences(p: Policy) -> list[str]:
    """The whole policy in plain language, one requirement a line."""
    lines = [policy_summary(p) + "."]
    if p.individual_sessions_per_week:
        lines.append(
            f"{p.individual_sessions_per_week} individual session(s) a week of at least "
            f"{p.individual_min_minutes} minutes."
        )
    else:
        lines.append("No weekly individual session is required.")
    if p.physician_visits_per_week:
        lines.append(
            f"{p.physician_visits_per_week} physician visit(s) a week of about "
            f"{p.physician_visit_minutes} minutes."
        )
    else:
        lines.append("No weekly physician visit is required.")
    band = LEVEL_HOURS.get((p.asam_level, p.population))
    if band is not None:
        who = POPULATIONS[p.population].lower()
        lines.append(f"ASAM level {p.asam_level} for {who} allows {band.describe()} a week.")
    return lines


# ---- tracks -------------------------------------------------------------------------------

WEEKDAY_NAMES = {
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
    7: "Sunday",
}
MAX_GROUP_SIZE = 100


def normalize_weekdays(raw: str) -> str | None:
    """ISO weekday digits in order ("51" -> "15"); None unless every character is 1-7."""
    cleaned = raw.replace(",", "").replace(" ", "")
    if not cleaned or any(c not in "1234567" for c in cleaned):
        return None
    return "".join(sorted(set(cleaned)))


def _minutes_between(start: time, end: time) -> int:
    day = date(2000, 1, 3)
    return int((datetime.combine(day, end) - datetime.combine(day, start)).total_seconds() // 60)


def track_problems(
    *,
    weekdays: str,
    start_time: time,
    end_time: time,
    group_size_cap: int,
    room_capacity: int | None,
    policy: Policy | None = None,
) -> Problems:
    """A track must fit its room and be long enough, on enough days, to deliver the policy."""
    problems: Problems = {}
    days = normalize_weekdays(weekdays)
    if days is None:
        problems["weekdays"] = "Give the meeting days as ISO digits 1–7 (Monday=1), e.g. 12345."
    if start_time >= end_time:
        problems["end_time"] = "The end time must be after the start time."
    cap_limit = room_capacity if room_capacity is not None else MAX_GROUP_SIZE
    if group_size_cap < 1:
        problems["group_size_cap"] = "The group size cap must be at least 1."
    elif group_size_cap > cap_limit:
        where = "the room's capacity" if room_capacity is not None else "the largest group allowed"
        problems["group_size_cap"] = f"The group size cap is above {where} ({cap_limit})."
    if policy is not None and not problems:
        problems.update(_track_policy_problems(days or "", start_time, end_time, policy))
    return problems


def _track_policy_problems(days: str, start: time, end: time, policy: Policy) -> Problems:
    problems: Problems = {}
    if len(days) < policy.group_days_per_week:
        problems["weekdays"] = (
            f"The program needs {policy.group_days_per_week} group days a week; "
            f"this track meets on {len(days)}."
        )
    minutes = _minutes_between(start, end)
    if minutes < policy.group_hours_per_day * 60:
        problems["end_time"] = (
            f"The program needs {fmt_hours(policy.group_hours_per_day)} h of group a day; "
            f"{start:%H:%M}–{end:%H:%M} is {fmt_hours(Decimal(minutes) / 60)} h."
        )
    return problems


# ---- locations and rooms ------------------------------------------------------------------

MAX_ROOM_CAPACITY = 500


def california_zip_problem(postal_code: str) -> str | None:
    """Five digits, in California's 900–961 range."""
    if len(postal_code) != 5 or not postal_code.isdigit():
        return "Enter a 5-digit ZIP code."
    if not 900 <= int(postal_code[:3]) <= 961:
        return "That is not a California ZIP code (they run from 90000 to 96199)."
    return None


def time_zone_is_valid(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"  # refuses bare file names like "zone.tab"


def location_problems(
    *, state: str, postal_code: str, phone: str | None, time_zone: str, npi: str | None
) -> Problems:
    problems: Problems = {}
    if state.upper() != "CA":
        problems["state"] = "OpenIOP serves California sites: the state must be CA."
    zip_problem = california_zip_problem(postal_code)
    if zip_problem:
        problems["postal_code"] = zip_problem
    if phone and normalize_us_phone(phone) is None:
        problems["phone"] = "Enter a 10-digit US phone number, e.g. (555) 010-0123."
    if not time_zone_is_valid(time_zone):
        problems["time_zone"] = "Enter an IANA time zone such as America/Los_Angeles."
    if npi and not npi_is_valid(npi):
        problems["npi"] = "That NPI is not valid: an NPI has 10 digits and a check digit."
    return problems


def room_problems(*, capacity: int) -> Problems:
    if capacity < 1 or capacity > MAX_ROOM_CAPACITY:
        return {"capacity": f"Capacity must be between 1 and {MAX_ROOM_CAPACITY}."}
    return {}
