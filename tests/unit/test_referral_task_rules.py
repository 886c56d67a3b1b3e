"""Referral and task rules as tables: the directory forms, the referral form with its
destinations, what closes an inquiry, who sees which task, timing and order."""

from __future__ import annotations

from datetime import date

import pytest

from openiop.admissions import referral_rules as rr
from openiop.admissions import task_rules as tr
from openiop.security.permissions import Role

TODAY = date(2026, 11, 30)
FOUND = rr.Destinations(
    partner_levels={1: ("residential", "withdrawal_management"), 2: ("iop",)},
    home_ids=frozenset({7}),
)


def partner(**kw) -> dict:
    return {"name": "Harbor", "city": "Sampleton", "state": "ca", "phone": "", "notes": "", **kw}


def test_partner_form_reads_levels_in_intensity_order_and_normalizes():
    entry, errors = rr.check_partner(
        partner(phone="555.010.2000", active="1"), ["withdrawal_management", "residential"]
    )
    assert errors == {}
    assert entry.levels == ("residential", "withdrawal_management") and entry.state == "CA"
    assert entry.phone == "(555) 010-2000" and entry.active


@pytest.mark.parametrize(
    ("raw", "levels", "field"),
    [
        (partner(name=""), ["iop"], "name"),
        (partner(name="x" * 201), ["iop"], "name"),
        (partner(city=""), ["iop"], "city"),
        (partner(state="Calif"), ["iop"], "state"),
        (partner(phone="12345"), ["iop"], "phone"),
        (partner(), [], "levels"),
        (partner(), ["iop", "spa"], "levels"),
        (partner(notes="n" * 2001), ["iop"], "notes"),
    ],
)
def test_partner_form_names_the_bad_field(raw, levels, field):
    entry, errors = rr.check_partner(raw, levels)
    assert entry is None and field in errors


@pytest.mark.parametrize(
    ("beds", "gender", "fields"),
    [("8", "women", set()), ("0", "all", set()), ("500", "men", set()), ("501", "men", {"beds"}),
     ("-1", "men", {"beds"}), ("eight", "men", {"beds"}), ("4", "any", {"gender"})],
)  # fmt: skip
def test_home_form(beds, gender, fields):
    _, errors = rr.check_home({"name": "Oak", "city": "Sampleton", "beds": beds, "gender": gender})
    assert set(errors) == fields


def referral(**kw) -> dict:
    return {"level": "residential", "partner_id": "1", "reason": "Needs 24-hour care.",
            "follow_up_date": "2026-12-07", **kw}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "fields", "closes"),
    [
        (referral(), set(), True),
        (referral(level="withdrawal_management"), set(), True),
        (referral(level="iop", partner_id="2"), set(), True),
        (referral(level="co_occurring_program"), {"partner_id"}, None),  # not offered
        (referral(partner_id="3"), {"partner_id"}, None),  # unknown or inactive
        (referral(partner_id=""), {"partner_id"}, None),
        (
            referral(level="iop_with_sober_living", partner_id="", sober_living_home_id="7"),
            set(),
            False,
        ),
        (
            referral(level="iop_with_sober_living", partner_id="2", sober_living_home_id="7"),
            set(),
            True,
        ),
        (referral(level="iop_with_sober_living", partner_id=""), {"sober_living_home_id"}, None),
        (referral(sober_living_home_id="8"), {"sober_living_home_id"}, None),
        (referral(reason=""), {"reason"}, None),
        (referral(follow_up_date="2026-11-29"), {"follow_up_date"}, None),
        (referral(follow_up_date="2026-11-30"), set(), True),
        (referral(follow_up_date="2027-02-28"), set(), True),  # day 90
        (referral(follow_up_date="2027-03-01"), {"follow_up_date"}, None),
        (referral(follow_up_date="next week"), {"follow_up_date"}, None),
        (referral(level="spa"), {"level"}, None),
    ],
)
def test_referral_form(raw, fields, closes):
    entry, errors = rr.check_referral(raw, TODAY, FOUND)
    assert set(errors) == fields
    if closes is not None:
        assert entry.closes_inquiry is closes


@pytest.mark.parametrize(
    ("role", "sees_referrals", "sees_any"),
    [(Role.ADMIN, True, True), (Role.PROGRAM_DIRECTOR, True, True), (Role.ADMISSIONS, True, True),
     (Role.COUNSELOR, False, True), (Role.PHYSICIAN, False, True), (Role.BILLING, False, False),
     (Role.FRONT_DESK, False, False), (Role.AUDITOR, False, False), (Role.PATIENT, False, False)],
)  # fmt: skip
def test_who_sees_which_task(role, sees_referrals, sees_any):
    kinds = tr.visible_kinds(role)
    assert ("referral_follow_up" in kinds) is sees_referrals
    assert bool(kinds) is sees_any
    assert ("urgent_safety_follow_up" in kinds) is sees_any


@pytest.mark.parametrize(
    ("due", "timing"),
    [
        (date(2026, 11, 29), "overdue"),
        (date(2026, 11, 30), "today"),
        (date(2026, 12, 1), "upcoming"),
    ],
)
def test_timing(due, timing):
    assert tr.timing(due, TODAY) == timing


def test_order_is_urgent_then_overdue_then_due_date():
    tasks = [
        tr.TaskFacts(1, "intake", date(2026, 12, 2)),
        tr.TaskFacts(2, "physician_visit", date(2026, 11, 28)),
        tr.TaskFacts(3, "urgent_safety_follow_up", date(2026, 11, 30)),
        tr.TaskFacts(4, "intake", date(2026, 12, 1)),
        tr.TaskFacts(5, "urgent_safety_follow_up", date(2026, 11, 29)),
    ]
    ordered = sorted(tasks, key=lambda t: tr.order_key(t, TODAY))
    assert [t.id for t in ordered] == [5, 3, 2, 4, 1]


@pytest.mark.parametrize("role", list(Role))
def test_task_work_permission_matches_the_task_roles(role):
    from openiop.security.permissions import Permission, Principal, can

    principal = Principal(user_id=1, email="x@example.org", role=role)
    allowed = {Role.ADMIN, Role.PROGRAM_DIRECTOR, Role.ADMISSIONS, Role.COUNSELOR, Role.PHYSICIAN}
    assert can(principal, Permission.TASK_WORK) is (role in allowed)
    assert (role in tr.TASK_ROLES) is (role in allowed)  # the menu and the service agree
