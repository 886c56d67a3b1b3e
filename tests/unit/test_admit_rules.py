"""Admit rules as tables: who may be admitted, track clashes at their boundaries, staff
qualifications and caseloads, the consent signature, the first week and commitment rows."""

from __future__ import annotations

from datetime import date, time

import pytest

from openiop.admissions import admit_rules as r

MORNINGS = r.TrackTimes(1, "Mornings", (1, 2, 3, 4, 5), time(9), time(12))


def block(day: int, start: int, end: int, label: str = "Work") -> r.WeeklyBlock:
    return r.WeeklyBlock(day, time(start), time(end), label)


@pytest.mark.parametrize(
    ("stage", "level", "problem"),
    [
        ("assessed", "iop", None),
        ("insurance_verified", "iop_with_sober_living", None),
        ("new", "iop", None),
        ("admitted", "iop", "already been admitted"),
        ("lost", "iop", "reopen it as Contacted"),
        ("referred_out", "iop", "reopen it as Contacted"),
        ("assessed", None, "accept or override"),
        ("assessed", "residential", "refer the person out"),
        ("assessed", "outpatient", "refer the person out"),
        ("assessed", "urgent_safety_assessment", "refer the person out"),
    ],
)
def test_admit_problem(stage, level, problem):
    found = r.admit_problem(stage, level)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("commitment", "clashes"),
    [
        (block(1, 7, 9), False),  # ends as the group starts: touching is fine
        (block(1, 12, 17), False),  # starts as the group ends
        (block(1, 7, 10), True),
        (block(1, 11, 13), True),
        (block(3, 10, 11), True),  # inside the group
        (block(2, 8, 13), True),  # around the group
        (block(6, 9, 12), False),  # Saturday: no group
        (r.WeeklyBlock(1, time(11, 59), time(12, 30), "x"), True),
    ],
)
def test_track_clashes_at_their_boundaries(commitment, clashes):
    assert bool(r.clashes(MORNINGS, [commitment])) is clashes


def test_clashes_are_listed_by_day_and_described():
    found = r.clashes(MORNINGS, [block(3, 10, 14, "Shift"), block(1, 11, 13, "School run")])
    assert [c.weekday for c in found] == [1, 3]
    assert found[0].describe(MORNINGS) == "Mon 09:00–12:00 overlaps School run 11:00–13:00"
    week = r.clashes(
        MORNINGS, [block(d, 8, 16) for d in (1, 2, 3, 4, 5)] + [block(2, 11, 13, "Gym")]
    )
    assert r.describe_clashes(MORNINGS, week) == [
        "Mon–Fri 09:00–12:00 overlaps Work 08:00–16:00",
        "Tue 09:00–12:00 overlaps Gym 11:00–13:00",
    ]


@pytest.mark.parametrize(
    ("digits", "text"),
    [("12345", "Mon–Fri"), ("135", "Mon, Wed, Fri"), ("67", "Sat, Sun"), ("", "no days"),
     ("123", "Mon–Wed"), ("x19", "Mon")],
)  # fmt: skip
def test_track_days_and_their_description(digits, text):
    assert r.describe_days(r.track_days(digits)) == text


@pytest.mark.parametrize(
    ("credentials", "counsel", "prescribe"),
    [(["LCSW"], True, False), (["CADC"], True, False), (["RADT"], False, False),
     (["MD"], False, True), (["NP", "LCSW"], True, True), ([], False, False),
     (["RN"], False, False)],
)  # fmt: skip
def test_who_may_counsel_and_prescribe(credentials, counsel, prescribe):
    assert r.may_counsel(credentials) is counsel and r.may_prescribe(credentials) is prescribe


@pytest.mark.parametrize(
    ("open_cases", "cap", "text", "full"),
    [(3, 20, "3 of 20", False), (20, 20, "20 of 20", True), (21, 20, "21 of 20", True),
     (50, 0, "50 (no cap)", False)],
)  # fmt: skip
def test_caseload(open_cases, cap, text, full):
    assert r.caseload_text(open_cases, cap) == text and r.at_cap(open_cases, cap) is full


@pytest.mark.parametrize(
    ("admit", "ok"),
    [(date(2026, 11, 23), True), (date(2026, 11, 22), False), (date(2027, 1, 29), True),
     (date(2027, 1, 30), False)],
)  # fmt: skip
def test_admit_date_window(admit, ok):
    assert (r.admit_date_problem(admit, date(2026, 11, 30)) is None) is ok


def sign(**kw) -> r.Signature:
    return r.Signature(**{"signer": "self", "typed_name": "Wren Newcomer", "relationship": "",
                          "agreed": True, **kw})  # fmt: skip


@pytest.mark.parametrize(
    ("signature", "fields"),
    [
        (sign(), set()),
        (sign(typed_name="  wren   NEWCOMER. "), set()),  # case, spaces and dots do not matter
        (sign(agreed=False), {"consent_agreed"}),
        (sign(typed_name=""), {"consent_signed_name"}),
        (sign(typed_name="Wren N"), {"consent_signed_name"}),
        (sign(signer="friend"), {"consent_signer"}),
        (sign(signer="representative", typed_name="Morgan Newcomer"), {"consent_relationship"}),
        (sign(signer="representative", typed_name="Morgan Newcomer", relationship="Parent"), set()),
        (sign(typed_name="x" * 201), {"consent_signed_name"}),
    ],
)
def test_consent_signature(signature, fields):
    assert set(r.consent_problems(signature, "Wren Newcomer")) == fields


def test_first_week_plans_intake_today_and_the_rest_within_seven_days():
    plan = r.first_week(date(2026, 11, 30))
    assert [(p.kind, p.due, p.owner) for p in plan] == [
        ("intake", date(2026, 11, 30), "counselor"),
        ("individual_session", date(2026, 12, 6), "counselor"),
        ("physician_visit", date(2026, 12, 6), "physician"),
    ]


def test_commitment_rows():
    row, errors = r.read_commitment_row(1, "work", ["1", "3"], "07:00", "10:30", " Bakery ")
    assert errors == {} and row is not None
    assert [(b.weekday, b.start, b.end, b.label) for b in row.blocks()] == [
        (1, time(7), time(10, 30), "Bakery"), (3, time(7), time(10, 30), "Bakery"),
    ]  # fmt: skip
    assert r.read_commitment_row(2, "", [], "", "", "") == (None, {})
    _, errors = r.read_commitment_row(2, "job", ["8"], "9am", "08:00", "")
    assert set(errors) == {"c2_kind", "c2_days", "c2_start"}
    _, errors = r.read_commitment_row(3, "work", ["2"], "10:00", "09:00", "")
    assert errors == {"c3_end": "The end must be after the start."}
