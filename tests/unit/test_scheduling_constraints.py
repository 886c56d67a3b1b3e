"""Hard rules on small hand-made weeks: each test builds a week where one rule decides."""

from __future__ import annotations

from openiop.scheduling.checker import check_plan
from tests.unit.test_scheduling_support import at, hours, patient, solved, week

ALL_DAY = ["mon", "tue", "thu", "fri"]


def only(plan):
    assert len(plan.appointments) == 1, plan.unplaced
    return plan.appointments[0]


def test_a_patient_busy_all_week_but_one_hour_is_seen_in_that_hour():
    doc = week(
        patients=[
            patient(
                commitments=[
                    hours(ALL_DAY, "00:00", "24:00", "Work"),
                    hours(["wed"], "00:00", "09:30", "Work"),
                    hours(["wed"], "10:50", "24:00", "Work"),
                ]
            )
        ]
    )
    doc["settings"]["travel_buffer_minutes"] = 0
    problem, plan = solved(doc)
    a = only(plan)
    assert (a.start, a.end, a.staff) in {
        (at("wed", "09:30"), at("wed", "10:20"), "C1"),
        (at("wed", "09:40"), at("wed", "10:30"), "C1"),
        (at("wed", "09:50"), at("wed", "10:40"), "C1"),
        (at("wed", "10:00"), at("wed", "10:50"), "C1"),
    }
    assert check_plan(problem, plan) == []


def busy_counselor_week(allowed: bool):
    staff = week()["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon"], "09:00", "09:50")]  # C1: room for one session only
    patients = [patient(p, other_counselor_allowed=allowed) for p in ("P1", "P2")]
    return week(staff=staff, patients=patients)


def test_a_fully_booked_counselor_hands_a_patient_to_another_qualified_counselor():
    problem, plan = solved(busy_counselor_week(allowed=True))
    by_staff = {a.staff: a for a in plan.appointments}
    assert set(by_staff) == {"C1", "C2"}
    assert by_staff["C1"].other_counselor is False
    assert by_staff["C2"].other_counselor is True
    assert plan.unplaced == ()
    assert check_plan(problem, plan) == []


def test_when_no_other_counselor_is_allowed_the_patient_is_reported_with_the_reason():
    problem, plan = solved(busy_counselor_week(allowed=False))
    [placed] = plan.appointments
    [missing] = plan.unplaced
    assert placed.staff == "C1" and {placed.patient, missing.patient} == {"P1", "P2"}
    assert "staff_booked" in missing.blocked_by
    assert "Counselor One is booked" in missing.reasons[0]
    assert check_plan(problem, plan) == []


def test_a_family_session_goes_to_the_room_big_enough_for_it():
    rooms = week()["locations"][0]["rooms"] + [
        {"id": "F", "name": "Family room", "capacity": 6, "kinds": ["family_session"]}
    ]
    problem, plan = solved(week(rooms=rooms, patients=[patient(needs=["family_session"])]))
    assert only(plan).room == "F"
    assert check_plan(problem, plan) == []


def test_without_a_room_big_enough_the_family_session_is_unplaced_naming_the_rooms():
    problem, plan = solved(week(patients=[patient(needs=["family_session"])]))
    [missing] = plan.unplaced
    assert "room" in missing.blocked_by
    assert "no room can hold a family session for 5" in missing.reasons[0]


def test_a_closure_moves_the_session_out_of_the_closed_hours():
    staff = week()["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon"], "09:00", "17:00")]
    closures = [{"day": "mon", "start": "09:00", "end": "15:00", "reason": "Fire drill"}]
    problem, plan = solved(week(staff=staff, closures=closures))
    assert only(plan).start >= at("mon", "15:00")


def test_a_closure_of_the_only_working_day_leaves_the_session_unplaced_and_says_so():
    staff = week()["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon"], "09:00", "17:00")]
    closures = [{"day": "mon", "reason": "Holiday"}]
    doc = week(staff=staff, closures=closures, patients=[patient(other_counselor_allowed=False)])
    problem, plan = solved(doc)
    [missing] = plan.unplaced
    assert "closure" in missing.blocked_by
    assert "the closure 'Holiday' on Monday" in missing.reasons[0]
    assert check_plan(problem, plan) == []


def gap_week(telehealth_ok: bool, kind: str = "individual"):
    """Free only from 12:00 to 12:50 on Monday: no time to travel, time enough by video."""
    staff = week()["locations"][0]["staff"]
    for s in staff:
        s["hours"] = [hours(["mon"], "09:00", "17:00")]
    work = [hours(["mon"], "06:00", "12:00", "Work"), hours(["mon"], "12:50", "17:00", "Work")]
    return week(
        staff=staff,
        patients=[
            patient(
                commitments=work,
                telehealth_ok=telehealth_ok,
                needs=[kind],
                other_counselor_allowed=False,
            )
        ],
    )


def test_telehealth_is_used_when_the_travel_buffer_rules_out_coming_in():
    problem, plan = solved(gap_week(telehealth_ok=True))
    a = only(plan)
    assert a.telehealth and a.room is None
    assert (a.start, a.end) == (at("mon", "12:00"), at("mon", "12:50"))
    assert check_plan(problem, plan) == []


def test_without_telehealth_the_travel_buffer_is_named_as_the_reason():
    problem, plan = solved(gap_week(telehealth_ok=False))
    [missing] = plan.unplaced
    assert "travel" in missing.blocked_by
    assert "30-minute travel buffer around 'Work'" in missing.reasons[0]


def test_a_drug_screen_is_never_held_by_telehealth():
    rooms = week()["locations"][0]["rooms"]
    rooms[0]["kinds"].append("drug_screen")
    doc = gap_week(telehealth_ok=True, kind="drug_screen")
    doc["locations"][0]["rooms"] = rooms
    problem, plan = solved(doc)
    # 10 minutes fit between the buffers (12:30-12:20 does not), so it stays unplaced
    [missing] = plan.unplaced
    assert "travel" in missing.blocked_by


def test_the_travel_buffer_keeps_an_in_person_session_clear_of_work():
    staff = week()["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon"], "12:00", "14:00")]
    work = [hours(["mon"], "06:00", "12:00", "Work")]
    doc = week(staff=staff, patients=[patient(commitments=work, other_counselor_allowed=False)])
    problem, plan = solved(doc)
    a = only(plan)
    assert a.start >= at("mon", "12:30") and a.room == "O1"
    assert check_plan(problem, plan) == []


def test_sessions_are_placed_next_to_the_group_when_they_can_be():
    staff = week()["locations"][0]["staff"]
    staff[0]["hours"] = [hours(["mon", "tue"], "08:00", "17:00")]
    tracks = week()["locations"][0]["tracks"]
    tracks[0]["sessions"] = [hours(["tue"], "09:00", "12:00")]
    problem, plan = solved(
        week(staff=staff, tracks=tracks, patients=[patient(other_counselor_allowed=False)])
    )
    # just before the group (08:10-09:00) or just after it (12:00-12:50): one trip
    assert only(plan).start in {at("tue", "08:10"), at("tue", "12:00")}
    assert dict(plan.costs)["trip"] == 0


def test_a_caseload_cap_sends_the_second_patient_to_another_counselor():
    staff = week()["locations"][0]["staff"]
    staff[0]["caseload_cap"] = 1
    problem, plan = solved(week(staff=staff, patients=[patient("P1"), patient("P2")]))
    assert sorted(a.staff for a in plan.appointments) == ["C1", "C2"]
    assert check_plan(problem, plan) == []


def test_a_daily_cap_spreads_appointments_over_days():
    staff = week()["locations"][0]["staff"]
    staff[0]["max_per_day"] = 1
    patients = [patient(f"P{i}", other_counselor_allowed=False) for i in range(1, 4)]
    problem, plan = solved(week(staff=staff, patients=patients))
    days = [a.start // 1440 for a in plan.appointments]
    assert len(days) == 3 and len(set(days)) == 3
    assert check_plan(problem, plan) == []


def test_a_week_nobody_can_be_seen_in_is_a_report_not_an_exception():
    blocked = [hours(["mon", "tue", "wed", "thu", "fri"], "06:00", "20:00", "Night shift")]
    doc = week(patients=[patient("P1", commitments=blocked), patient("P2", commitments=blocked)])
    problem, plan = solved(doc)
    assert plan.appointments == ()
    assert [u.patient for u in plan.unplaced] == ["P1", "P2"]
    for missing in plan.unplaced:
        assert "fits nowhere this week, even on its own" in missing.reasons[0]
        assert "'Night shift'" in missing.reasons[0]
        assert "commitment" in missing.blocked_by
    assert check_plan(problem, plan) == []
