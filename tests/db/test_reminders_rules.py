"""Reminder timing and wording as pure rules (no database): quiet hours in the site's zone,
daylight-saving nights, early visits, retry waits, and messages without clinical detail."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from openiop.calendar.reminders_rules import (
    QuietHours,
    due_at,
    message_text,
    outside_quiet_hours,
    parse_clock,
    retry_at,
)

LA = "America/Los_Angeles"
PACIFIC = ZoneInfo(LA)
NIGHT = QuietHours(time(21), time(8))


def pacific(*args: int) -> datetime:
    return datetime(*args, tzinfo=PACIFIC)


@pytest.mark.parametrize(
    ("clock_time", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_overnight_quiet_hours(clock_time, quiet):
    assert NIGHT.contains(clock_time) is quiet


def test_daytime_and_empty_quiet_periods():
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13))
    assert not QuietHours(time(0), time(0)).contains(time(3))


def test_a_due_time_outside_quiet_hours_is_kept():
    start = pacific(2026, 11, 10, 14, 0)
    assert due_at(start, lead_hours=24, quiet=NIGHT, zone=LA) == pacific(2026, 11, 9, 14, 0)


def test_an_evening_due_time_moves_to_the_next_morning():
    start = pacific(2026, 11, 10, 9, 0)  # lead 12 h: due 21:00 the evening before
    due = due_at(start, lead_hours=12, quiet=NIGHT, zone=LA)
    assert due == pacific(2026, 11, 10, 8, 0)


def test_a_small_hours_due_time_moves_to_eight_the_same_morning():
    start = pacific(2026, 11, 10, 11, 0)
    assert due_at(start, lead_hours=6, quiet=NIGHT, zone=LA) == pacific(2026, 11, 10, 8, 0)


def test_an_early_visit_is_reminded_before_the_quiet_period_instead():
    start = pacific(2026, 11, 10, 7, 30)  # due 05:30; 08:00 would be after the visit
    due = due_at(start, lead_hours=2, quiet=NIGHT, zone=LA)
    assert due == pacific(2026, 11, 9, 20, 59)
    assert due < start


def test_quiet_hours_end_at_eight_local_on_the_night_clocks_go_back():
    # Nov 1, 2026: 01:30 happens twice; 09:30 UTC is the second one (PST). The quiet period
    # still ends at 08:00 on the wall clock, now PST.
    night = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    moved = outside_quiet_hours(night, quiet=NIGHT, zone=LA)
    assert moved == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 08:00 PST = 16:00 UTC
    assert moved.astimezone(PACIFIC).hour == 8


def test_quiet_hours_end_at_eight_local_on_the_night_clocks_go_forward():
    night = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT, just after the jump
    moved = outside_quiet_hours(night, quiet=NIGHT, zone=LA)
    assert moved == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)  # 08:00 PDT


def test_the_result_keeps_utc():
    moved = outside_quiet_hours(datetime(2026, 11, 10, 6, 0, tzinfo=UTC), quiet=NIGHT, zone=LA)
    assert moved.tzinfo is UTC


def test_retry_waits_double_and_are_capped_at_a_day():
    now = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)
    waits = [retry_at(now, attempts=n, base_minutes=15) - now for n in (1, 2, 3, 10, 30)]
    assert waits == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(minutes=60),
        timedelta(hours=24),
        timedelta(hours=24),
    ]


def test_message_says_where_and_when_only():
    text = message_text(
        site="Harbor Street", starts_at=pacific(2026, 11, 10, 9, 0), zone=LA, video=False
    )
    assert text.startswith(
        "You have an appointment at Harbor Street on Tuesday, November 10, 2026 at 9:00 AM PST."
    )
    video = message_text(
        site="Harbor Street", starts_at=pacific(2026, 7, 7, 15, 30), zone=LA, video=True
    )
    assert "a video appointment with Harbor Street on Tuesday, July 7, 2026 at 3:30 PM PDT" in video
    for word in ("counsel", "group", "physician", "drug", "treatment", "substance"):
        assert word not in (text + video).lower()


def test_parse_clock_names_a_bad_value():
    assert parse_clock(" 21:00 ") == time(21)
    with pytest.raises(ValueError, match="'9pm' is not a time of day"):
        parse_clock("9pm")
