"""Pure attendance rules: statuses, minutes from check-in and check-out times, appointment
minutes, and turning ledger days into compliance entries.

No FastAPI, SQLAlchemy, Jinja or openiop.models in here. Bad input raises
kit.errors.ValidationFailed naming the field ("status", "check_in", "check_out",
"actual_minutes", "reason"); the service prefixes the field with the roster row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from openiop.attendance.compliance import EntryKind, LedgerEntry
from openiop.kit.errors import ValidationFailed

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})\s*([ap]\.?m\.?)?$", re.IGNORECASE)


class Status(StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT_EXCUSED = "absent_excused"
    ABSENT_UNEXCUSED = "absent_unexcused"

    @property
    def label(self) -> str:
        return {
            "present": "Present",
            "late": "Late",
            "left_early": "Left early",
            "absent_excused": "Absent, excused",
            "absent_unexcused": "Absent, unexcused",
        }[self.value]

    @property
    def absent(self) -> bool:
        return self in (Status.ABSENT_EXCUSED, Status.ABSENT_UNEXCUSED)


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: message})


def parse_status(value: str | None) -> Status:
    try:
        return Status((value or "").strip())
    except ValueError:
        known = ", ".join(s.label.lower() for s in Status)
        raise _fail("status", f"Choose a status: {known}.") from None


def parse_clock(value: str | None, field: str) -> time | None:
    """ "09:20", "9:20", "9:20 am" -> time; blank -> None; anything else names the field."""
    text = (value or "").strip()
    if not text:
        return None
    match = _CLOCK.match(text)
    problem = _fail(field, f"Enter a time like 09:20 (got {text!r}).")
    if not match:
        raise problem
    hour, minute = int(match[1]), int(match[2])
    if match[3]:
        if not 1 <= hour <= 12:
            raise problem
        hour = hour % 12 + (12 if match[3].lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise problem
    return time(hour, minute)


def on_session_day(moment: time, start: datetime, end: datetime) -> datetime:
    """A wall-clock time on the session's local day, in the session's zone.

    A session that runs past local midnight takes early-morning times as the next day.
    """
    day = datetime.combine(start.date(), moment, tzinfo=start.tzinfo)
    if end.date() > start.date() and moment < start.timetz().replace(tzinfo=None):
        day = datetime.combine(end.date(), moment, tzinfo=start.tzinfo)
    return day


@dataclass(frozen=True)
class Attendance:
    """What a roster row resolves to: times are None for an absence."""

    status: Status
    check_in: datetime | None
    check_out: datetime | None
    minutes: int


def resolve(
    status: Status,
    check_in: datetime | None,
    check_out: datetime | None,
    start: datetime,
    end: datetime,
) -> Attendance:
    """Fill in the times a status implies, check them against the session, count minutes.

    Present defaults to the whole session; late needs a check-in after the start; left
    early needs a check-out before the end. Minutes are the time inside the session, so an
    early arrival or a late stay never counts more than the session is long.
    """
    if status.absent:
        if check_in or check_out:
            raise _fail("check_in", "An absent patient has no check-in or check-out time.")
        return Attendance(status, None, None, 0)
    check_in = check_in or start
    check_out = check_out or end
    _check_times(status, check_in, check_out, start, end)
    inside = min(check_out, end) - max(check_in, start)
    return Attendance(status, check_in, check_out, int(inside.total_seconds() // 60))


def _check_times(
    status: Status, check_in: datetime, check_out: datetime, start: datetime, end: datetime
) -> None:
    if check_out <= check_in:
        raise _fail("check_out", "The check-out time must be after the check-in time.")
    if check_in >= end:
        raise _fail("check_in", "The check-in time is after the session ended.")
    if check_out <= start:
        raise _fail("check_out", "The check-out time is before the session started.")
    if status is Status.LATE and check_in <= start:
        raise _fail("check_in", "A late arrival needs a check-in time after the start.")
    if status is Status.LEFT_EARLY and check_out >= end:
        raise _fail("check_out", "Leaving early needs a check-out time before the end.")


# ---- appointments -------------------------------------------------------------------------

COMPLETABLE = ("completed", "no_show", "late_cancelled", "cancelled")


def appointment_minutes(status: str, actual: str | int | None, scheduled_minutes: int) -> int:
    """Minutes delivered for a completed appointment; 0 for one that did not happen."""
    if status not in COMPLETABLE:
        raise _fail("status", "Choose completed, no show, late cancelled or cancelled.")
    text = str(actual).strip() if actual is not None else ""
    if status != "completed":
        if text and text != "0":
            raise _fail("actual_minutes", "Only a completed appointment has minutes.")
        return 0
    if not text.isdigit() or int(text) == 0:
        raise _fail("actual_minutes", "Enter the minutes delivered as a whole number above 0.")
    minutes = int(text)
    if minutes > scheduled_minutes:
        raise _fail(
            "actual_minutes",
            f"{minutes} minutes is longer than the appointment ({scheduled_minutes} minutes).",
        )
    return minutes


# ---- after the day --------------------------------------------------------------------------


def needs_reason(service_date: date, today: date) -> bool:
    """Changes to a past day of service need a reason: the record may already be billed."""
    return service_date < today


def checked_reason(reason: str | None, service_date: date, today: date) -> str | None:
    """The reason for a change to a past day; None for today's (a same-day edit is not a
    correction, so a reason given with it is not kept)."""
    if not needs_reason(service_date, today):
        return None
    text = (reason or "").strip()
    if len(text) < 5:
        raise _fail(
            "reason",
            f"Say why you are changing {service_date:%m/%d/%Y} after the day "
            "(at least 5 characters).",
        )
    return text


# ---- ledger days -> compliance entries ------------------------------------------------------


@dataclass(frozen=True)
class LedgerDay:
    """The ledger columns compliance reads, one local date of service."""

    service_date: date
    group_minutes: int = 0
    group_scheduled_minutes: int = 0
    # Each completed individual session's minutes, in start order.
    individual_session_minutes: tuple[int, ...] = ()
    physician_minutes: int = 0
    physician_visits: int = 0


def ledger_entries(days: Iterable[LedgerDay]) -> list[LedgerEntry]:
    """Compliance entries from ledger days: one per individual session with its own
    minutes, so two short sessions never add up to a long one."""
    entries: list[LedgerEntry] = []
    for day in days:
        on = day.service_date
        if day.group_minutes or day.group_scheduled_minutes:
            entries.append(
                LedgerEntry(
                    EntryKind.GROUP, day.group_minutes, day.group_scheduled_minutes, service_date=on
                )
            )
        entries.extend(
            LedgerEntry(EntryKind.INDIVIDUAL, m, m, service_date=on)
            for m in day.individual_session_minutes
        )
        # Physician visits have no minimum length, so sharing the day's minutes loses nothing.
        for minutes in _shares(day.physician_minutes, day.physician_visits):
            entries.append(LedgerEntry(EntryKind.PHYSICIAN, max(minutes, 1), service_date=on))
    return entries


def _shares(total: int, count: int) -> list[int]:
    if count <= 0:
        return []
    base, extra = divmod(max(total, 0), count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]
