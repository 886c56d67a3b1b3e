"""Program policy, track times, site details and credentials: pure rules, tested by tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.kit.identifiers import npi_with_check_digit
from openiop.programs import rules
from openiop.programs.rules import Policy

D = Decimal
SEED = Policy()
GOOD_NPI = npi_with_check_digit("123456789")

# ---- program policy -------------------------------------------------------------------------


def test_the_seed_policy_is_valid_and_reads_plainly():
    assert rules.policy_problems(SEED) == {}
    assert rules.policy_summary(SEED) == "5 days × 3 h = 15 h a week, within 9–19 h"
    assert rules.policy_sentences(SEED) == [
        "5 days × 3 h = 15 h a week, within 9–19 h.",
        "1 individual session(s) a week of at least 50 minutes.",
        "1 physician visit(s) a week of about 20 minutes.",
        "ASAM level 2.1 for adults allows 9–19 h a week.",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"group_days_per_week": 0}, "group_days_per_week", "between 1 and 7"),
        ({"group_days_per_week": 8}, "group_days_per_week", "between 1 and 7"),
        ({"group_hours_per_day": D(0)}, "group_hours_per_day", "more than 0"),
        ({"group_hours_per_day": D(-1)}, "group_hours_per_day", "more than 0"),
        ({"group_hours_per_day": D("8.25")}, "group_hours_per_day", "at most 8"),
        ({"group_hours_per_day": D("2.125")}, "group_hours_per_day", "two decimal places"),
        ({"min_weekly_hours": D(12), "max_weekly_hours": D(10)}, "max_weekly_hours",
         "below the minimum"),
        ({"min_weekly_hours": D(-1)}, "min_weekly_hours", "between 0 and 168"),
        ({"max_weekly_hours": D(200)}, "max_weekly_hours", "between 0 and 168"),
        ({"min_weekly_hours": D("9.25")}, "min_weekly_hours", "one decimal place"),
        ({"min_weekly_hours": D(8)}, "min_weekly_hours",
         "ASAM level 2.1 for adults is 9–19 h a week; a minimum of 8 h falls outside it."),
        ({"max_weekly_hours": D(20)}, "max_weekly_hours",
         "ASAM level 2.1 for adults is 9–19 h a week; a maximum of 20 h falls outside it."),
        ({"population": "adolescent", "min_weekly_hours": D(5)}, "min_weekly_hours",
         "ASAM level 2.1 for adolescents is 6–19 h a week"),
        ({"asam_level": "1", "min_weekly_hours": D(2), "max_weekly_hours": D(9),
          "group_days_per_week": 2}, "max_weekly_hours", "fewer than 9 h"),
        ({"asam_level": "2.5", "min_weekly_hours": D(19), "max_weekly_hours": D(30)},
         "min_weekly_hours", "20 h or more"),
        ({"group_hours_per_day": D(1)}, "group_hours_per_day",
         "5 days × 1 h = 5 h a week, outside the program's 9–19 h."),
        ({"group_days_per_week": 7}, "group_hours_per_day", "7 days × 3 h = 21 h a week"),
        ({"individual_sessions_per_week": -1}, "individual_sessions_per_week", "between 0"),
        ({"individual_sessions_per_week": 15}, "individual_sessions_per_week", "and 14"),
        ({"individual_min_minutes": 0}, "individual_min_minutes", "between 1 and 480"),
        ({"physician_visits_per_week": -1}, "physician_visits_per_week", "between 0 and 7"),
        ({"physician_visit_minutes": 0}, "physician_visit_minutes", "between 1 and 480"),
        ({"asam_level": "3.1"}, "asam_level", "Choose an ASAM level"),
        ({"population": "senior"}, "population", "adult or adolescent"),
    ],
)  # fmt: skip
def test_an_invalid_policy_names_the_field(changes, field, fragment):
    problems = rules.policy_problems(replace(SEED, **changes))
    assert field in problems, problems
    assert fragment in problems[field]


@pytest.mark.parametrize(
    "changes",
    [
        {"population": "adolescent", "min_weekly_hours": D(6), "group_days_per_week": 3},
        {"individual_sessions_per_week": 0},
        {"physician_visits_per_week": 0},
        {"group_days_per_week": 3, "group_hours_per_day": D(3)},  # exactly 9 h
        {"group_days_per_week": 2, "group_hours_per_day": D("8")},  # 16 h, 8 h days
        {"group_hours_per_day": D("3.75"), "max_weekly_hours": D("19")},  # 18.75 h
        {"asam_level": "1", "min_weekly_hours": D(2), "max_weekly_hours": D("8.5"),
         "group_days_per_week": 2, "group_hours_per_day": D(3)},
        {"asam_level": "2.5", "min_weekly_hours": D(20), "max_weekly_hours": D(30),
         "group_hours_per_day": D(5)},
    ],
)  # fmt: skip
def test_valid_policies_pass(changes):
    assert rules.policy_problems(replace(SEED, **changes)) == {}


def test_field_problems_come_before_the_level_and_schedule_checks():
    # One bad field at a time: the cross-field messages would only confuse until it is fixed.
    problems = rules.policy_problems(replace(SEED, group_days_per_week=0, min_weekly_hours=D(1)))
    assert set(problems) == {"group_days_per_week"}


def test_a_schedule_outside_the_bounds_reads_as_outside():
    assert rules.policy_summary(replace(SEED, group_days_per_week=2)) == (
        "2 days × 3 h = 6 h a week, outside 9–19 h"
    )


@pytest.mark.parametrize(
    ("level", "population", "bounds"),
    [("2.1", "adult", (D(9), D(19))), ("2.1", "adolescent", (D(6), D(19))),
     ("1", "adult", (D(0), D("8.5"))), ("2.5", "adult", None), ("9", "adult", None)],
)  # fmt: skip
def test_default_weekly_bounds_follow_the_level(level, population, bounds):
    assert rules.default_weekly_bounds(level, population) == bounds


@pytest.mark.parametrize(
    ("band", "text"),
    [(rules.LEVEL_HOURS[("2.1", "adult")], "9–19 h"),
     (rules.LEVEL_HOURS[("1", "adolescent")], "fewer than 6 h"),
     (rules.LEVEL_HOURS[("2.5", "adult")], "20 h or more")],
)  # fmt: skip
def test_level_bands_describe_themselves(band, text):
    assert band.describe() == text


@pytest.mark.parametrize(
    ("hours", "text"), [(D("3.00"), "3"), (D("2.50"), "2.5"), (D("1.25"), "1.25"), (D(10), "10")]
)
def test_hours_print_as_people_write_them(hours, text):
    assert rules.fmt_hours(hours) == text


quarter_hours = st.integers(min_value=-4, max_value=40).map(lambda q: D(q) / 4)
weekly = st.integers(min_value=-10, max_value=400).map(lambda t: D(t) / 10)


@given(
    days=st.integers(min_value=-1, max_value=9),
    hours=quarter_hours,
    low=weekly,
    high=weekly,
    level=st.sampled_from(["1", "2.1", "2.5", "4"]),
    population=st.sampled_from(["adult", "adolescent"]),
)
def test_an_accepted_policy_always_keeps_every_promise(days, hours, low, high, level, population):
    policy = replace(
        SEED, group_days_per_week=days, group_hours_per_day=hours, min_weekly_hours=low,
        max_weekly_hours=high, asam_level=level, population=population,
    )  # fmt: skip
    problems = rules.policy_problems(policy)
    band = rules.LEVEL_HOURS.get((level, population))
    keeps_promises = (
        band is not None and 1 <= days <= 7 and 0 < hours <= 8 and low <= high
        and band.contains(low) and band.contains(high) and low <= days * hours <= high
    )  # fmt: skip
    assert (problems == {}) == keeps_promises, (policy, problems)


# ---- tracks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12345", "12345"), ("51", "15"), ("1,2,3", "123"), ("112", "12"), ("7 6", "67"),
     ("", None), ("0", None), ("8", None), ("1a", None), ("Mon", None)],
)  # fmt: skip
def test_weekdays_are_iso_digits_in_order(raw, expected):
    assert rules.normalize_weekdays(raw) == expected


def _track(**changes):
    base = {"weekdays": "12345", "start_time": time(9), "end_time": time(12),
            "group_size_cap": 12, "room_capacity": 12, "policy": SEED}  # fmt: skip
    return rules.track_problems(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"weekdays": ""}, "weekdays", "ISO digits"),
        ({"weekdays": "1238"}, "weekdays", "ISO digits"),
        ({"end_time": time(9)}, "end_time", "after the start"),
        ({"start_time": time(13)}, "end_time", "after the start"),
        ({"group_size_cap": 0}, "group_size_cap", "at least 1"),
        ({"group_size_cap": 13}, "group_size_cap", "room's capacity (12)"),
        ({"room_capacity": None, "group_size_cap": 101}, "group_size_cap", "largest group"),
        ({"weekdays": "135"}, "weekdays", "needs 5 group days a week; this track meets on 3"),
        ({"end_time": time(11)}, "end_time", "needs 3 h of group a day; 09:00–11:00 is 2 h"),
        ({"end_time": time(11, 30)}, "end_time", "is 2.5 h"),
    ],
)  # fmt: skip
def test_an_invalid_track_names_the_field(changes, field, fragment):
    problems = _track(**changes)
    assert field in problems, problems
    assert fragment in problems[field]


@pytest.mark.parametrize(
    "changes",
    [{}, {"room_capacity": None}, {"policy": None, "weekdays": "1"}, {"weekdays": "1234567"},
     {"end_time": time(12, 30)}, {"group_size_cap": 1}],
)  # fmt: skip
def test_valid_tracks_pass(changes):
    assert _track(**changes) == {}


# ---- locations and rooms ------------------------------------------------------------------------


def _location(**changes):
    base = {"state": "CA", "postal_code": "94607", "phone": "555-010-0123",
            "time_zone": "America/Los_Angeles", "npi": GOOD_NPI}  # fmt: skip
    return rules.location_problems(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"state": "NV"}, "state", "must be CA"),
        ({"postal_code": "9460"}, "postal_code", "5-digit"),
        ({"postal_code": "94607-1234"}, "postal_code", "5-digit"),
        ({"postal_code": "1000A"}, "postal_code", "5-digit"),
        ({"postal_code": "10001"}, "postal_code", "not a California ZIP"),
        ({"postal_code": "96200"}, "postal_code", "not a California ZIP"),
        ({"phone": "555-0123"}, "phone", "10-digit"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "IANA"),
        ({"time_zone": ""}, "time_zone", "IANA"),
        ({"time_zone": "../etc/passwd"}, "time_zone", "IANA"),
        ({"npi": "1234567890"}, "npi", "not valid"),
        ({"npi": "12345"}, "npi", "not valid"),
    ],
)  # fmt: skip
def test_an_invalid_location_names_the_field(changes, field, fragment):
    problems = _location(**changes)
    assert set(problems) == {field}, problems
    assert fragment in problems[field]


@pytest.mark.parametrize(
    "changes",
    [{}, {"state": "ca"}, {"postal_code": "90001"}, {"postal_code": "96161"}, {"phone": None},
     {"phone": "+1 (555) 010-0199"}, {"npi": None}, {"time_zone": "UTC"}],
)  # fmt: skip
def test_valid_locations_pass(changes):
    assert _location(**changes) == {}


@pytest.mark.parametrize(("capacity", "ok"), [(0, False), (1, True), (500, True), (501, False)])
def test_room_capacity(capacity, ok):
    assert (rules.room_problems(capacity=capacity) == {}) is ok


# ---- staff and credentials ------------------------------------------------------------------------


def test_the_credential_list_is_fixed_and_says_who_is_supervised():
    assert list(rules.CREDENTIALS) == [
        "LCSW", "LMFT", "LPCC", "ACSW", "AMFT", "APCC", "CADC", "CADC-II", "RADT",
        "MD", "DO", "NP", "PA", "RN", "LVN", "PsyD", "PhD",
    ]  # fmt: skip
    supervised = {c.code for c in rules.CREDENTIALS.values() if c.supervised}
    assert supervised == {"ACSW", "AMFT", "APCC", "RADT", "NP", "PA", "LVN"}
    needs_npi = {c.code for c in rules.CREDENTIALS.values() if c.needs_npi}
    assert needs_npi == {"MD", "DO", "NP", "PA"}


@pytest.mark.parametrize(
    ("raw", "known", "unknown"),
    [(["lcsw", "CADC-ii"], ["LCSW", "CADC-II"], []), (["CADC", "LCSW", "cadc"], ["LCSW", "CADC"], []),
     (["psyd", " PhD "], ["PsyD", "PhD"], []), (["XYZ", "MD", ""], ["MD"], ["XYZ"])],
)  # fmt: skip
def test_credentials_are_matched_whatever_their_case(raw, known, unknown):
    assert rules.canonical_credentials(raw) == (known, unknown)


@pytest.mark.parametrize(
    ("codes", "npi", "expected"),
    [
        (["LCSW"], None, {}),
        (["MD"], GOOD_NPI, {}),
        (["MD"], None, {"npi": "An NPI is required for MD."}),
        (["NP", "PA"], None, {"npi": "An NPI is required for NP, PA."}),
        (["DO"], "", {"npi": "An NPI is required for DO."}),
        (["LCSW"], "1234567890", {"npi": "That NPI is not valid: an NPI has 10 digits and a "
                                          "check digit."}),
        (["XYZ"], None, {"credentials": "Unknown credential(s): XYZ."}),
    ],
)  # fmt: skip
def test_credential_checks(codes, npi, expected):
    assert rules.credential_problems(codes, npi) == expected


@pytest.mark.parametrize(
    ("codes", "supervised"),
    [(["AMFT"], True), (["AMFT", "LCSW"], False), ([], False), (["RADT", "lvn"], True),
     (["MD"], False)],
)  # fmt: skip
def test_needs_supervision_only_when_no_credential_is_independent(codes, supervised):
    assert rules.needs_supervision(codes) is supervised


def _staff(**changes):
    base = {"credentials": ["LCSW"], "npi": None, "caseload_cap": 20,
            "weekly_hours": D(40), "location_count": 1}  # fmt: skip
    return rules.staff_problems(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"caseload_cap": -1}, "caseload_cap"), ({"caseload_cap": 501}, "caseload_cap"),
     ({"weekly_hours": D(-1)}, "weekly_hours"), ({"weekly_hours": D("80.5")}, "weekly_hours"),
     ({"weekly_hours": D("37.25")}, "weekly_hours"), ({"location_count": 0}, "location_ids"),
     ({"credentials": ["MD"]}, "npi")],
)  # fmt: skip
def test_an_invalid_staff_member_names_the_field(changes, field):
    assert set(_staff(**changes)) == {field}


@pytest.mark.parametrize(
    "changes",
    [{}, {"caseload_cap": 0}, {"weekly_hours": D(0)}, {"weekly_hours": D(80)},
     {"weekly_hours": D("37.5")}, {"credentials": []}, {"location_count": 3}],
)  # fmt: skip
def test_valid_staff_pass(changes):
    assert _staff(**changes) == {}
