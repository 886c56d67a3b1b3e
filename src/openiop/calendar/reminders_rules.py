"""When a reminder is due and what it says: pure rules, no database, no mail.

A reminder is due a set number of hours before the visit. Nobody should get a message in the
night, so a due time inside the location's quiet hours (e.g. 21:00-08:00 local) moves to the
end of the quiet period; if that would be after the visit has started (an early-morning visit
with a short lead time), it moves back to just before the quiet period began instead.

The message carries no clinical detail (42 CFR Part 2): an email can be read by anyone with
the patient's inbox, so it says only that there is an appointment, where and when — not its
kind, the clinician, the program or a group's topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SUBJECT = "Appointment reminder"


@dataclass(frozen=True)
class QuietHours:
    """Local wall-clock period with no sends; `start` after `end` means it spans midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False  # an empty period: sends allowed all day
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_clock(value: str) -> time:
    """'21:00' → time(21, 0); raises ValueError with the bad value named."""
    try:
        return time.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(f"{value!r} is not a time of day like 21:00") from error


def due_at(starts_at: datetime, *, lead_hours: int, quiet: QuietHours, zone: str) -> datetime:
    """The UTC instant a reminder for a visit starting at `starts_at` should go out."""
    due = starts_at - timedelta(hours=lead_hours)
    later = outside_quiet_hours(due, quiet=quiet, zone=zone)
    if later < starts_at:
        return later
    return _before_quiet_start(due, quiet=quiet, zone=zone)


def outside_quiet_hours(moment: datetime, *, quiet: QuietHours, zone: str) -> datetime:
    """`moment` itself, or the end of the quiet period it falls in (as UTC)."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    if not quiet.contains(local.time()):
        return moment
    end_day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        end_day += timedelta(days=1)  # evening part of an overnight period: ends tomorrow
    # Built from the wall clock so a daylight-saving night still ends at 08:00 local.
    return datetime.combine(end_day, quiet.end, tzinfo=tz).astimezone(moment.tzinfo)


def _before_quiet_start(moment: datetime, *, quiet: QuietHours, zone: str) -> datetime:
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    start_day = local.date()
    if quiet.start > quiet.end and local.time() < quiet.end:
        start_day -= timedelta(days=1)  # morning part of an overnight period: began last night
    start = datetime.combine(start_day, quiet.start, tzinfo=tz) - timedelta(minutes=1)
    return start.astimezone(moment.tzinfo)


def message_text(*, site: str, starts_at: datetime, zone: str, video: bool) -> str:
    """The body of the email: place and time only."""
    when = starts_at.astimezone(ZoneInfo(zone)).strftime("%A, %B %-d, %Y at %-I:%M %p %Z")
    where = f"a video appointment with {site}" if video else f"an appointment at {site}"
    return (
        f"You have {where} on {when}.\n\n"
        "If you cannot come, please call us. This is an automated message; replies are not read."
    )


def retry_at(now: datetime, *, attempts: int, base_minutes: int) -> datetime:
    """Doubling waits after each failed attempt (15, 30, 60 ... minutes), capped at a day."""
    minutes = min(base_minutes * 2 ** max(attempts - 1, 0), 24 * 60)
    return now + timedelta(minutes=minutes)
