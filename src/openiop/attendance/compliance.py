"""Pure weekly compliance rules: does a patient's program week meet the program policy?

Input is the program policy, the location's IANA zone, an ISO week ("2026-W49") and the
patient's minutes-ledger entries; output is the totals and the gaps in plain words.
Weeks are ISO weeks of the location's LOCAL calendar: an entry belongs to the week of its
local service date, so an evening group that ends after UTC midnight still counts for the
local day it was held. Minutes always come from the ledger, never from wall-clock arithmetic,
so daylight-saving weeks (167 or 169 hours long) need no special case.
No FastAPI, SQLAlchemy, Jinja or openiop.models in here; see docs/compliance.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openiop.kit.errors import ValidationFailed

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

# ---- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramPolicy:
    """The weekly requirements of a program; field names match the Program table's columns."""

    group_days_per_week: int = 5
    group_hours_per_day: Decimal = Decimal("3")
    min_weekly_hours: Decimal = Decimal("9")
    max_weekly_hours: Decimal = Decimal("19")
    individual_sessions_per_week: int = 1
    individual_min_minutes: int = 50
    physician_visits_per_week: int = 1

    def __post_init__(self) -> None:
        for name in ("group_hours_per_day", "min_weekly_hours", "max_weekly_hours"):
            object.__setattr__(self, name, Decimal(str(getattr(self, name))))
        counts = (
            self.group_days_per_week,
            self.individual_sessions_per_week,
            self.individual_min_minutes,
            self.physician_visits_per_week,
        )
        if min(counts) < 0 or self.group_hours_per_day < 0 or self.min_weekly_hours < 0:
            raise ValueError("program policy values cannot be negative")
        if self.min_weekly_hours > self.max_weekly_hours:
            raise ValueError("the weekly minimum hours cannot exceed the weekly maximum")

    @classmethod
    def from_program(cls, program: Any) -> ProgramPolicy:
        """Read the policy off a Program row (or anything with the same attribute names)."""
        return cls(**{name: getattr(program, name) for name in cls.__dataclass_fields__})

    @property
    def min_weekly_minutes(self) -> int:
        return _minutes(self.min_weekly_hours)

    @property
    def max_weekly_minutes(self) -> int:
        return _minutes(self.max_weekly_hours)

    @property
    def required_group_minutes(self) -> int:
        """Days x hours a week, kept inside the level of care's weekly bounds."""
        planned = _minutes(self.group_hours_per_day * self.group_days_per_week)
        return min(max(planned, self.min_weekly_minutes), self.max_weekly_minutes)


class EntryKind(StrEnum):
    GROUP = "group"
    INDIVIDUAL = "individual"
    PHYSICIAN = "physician"


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the minutes ledger: a group, individual session or physician visit.

    Place it in time either with `start` (aware; `end` optional) or with the local
    `service_date`; when both are given the recorded service date wins. An absence is an
    entry with attended_minutes 0 and its scheduled minutes.
    """

    kind: EntryKind
    attended_minutes: int
    scheduled_minutes: int = 0
    start: datetime | None = None
    end: datetime | None = None
    service_date: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EntryKind(self.kind))
        if self.attended_minutes < 0 or self.scheduled_minutes < 0:
            raise ValueError("ledger minutes cannot be negative")
        if self.service_date is None and self.start is None:
            raise ValueError("a ledger entry needs a start time or a service date")
        for moment in (self.start, self.end):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError("ledger times must be timezone-aware (UTC)")
        if self.start and self.end and self.end < self.start:
            raise ValueError("a ledger entry cannot end before it starts")

    def local_date(self, zone: ZoneInfo) -> date:
        if self.service_date is not None:
            return self.service_date
        assert self.start is not None  # guaranteed by __post_init__
        return self.start.astimezone(zone).date()


# ---- weeks --------------------------------------------------------------------------------


def parse_iso_week(iso_week: str) -> tuple[int, int]:
    """ "2026-W49" -> (2026, 49); anything else is a ValidationFailed on the field "week"."""
    match = _WEEK.match(iso_week.strip()) if isinstance(iso_week, str) else None
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
            return year, week
        except ValueError:
            pass
    message = (
        f"The week must be an ISO week like 2026-W49 that exists in its year (got {iso_week!r})"
    )
    raise ValidationFailed(message, field_errors={"week": message})


def iso_week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_dates(iso_week: str) -> tuple[date, date]:
    """The local Monday and Sunday of an ISO week."""
    year, week = parse_iso_week(iso_week)
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def iso_week_bounds(iso_week: str, zone: str | ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC: local Monday 00:00 up to the next local Monday 00:00."""
    tz = _zone(zone)
    monday, sunday = week_dates(iso_week)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def missed_consecutive_days(
    days_attended: Iterable[date], scheduled_days: Iterable[date], run: int = 2
) -> bool:
    """True when `run` scheduled program days in a row were missed.

    "In a row" follows the schedule, not the calendar: with a Monday-Friday program, missing
    Friday and the next Monday is two days in a row; unscheduled days neither break nor
    extend a run.
    """
    attended = set(days_attended)
    missed = 0
    for day in sorted(set(scheduled_days)):
        missed = 0 if day in attended else missed + 1
        if missed >= run:
            return True
    return False


# ---- the rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCompliance:
    week: str
    group_minutes: int
    group_days: int
    required_group_minutes: int
    scheduled_group_minutes: int
    individual_minutes: int
    individual_sessions: int  # sessions that reached the policy minimum
    individual_scheduled: int
    physician_visits: int
    physician_scheduled: int
    gaps: tuple[str, ...] = field(default_factory=tuple)

    @property
    def compliant(self) -> bool:
        return not self.gaps

    def as_api_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "group_minutes": self.group_minutes,
            "group_days": self.group_days,
            "required_group_minutes": self.required_group_minutes,
            "individual_minutes": self.individual_minutes,
            "physician_visits": self.physician_visits,
            "compliant": self.compliant,
            "gaps": list(self.gaps),
        }


def weekly_compliance(
    policy: ProgramPolicy,
    zone: str | ZoneInfo,
    iso_week: str,
    entries: Iterable[LedgerEntry],
    scheduled_group_minutes: int | None = None,
) -> WeekCompliance:
    """Totals and gaps for one patient's ISO week; entries outside the week are ignored.

    `scheduled_group_minutes` is the group time the schedule offers this patient this week.
    When given and short of the requirement, the shortfall is a gap of its own (the
    schedule's, not the patient's). When left out it is reported as the scheduled minutes on
    the week's ledger entries, but never judged: mid-week the ledger holds only past days.
    """
    tz = _zone(zone)
    schedule_given = scheduled_group_minutes is not None
    monday, sunday = week_dates(iso_week)
    week = [e for e in entries if monday <= e.local_date(tz) <= sunday]
    groups = [e for e in week if e.kind is EntryKind.GROUP]
    individuals = [e for e in week if e.kind is EntryKind.INDIVIDUAL]
    physicians = [e for e in week if e.kind is EntryKind.PHYSICIAN]
    if scheduled_group_minutes is None:
        scheduled_group_minutes = sum(e.scheduled_minutes for e in groups)
    result = WeekCompliance(
        week=iso_week_of(monday),
        group_minutes=sum(e.attended_minutes for e in groups),
        group_days=len({e.local_date(tz) for e in groups if e.attended_minutes > 0}),
        required_group_minutes=policy.required_group_minutes,
        scheduled_group_minutes=scheduled_group_minutes,
        individual_minutes=sum(e.attended_minutes for e in individuals),
        individual_sessions=sum(
            e.attended_minutes >= policy.individual_min_minutes for e in individuals
        ),
        individual_scheduled=sum(e.scheduled_minutes > 0 for e in individuals),
        physician_visits=sum(e.attended_minutes > 0 for e in physicians),
        physician_scheduled=sum(e.scheduled_minutes > 0 for e in physicians),
    )
    return _with_gaps(result, policy, schedule_given)


def _with_gaps(
    result: WeekCompliance, policy: ProgramPolicy, schedule_given: bool
) -> WeekCompliance:
    gaps = [*_group_gaps(result, policy, schedule_given), *_one_to_one_gaps(result, policy)]
    return WeekCompliance(**{**result.__dict__, "gaps": tuple(gaps)})


def _group_gaps(r: WeekCompliance, policy: ProgramPolicy, schedule_given: bool) -> list[str]:
    gaps = []
    if r.group_days < policy.group_days_per_week:
        gaps.append(f"{r.group_days} of {policy.group_days_per_week} group days attended")
    minimum, maximum = policy.min_weekly_minutes, policy.max_weekly_minutes
    if r.group_minutes < minimum:
        # Round towards the bound's far side so 539 minutes never reads as "9 h below 9 h".
        shown = _hours(r.group_minutes)
        gaps.append(
            f"only {shown} h of group attended, below the {_fmt(policy.min_weekly_hours)} h minimum"
        )
    elif r.group_minutes > maximum:
        shown = _hours(r.group_minutes, up=True)
        gaps.append(
            f"{shown} h of group attended, above the {_fmt(policy.max_weekly_hours)} h maximum"
        )
    elif r.group_minutes < r.required_group_minutes:
        gaps.append(
            f"{_hours(r.group_minutes)} h of group attended of the "
            f"{_hours(r.required_group_minutes)} h the program requires"
        )
    if schedule_given and r.scheduled_group_minutes < r.required_group_minutes:
        # A scheduling gap, not the patient's: the week offers too little group time.
        gaps.append(
            f"only {_hours(r.scheduled_group_minutes)} h of group scheduled; "
            f"the program requires {_hours(r.required_group_minutes)} h"
        )
    return gaps


def _one_to_one_gaps(r: WeekCompliance, policy: ProgramPolicy) -> list[str]:
    gaps = []
    need, minutes = policy.individual_sessions_per_week, policy.individual_min_minutes
    if r.individual_sessions < need:
        if r.individual_sessions == 0 and need == 1:
            gaps.append(f"no individual session of at least {minutes} minutes")
        else:
            gaps.append(
                f"{r.individual_sessions} of {need} individual sessions of at least "
                f"{minutes} minutes"
            )
    need = policy.physician_visits_per_week
    if r.physician_visits < need:
        if r.physician_visits == 0 and need == 1:
            gaps.append("no physician visit")
        else:
            gaps.append(f"{r.physician_visits} of {need} physician visits")
    return gaps


# ---- small helpers ------------------------------------------------------------------------


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        message = f"Unknown time zone {zone!r}"
        raise ValidationFailed(message, field_errors={"zone": message}) from exc


def _minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value())


def _hours(minutes: int, *, up: bool = False) -> str:
    """Minutes as hours with at most one decimal, rounded down (or up), in integers."""
    tenths = -(-minutes // 6) if up else minutes // 6
    return _fmt(Decimal(tenths) / 10)


def _fmt(hours: Decimal) -> str:
    """Decimal("9.0") -> "9", Decimal("8.50") -> "8.5"."""
    return format(Decimal(hours).normalize(), "f")
