"""Weekly compliance rules: week edges, daylight saving, boundaries, policies and gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from openiop.attendance.compliance import (
    LedgerEntry,
    ProgramPolicy,
    iso_week_bounds,
    iso_week_of,
    missed_consecutive_days,
    weekly_compliance,
)
from openiop.kit.errors import ValidationFailed

LA = "America/Los_Angeles"
PACIFIC = ZoneInfo(LA)
DEFAULT = ProgramPolicy()
W49_MONDAY = date(2026, 11, 30)  # 2026-W49 runs Monday 2026-11-30 to Sunday 2026-12-06


def local(text: str) -> datetime:
    """A Pacific wall-clock time ("2026-12-06 18:00") as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=PACIFIC).astimezone(UTC)


def group(day: date, minutes: int = 180, scheduled: int = 180) -> LedgerEntry:
    return LedgerEntry("group", minutes, scheduled, service_date=day)


def individual(day: date, minutes: int = 50) -> LedgerEntry:
    return LedgerEntry("individual", minutes, 50, service_date=day)


def physician(day: date, minutes: int = 20) -> LedgerEntry:
    return LedgerEntry("physician", minutes, 20, service_date=day)


def full_week(monday: date = W49_MONDAY, days: int = 5, minutes: int = 180) -> list[LedgerEntry]:
    groups = [group(monday + timedelta(days=i), minutes) for i in range(days)]
    return [*groups, individual(monday), physician(monday + timedelta(days=1))]


def check(entries, week="2026-W49", policy=DEFAULT, **kwargs):
    return weekly_compliance(policy, LA, week, entries, **kwargs)


# ---- a whole week and the API shape -------------------------------------------------------


def test_a_full_default_week_is_compliant_and_matches_the_api_shape():
    result = check(full_week())
    assert result.as_api_dict() == {
        "week": "2026-W49",
        "group_minutes": 900,
        "group_days": 5,
        "required_group_minutes": 900,
        "individual_minutes": 50,
        "physician_visits": 1,
        "compliant": True,
        "gaps": [],
    }


def test_an_empty_week_lists_every_gap_in_plain_words():
    result = check([])
    assert not result.compliant
    assert result.gaps == (
        "0 of 5 group days attended",
        "only 0 h of group attended, below the 9 h minimum",
        "no individual session of at least 50 minutes",
        "no physician visit",
    )


def test_two_of_five_days_reads_as_such():
    entries = [*full_week()[:2], individual(W49_MONDAY), physician(W49_MONDAY)]
    result = check(entries)
    assert result.group_days == 2
    assert "2 of 5 group days attended" in result.gaps
    assert "only 6 h of group attended, below the 9 h minimum" in result.gaps


def test_two_groups_on_one_day_are_one_day_and_absences_are_no_day():
    entries = [group(W49_MONDAY, 90), group(W49_MONDAY, 90), group(W49_MONDAY + timedelta(1), 0)]
    result = check(entries)
    assert (result.group_days, result.group_minutes) == (1, 180)
    assert result.scheduled_group_minutes == 540


# ---- week edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "counted_in"),
    [
        ("2026-11-30 00:00", "2026-11-30 03:00", "2026-W49"),  # Monday 00:00 local
        ("2026-12-06 23:59", "2026-12-07 02:59", "2026-W49"),  # Sunday 23:59 local
        ("2026-11-29 23:59", "2026-11-30 02:59", "2026-W48"),  # a minute before the week
        ("2026-12-07 00:00", "2026-12-07 03:00", "2026-W50"),  # the next Monday
        # An evening group on Sunday is Monday 02:00-05:00 in UTC: it is still Sunday's week.
        ("2026-12-06 18:00", "2026-12-06 21:00", "2026-W49"),
        # 2026 has an ISO week 53; New Year's Day 2027 belongs to it.
        ("2027-01-01 09:00", "2027-01-01 12:00", "2026-W53"),
        ("2026-12-28 00:00", "2026-12-28 03:00", "2026-W53"),
        ("2027-01-03 23:59", "2027-01-04 02:59", "2026-W53"),
        ("2027-01-04 00:00", "2027-01-04 03:00", "2027-W01"),
    ],
)
def test_an_entry_counts_in_the_week_of_its_local_date(start, end, counted_in):
    entry = LedgerEntry("group", 180, 180, start=local(start), end=local(end))
    weeks = ("2026-W48", "2026-W49", "2026-W50", "2026-W53", "2027-W01")
    counted = {week: check([entry], week).group_minutes for week in weeks}
    assert counted == {week: 180 if week == counted_in else 0 for week in weeks}


def test_the_sunday_evening_group_is_monday_in_utc():
    start = local("2026-12-06 18:00")
    assert start.date() == date(2026, 12, 7)  # the trap the rule must avoid
    assert iso_week_of(start.astimezone(PACIFIC).date()) == "2026-W49"


def test_a_recorded_service_date_wins_over_the_start_time():
    entry = LedgerEntry(
        "group", 180, 180, start=local("2026-12-07 09:00"), service_date=date(2026, 12, 6)
    )
    assert check([entry], "2026-W49").group_minutes == 180
    assert check([entry], "2026-W50").group_minutes == 0


@pytest.mark.parametrize(
    ("week", "start", "end"),
    [
        ("2026-W49", "2026-11-30 00:00", "2026-12-07 00:00"),
        ("2026-W53", "2026-12-28 00:00", "2027-01-04 00:00"),
        ("2027-W01", "2027-01-04 00:00", "2027-01-11 00:00"),
        ("2026-W01", "2025-12-29 00:00", "2026-01-05 00:00"),
    ],
)
def test_week_bounds_are_local_mondays_in_utc(week, start, end):
    bounds = iso_week_bounds(week, LA)
    assert bounds == (local(start), local(end))
    assert all(
        moment.tzinfo is not None and moment.utcoffset() == timedelta(0) for moment in bounds
    )


# ---- daylight saving ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "hours"),
    [("2026-W10", 167), ("2026-W44", 169), ("2026-W49", 168)],  # spring forward, fall back
)
def test_daylight_saving_weeks_are_167_or_169_hours_long(week, hours):
    start, end = iso_week_bounds(week, LA)
    assert end - start == timedelta(hours=hours)


def test_spring_forward_sunday_counts_attended_minutes_not_the_wall_clock():
    # 2026-03-08 01:00-04:00 on the wall is two real hours; the ledger says 120 minutes.
    monday = date(2026, 3, 2)
    sunday = LedgerEntry(
        "group", 120, 120, start=local("2026-03-08 01:00"), end=local("2026-03-08 04:00")
    )
    result = check([*full_week(monday, days=4), sunday], "2026-W10")
    assert (result.group_minutes, result.group_days) == (840, 5)
    assert "14 h of group attended of the 15 h the program requires" in result.gaps


def test_fall_back_sunday_counts_attended_minutes_not_the_wall_clock():
    # 2026-11-01 00:00-02:00 on the wall is three real hours; the ledger says 180 minutes.
    monday = date(2026, 10, 26)
    sunday = LedgerEntry(
        "group", 180, 180, start=local("2026-11-01 00:00"), end=local("2026-11-01 02:00")
    )
    result = check([*full_week(monday, days=4), sunday], "2026-W44")
    assert (result.group_minutes, result.group_days, result.compliant) == (900, 5, True)


# ---- boundaries ---------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "counts"), [(49, False), (50, True), (51, True), (0, False)])
def test_an_individual_session_counts_only_from_the_minimum(minutes, counts):
    entries = [*full_week()[:5], individual(W49_MONDAY, minutes), physician(W49_MONDAY)]
    result = check(entries)
    assert result.individual_minutes == minutes
    assert result.individual_sessions == int(counts)
    assert result.compliant is counts
    gap = "no individual session of at least 50 minutes"
    assert (gap in result.gaps) is not counts


def test_short_individual_sessions_are_summed_but_do_not_add_up_to_one():
    entries = [*full_week()[:5], individual(W49_MONDAY, 30), individual(W49_MONDAY, 30)]
    result = check(entries)
    assert (result.individual_minutes, result.individual_sessions) == (60, 0)


NINE_HOURS = ProgramPolicy(group_days_per_week=3)  # 3 x 3 h = the 9 h minimum exactly


@pytest.mark.parametrize(
    ("minutes", "gap"),
    [
        (539, "only 8.9 h of group attended, below the 9 h minimum"),
        (540, None),
        (510, "only 8.5 h of group attended, below the 9 h minimum"),
        (1140, None),
        (1141, "19.1 h of group attended, above the 19 h maximum"),
        (1200, "20 h of group attended, above the 19 h maximum"),
    ],
)
def test_weekly_hours_bounds(minutes, gap):
    days = [W49_MONDAY + timedelta(i) for i in range(3)]
    split = [minutes // 3, minutes // 3, minutes - 2 * (minutes // 3)]
    entries = [group(d, m) for d, m in zip(days, split, strict=True)]
    entries += [individual(W49_MONDAY), physician(W49_MONDAY)]
    result = check(entries, policy=NINE_HOURS)
    assert result.group_minutes == minutes
    assert list(result.gaps) == ([gap] if gap else [])
    assert result.compliant is (gap is None)


# ---- policies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "required"),
    [
        (DEFAULT, 900),
        (ProgramPolicy(group_days_per_week=7), 1140),  # 21 h capped to the 19 h maximum
        (ProgramPolicy(group_days_per_week=2), 540),  # 6 h raised to the 9 h minimum
        (ProgramPolicy(group_days_per_week=2, min_weekly_hours=Decimal("6")), 360),
        (ProgramPolicy(group_days_per_week=4, group_hours_per_day=Decimal("2.5")), 600),
        (ProgramPolicy(group_hours_per_day="3.25"), 975),
    ],
)
def test_required_group_minutes_stay_inside_the_weekly_bounds(policy, required):
    assert check([], policy=policy).required_group_minutes == required


def test_a_custom_policy_changes_the_rules_and_the_words():
    policy = ProgramPolicy(
        group_days_per_week=3,
        min_weekly_hours=Decimal("6"),
        individual_sessions_per_week=2,
        individual_min_minutes=60,
        physician_visits_per_week=2,
    )
    entries = [*full_week(days=3)[:3], individual(W49_MONDAY, 60), individual(W49_MONDAY, 55)]
    entries.append(physician(W49_MONDAY))
    result = check(entries, policy=policy)
    assert result.gaps == (
        "1 of 2 individual sessions of at least 60 minutes",
        "1 of 2 physician visits",
    )


def test_a_policy_without_individual_or_physician_requirements():
    policy = ProgramPolicy(individual_sessions_per_week=0, physician_visits_per_week=0)
    assert check(full_week()[:5], policy=policy).compliant


def test_the_policy_reads_off_a_program_row():
    program = SimpleNamespace(
        group_days_per_week=4,
        group_hours_per_day=Decimal("3.00"),
        min_weekly_hours=Decimal("6.0"),
        max_weekly_hours=Decimal("19.0"),
        individual_sessions_per_week=1,
        individual_min_minutes=45,
        physician_visits_per_week=1,
        physician_visit_minutes=20,
        name="Fictional Evening IOP",
    )
    policy = ProgramPolicy.from_program(program)
    assert (policy.required_group_minutes, policy.individual_min_minutes) == (720, 45)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_weekly_hours": Decimal("20")},
        {"group_days_per_week": -1},
        {"individual_min_minutes": -5},
    ],
)
def test_an_impossible_policy_is_refused(kwargs):
    with pytest.raises(ValueError):
        ProgramPolicy(**kwargs)


# ---- scheduled group time -----------------------------------------------------------------


def test_a_short_schedule_is_its_own_gap_when_the_schedule_is_given():
    # A holiday week: four days offered and all four attended.
    entries = full_week(days=4)
    result = check(entries, scheduled_group_minutes=720)
    assert result.scheduled_group_minutes == 720
    assert "only 12 h of group scheduled; the program requires 15 h" in result.gaps
    assert "4 of 5 group days attended" in result.gaps


def test_the_schedule_is_not_judged_from_a_partial_ledger():
    result = check(full_week())  # entries carry 180 scheduled minutes each
    assert result.scheduled_group_minutes == 900
    assert not any("scheduled" in gap for gap in check(full_week()[:1]).gaps)


# ---- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "week",
    ["2026-49", "2026W49", "2026-W4", "2026-W00", "2026-W54", "2025-W53", "2027-W53", "", "W49"],
)
def test_a_bad_week_is_a_clear_error_on_the_week_field(week):
    with pytest.raises(ValidationFailed) as caught:
        check([], week)
    assert "week" in caught.value.field_errors
    assert "2026-W49" in caught.value.message
    with pytest.raises(ValidationFailed):
        iso_week_bounds(week, LA)


def test_an_unknown_zone_is_a_clear_error():
    with pytest.raises(ValidationFailed) as caught:
        weekly_compliance(DEFAULT, "Pacific/Atlantis", "2026-W49", [])
    assert "zone" in caught.value.field_errors


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": datetime(2026, 12, 1, 9)},  # naive
        {"start": local("2026-12-01 12:00"), "end": local("2026-12-01 09:00")},
        {},  # neither start nor service date
        {"service_date": W49_MONDAY, "attended_minutes": -1},
    ],
)
def test_a_malformed_ledger_entry_is_refused(kwargs):
    with pytest.raises(ValueError):
        LedgerEntry(**{"kind": "group", "attended_minutes": 60, **kwargs})


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        LedgerEntry("yoga", 60, service_date=W49_MONDAY)


# ---- missed two days in a row -------------------------------------------------------------

MON_TO_FRI = [W49_MONDAY + timedelta(i) for i in range(5)] + [
    W49_MONDAY + timedelta(7 + i) for i in range(5)
]


def attended_except(*missed: int) -> list[date]:
    return [day for i, day in enumerate(MON_TO_FRI) if i not in missed]


@pytest.mark.parametrize(
    ("missed", "expected"),
    [
        ((), False),
        ((0,), False),
        ((0, 2), False),  # Monday and Wednesday: not in a row
        ((1, 2), True),  # Tuesday and Wednesday
        ((4, 5), True),  # Friday then the next Monday: the weekend is not program time
        ((3, 5), False),
        ((8, 9), True),
    ],
)
def test_missed_two_scheduled_days_in_a_row(missed, expected):
    assert missed_consecutive_days(attended_except(*missed), MON_TO_FRI) is expected


def test_unscheduled_days_neither_count_nor_excuse():
    assert missed_consecutive_days([], []) is False
    saturday = W49_MONDAY + timedelta(5)
    assert missed_consecutive_days([saturday], MON_TO_FRI[:2]) is True


# ---- properties ---------------------------------------------------------------------------

POLICIES = st.sampled_from(
    [
        DEFAULT,
        NINE_HOURS,
        ProgramPolicy(group_days_per_week=2, min_weekly_hours=Decimal("6")),
        ProgramPolicy(individual_min_minutes=30, physician_visits_per_week=0),
    ]
)
ENTRIES = st.lists(
    st.builds(
        LedgerEntry,
        kind=st.sampled_from(["group", "individual", "physician"]),
        attended_minutes=st.integers(0, 240),
        scheduled_minutes=st.integers(0, 240),
        service_date=st.dates(W49_MONDAY - timedelta(2), W49_MONDAY + timedelta(8)),
    ),
    max_size=8,
)


@given(
    policy=POLICIES,
    base_minutes=st.integers(150, 240),
    extra=ENTRIES,
    index=st.integers(0, 50),
    added=st.integers(1, 600),
)
def test_more_attended_minutes_never_break_a_compliant_week_below_the_maximum(
    policy, base_minutes, extra, index, added
):
    entries = [*full_week(minutes=base_minutes), *extra]
    before = check(entries, policy=policy)
    assume(before.compliant)
    target = entries[index % len(entries)]
    more = LedgerEntry(
        target.kind,
        target.attended_minutes + added,
        target.scheduled_minutes,
        service_date=target.service_date,
    )
    for changed in (entries[:index] + [more] + entries[index + 1 :], [*entries, more]):
        after = check(changed, policy=policy)
        assert after.compliant or after.group_minutes > policy.max_weekly_minutes
        assert after.group_minutes >= before.group_minutes


@given(moment=st.datetimes(datetime(2025, 12, 1), datetime(2028, 1, 31), timezones=st.just(UTC)))
def test_every_instant_falls_inside_the_bounds_of_its_local_week(moment):
    week = iso_week_of(moment.astimezone(PACIFIC).date())
    start, end = iso_week_bounds(week, LA)
    assert start <= moment < end
    entry = LedgerEntry("group", 60, start=moment)
    assert check([entry], week).group_minutes == 60
