"""Pure attendance rules: statuses, minutes from times clipped to the session, appointment
minutes, reasons after the day, and ledger days as compliance entries."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from openiop.attendance import rules
from openiop.attendance.compliance import EntryKind, ProgramPolicy, weekly_compliance
from openiop.attendance.rules import LedgerDay, Status
from openiop.kit.errors import ValidationFailed
from openiop.security.permissions import Permission, Principal, Role, can

LA = ZoneInfo("America/Los_Angeles")
START = datetime(2026, 12, 1, 9, 0, tzinfo=LA)
END = datetime(2026, 12, 1, 12, 0, tzinfo=LA)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=LA)


def field_of(error: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return next(iter(error.value.field_errors))


@pytest.mark.parametrize(
    ("status", "check_in", "check_out", "minutes"),
    [
        (Status.PRESENT, None, None, 180),
        (Status.PRESENT, at(8, 45), at(12, 30), 180),  # early and lingering: clipped
        (Status.LATE, at(9, 20), None, 160),
        (Status.LEFT_EARLY, None, at(11, 15), 135),
        (Status.LATE, at(9, 5), at(11, 0), 115),
        (Status.ABSENT_EXCUSED, None, None, 0),
        (Status.ABSENT_UNEXCUSED, None, None, 0),
    ],
)
def test_minutes_from_times(status, check_in, check_out, minutes) -> None:
    result = rules.resolve(status, check_in, check_out, START, END)
    assert result.minutes == minutes
    if status.absent:
        assert result.check_in is None and result.check_out is None
    else:
        assert result.check_in == (check_in or START)
        assert result.check_out == (check_out or END)


def test_minutes_never_exceed_the_session() -> None:
    result = rules.resolve(Status.PRESENT, at(6), at(18), START, END)
    assert result.minutes == 180


@pytest.mark.parametrize(
    ("status", "check_in", "check_out", "field", "words"),
    [
        (Status.PRESENT, at(10), at(9, 30), "check_out", "after the check-in"),
        (Status.PRESENT, at(10), at(10), "check_out", "after the check-in"),
        (Status.PRESENT, at(12, 5), at(12, 30), "check_in", "after the session ended"),
        (Status.PRESENT, at(7), at(8, 30), "check_out", "before the session started"),
        (Status.LATE, at(9), None, "check_in", "after the start"),
        (Status.LATE, None, None, "check_in", "after the start"),
        (Status.LEFT_EARLY, None, at(12), "check_out", "before the end"),
        (Status.ABSENT_EXCUSED, at(9, 10), None, "check_in", "absent patient"),
        (Status.ABSENT_UNEXCUSED, None, at(11), "check_in", "absent patient"),
    ],
)
def test_impossible_times_name_the_field(status, check_in, check_out, field, words) -> None:
    with pytest.raises(ValidationFailed) as error:
        rules.resolve(status, check_in, check_out, START, END)
    assert field_of(error) == field
    assert words in error.value.field_errors[field]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:20", time(9, 20)),
        ("9:20", time(9, 20)),
        (" 9:20 am ", time(9, 20)),
        ("12:05 PM", time(12, 5)),
        ("12:05 a.m.", time(0, 5)),
        ("1:30 pm", time(13, 30)),
        ("", None),
        (None, None),
    ],
)
def test_clock_times(text, expected) -> None:
    assert rules.parse_clock(text, "check_in") == expected


@pytest.mark.parametrize("text", ["25:00", "9:75", "nine", "13:00 pm", "0:30 am", "9.20"])
def test_bad_clock_times_name_the_field(text) -> None:
    with pytest.raises(ValidationFailed) as error:
        rules.parse_clock(text, "check_out")
    assert field_of(error) == "check_out"


def test_unknown_status_names_the_field() -> None:
    with pytest.raises(ValidationFailed) as error:
        rules.parse_status("here")
    assert field_of(error) == "status"
    assert rules.parse_status(" late ") is Status.LATE


def test_evening_session_past_midnight_takes_early_times_as_next_day() -> None:
    start = datetime(2026, 12, 1, 22, 0, tzinfo=LA)
    end = datetime(2026, 12, 2, 1, 0, tzinfo=LA)
    assert rules.on_session_day(time(0, 30), start, end) == datetime(2026, 12, 2, 0, 30, tzinfo=LA)
    assert rules.on_session_day(time(22, 15), start, end) == datetime(
        2026, 12, 1, 22, 15, tzinfo=LA
    )
    left = rules.resolve(
        Status.LEFT_EARLY, None, rules.on_session_day(time(0, 30), start, end), start, end
    )
    assert left.minutes == 150


def test_daylight_saving_night_counts_real_minutes() -> None:
    # 2026-11-01 01:00-03:00 local spans the fall-back hour: three real hours.
    start = datetime(2026, 11, 1, 0, 30, tzinfo=LA).astimezone(ZoneInfo("UTC"))
    end = datetime(2026, 11, 1, 3, 0, tzinfo=LA).astimezone(ZoneInfo("UTC"))
    assert rules.resolve(Status.PRESENT, None, None, start, end).minutes == 210


@pytest.mark.parametrize(
    ("status", "actual", "scheduled", "expected"),
    [
        ("completed", "50", 60, 50),
        ("completed", 60, 60, 60),
        ("no_show", None, 60, 0),
        ("no_show", "", 60, 0),
        ("cancelled", "0", 60, 0),
        ("late_cancelled", None, 30, 0),
    ],
)
def test_appointment_minutes(status, actual, scheduled, expected) -> None:
    assert rules.appointment_minutes(status, actual, scheduled) == expected


@pytest.mark.parametrize(
    ("status", "actual", "field", "words"),
    [
        ("completed", "61", "actual_minutes", "longer than the appointment (60 minutes)"),
        ("completed", "0", "actual_minutes", "above 0"),
        ("completed", "", "actual_minutes", "whole number"),
        ("completed", "-5", "actual_minutes", "whole number"),
        ("completed", "4.5", "actual_minutes", "whole number"),
        ("no_show", "30", "actual_minutes", "Only a completed"),
        ("scheduled", "30", "status", "Choose completed"),
    ],
)
def test_bad_appointment_minutes(status, actual, field, words) -> None:
    with pytest.raises(ValidationFailed) as error:
        rules.appointment_minutes(status, actual, 60)
    assert field_of(error) == field
    assert words in error.value.field_errors[field]


def test_past_days_need_a_reason() -> None:
    today = date(2026, 12, 3)
    assert rules.checked_reason("", today, today) is None
    assert rules.checked_reason(" typo fixed ", date(2026, 12, 3), today) is None
    assert rules.checked_reason("", date(2026, 12, 4), today) is None
    assert rules.checked_reason(" Sign-in sheet found ", date(2026, 12, 2), today) == (
        "Sign-in sheet found"
    )
    for reason in (None, "", "   ", "oops"):
        with pytest.raises(ValidationFailed) as error:
            rules.checked_reason(reason, date(2026, 12, 2), today)
        assert field_of(error) == "reason"
        assert "12/02/2026" in error.value.field_errors["reason"]


def test_ledger_days_become_compliance_entries() -> None:
    days = [
        LedgerDay(date(2026, 11, 30), group_minutes=180, group_scheduled_minutes=180),
        LedgerDay(date(2026, 12, 1), group_minutes=0, group_scheduled_minutes=180),
        LedgerDay(
            date(2026, 12, 2),
            individual_session_minutes=(30, 50),
            physician_minutes=25,
            physician_visits=1,
        ),
    ]
    entries = rules.ledger_entries(days)
    kinds = [(e.kind, e.attended_minutes, e.service_date) for e in entries]
    assert kinds == [
        (EntryKind.GROUP, 180, date(2026, 11, 30)),
        (EntryKind.GROUP, 0, date(2026, 12, 1)),
        (EntryKind.INDIVIDUAL, 30, date(2026, 12, 2)),
        (EntryKind.INDIVIDUAL, 50, date(2026, 12, 2)),
        (EntryKind.PHYSICIAN, 25, date(2026, 12, 2)),
    ]
    week = weekly_compliance(ProgramPolicy(), "America/Los_Angeles", "2026-W49", entries)
    assert week.group_days == 1 and week.individual_sessions == 1
    assert week.physician_visits == 1 and week.scheduled_group_minutes == 360


def _week_of(*sessions: int):
    day = LedgerDay(date(2026, 12, 2), individual_session_minutes=sessions)
    return weekly_compliance(
        ProgramPolicy(), "America/Los_Angeles", "2026-W49", rules.ledger_entries([day])
    )


@pytest.mark.parametrize(
    ("sessions", "qualifying"),
    [
        ((50, 50, 30), 2),
        ((49, 49), 0),
        ((30, 30), 0),
        ((30, 50, 50), 2),  # the order of the day does not matter
        ((50,), 1),
        ((49,), 0),
        ((120,), 1),
        ((), 0),
    ],
)
def test_each_individual_session_is_measured_against_the_minimum(sessions, qualifying) -> None:
    week = _week_of(*sessions)
    assert week.individual_sessions == qualifying
    assert week.individual_minutes == sum(sessions)


def test_two_short_individual_sessions_are_not_one_long_one() -> None:
    week = _week_of(49, 49)
    assert week.individual_minutes == 98 and week.individual_sessions == 0
    assert "no individual session of at least 50 minutes" in week.gaps


def test_a_day_of_sessions_meeting_the_minimum_is_counted_exactly() -> None:
    # The old ledger kept only the longest (50) and shared the rest (80) between the other two
    # sessions as 40 + 40, so it counted one qualifying session instead of two.
    policy = ProgramPolicy(individual_sessions_per_week=2)
    day = LedgerDay(date(2026, 12, 2), individual_session_minutes=(50, 50, 30))
    week = weekly_compliance(policy, "America/Los_Angeles", "2026-W49", rules.ledger_entries([day]))
    assert week.individual_sessions == 2
    assert not any("individual" in gap for gap in week.gaps)


@pytest.mark.parametrize(
    ("permission", "granted"),
    [
        (
            Permission.ATTENDANCE_RECORD,
            {Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.COUNSELOR, Role.PHYSICIAN},
        ),
        (
            Permission.MINUTES_READ,
            {Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.COUNSELOR, Role.PHYSICIAN, Role.BILLING},
        ),
        (Permission.COMPLIANCE_DASHBOARD, {Role.ADMIN, Role.PROGRAM_DIRECTOR}),
    ],
)
def test_attendance_permissions_by_role(permission, granted) -> None:
    for role in Role:
        principal = Principal(user_id=1, email="x@example.org", role=role)
        assert can(principal, permission) is (role in granted), (permission, role)
