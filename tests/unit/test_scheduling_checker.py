"""The independent checker catches plans broken on purpose, one rule at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from openiop.scheduling.checker import check_plan
from tests.unit.test_scheduling_support import at, hours, patient, solved, week


@pytest.fixture(scope="module")
def good():
    """Two patients of C1 and a physician visit, all placed, no violation."""
    doc = week(
        patients=[
            patient("P1", needs=["individual", "physician"], telehealth_ok=False),
            patient("P2", commitments=[hours(["mon"], "06:00", "08:40", "Work")]),
        ]
    )
    problem, plan = solved(doc)
    assert len(plan.appointments) == 3 and check_plan(problem, plan) == []
    return problem, plan


def rules(problem, plan) -> set[str]:
    return {v.rule for v in check_plan(problem, plan)}


def edit(plan, index, **changes):
    appointments = list(plan.appointments)
    appointments[index] = replace(appointments[index], **changes)
    return replace(plan, appointments=tuple(appointments))


def test_two_sessions_of_one_counselor_at_once_are_an_overlap(good):
    problem, plan = good
    first, second = (i for i, a in enumerate(plan.appointments) if a.staff == "C1")
    a = plan.appointments[first]
    broken = edit(plan, second, start=a.start, end=a.end, room="O1")
    assert {"overlap_staff", "overlap_room"} <= rules(problem, broken)


def test_an_appointment_outside_working_hours_is_caught(good):
    problem, plan = good
    broken = edit(plan, 0, start=at("mon", "07:00"), end=at("mon", "07:50"))
    assert "outside_hours" in rules(problem, broken)


def test_a_room_that_does_not_host_the_kind_is_the_wrong_room(good):
    problem, plan = good
    assert "wrong_room" in rules(problem, edit(plan, 0, room="G"))
    assert "wrong_room" in rules(problem, edit(plan, 0, room="NOPE"))


def test_telehealth_for_a_patient_who_does_not_accept_it_is_caught(good):
    problem, plan = good
    assert "telehealth" in rules(problem, edit(plan, 0, room=None))


def test_a_session_during_the_patients_group_is_caught(good):
    problem, plan = good
    broken = edit(plan, 0, start=at("mon", "18:00"), end=at("mon", "18:50"))
    assert "overlap_group" in rules(problem, broken)


def test_a_session_too_close_to_work_breaks_the_travel_buffer(good):
    problem, plan = good
    index = next(i for i, a in enumerate(plan.appointments) if a.patient == "P2")
    broken = edit(plan, index, start=at("mon", "09:00"), end=at("mon", "09:50"))
    assert "travel_buffer" in rules(problem, broken)


def test_a_stand_in_must_be_marked_and_allowed(good):
    problem, plan = good
    index = next(i for i, a in enumerate(plan.appointments) if a.kind == "individual")
    assert "other_counselor_mark" in rules(problem, edit(plan, index, staff="C2"))
    assert "wrong_staff" in rules(problem, edit(plan, index, staff="MD", other_counselor=True))


def test_a_request_dropped_without_a_word_is_caught(good):
    problem, plan = good
    dropped = replace(plan, appointments=plan.appointments[1:])
    assert "dropped" in rules(problem, dropped)


def test_a_closure_makes_an_existing_plan_invalid(good):
    problem, plan = good
    a = plan.appointments[0]
    closed = replace(problem, closures=(type(problem.staff[0].hours[0])(a.start, a.end, "Flood"),))
    assert "closure" in rules(closed, plan)


def test_caps_are_checked(good):
    problem, plan = good
    capped = replace(
        problem, staff=tuple(replace(s, caseload_cap=1, max_per_day=1) for s in problem.staff)
    )
    found = rules(capped, plan)
    assert "caseload_cap" in found
    same_day = {a.start // 1440 for a in plan.appointments if a.staff == "C1"}
    assert ("daily_cap" in found) == (len(same_day) == 1)
