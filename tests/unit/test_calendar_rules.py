"""The calendar's pure rules without a database: conflicts for a manual booking, local times
across daylight saving, session generation and this week's requirements."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.attendance.compliance import ProgramPolicy
from openiop.calendar import generation, requirements, rules
from openiop.calendar.rules import Busy, Context, Proposal, RoomFacts, Week

ZONE = "America/Los_Angeles"
MON = date(2026, 12, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return rules.local_span(day, time(hour, minute), time(hour, minute), ZONE)[0]


def context(**changes) -> Context:
    values = {
        "zone": ZONE,
        "location_id": 1,
        "patient_name": "Pat Q.",
        "staff_name": "Casey Lin",
        "staff_credentials": ("LCSW",),
        "staff_hours": (Busy(at(MON, 8), at(MON, 17), "working hours"),),
        "room": RoomFacts(5, "Office 1", 2, 1),
    }
    return Context(**{**values, **changes})


def proposal(hour: int = 13, minutes: int = 50, **changes) -> Proposal:
    start = at(MON, hour)
    values = {
        "kind": "individual",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "telehealth": False,
        "room_id": 5,
    }
    return Proposal(**{**values, **changes})


def codes(p: Proposal, ctx: Context) -> list[str]:
    return [c.code for c in rules.check(p, ctx)]


def test_a_free_slot_has_no_conflicts():
    assert rules.check(proposal(), context()) == []


def test_caseload_cap_refuses_a_new_patient_but_not_one_already_seen():
    full = context(caseload_cap=2, week_patients=frozenset({7, 8}), patient_id=9)
    (conflict,) = rules.check(proposal(), full)
    assert conflict.code == "caseload_cap" and conflict.field == "staff_member_id"
    assert "already sees 2 patients" in conflict.message and "(2)" in conflict.message
    assert (
        codes(proposal(), context(caseload_cap=2, week_patients=frozenset({7, 9}), patient_id=9))
        == []
    )
    assert (
        codes(proposal(), context(caseload_cap=3, week_patients=frozenset({7, 8}), patient_id=9))
        == []
    )
    assert codes(proposal(), context(caseload_cap=None, week_patients=frozenset({7, 8}))) == []


def test_patient_overlap_names_the_item_and_its_local_hours():
    ctx = context(
        patient_busy=(Busy(at(MON, 12), at(MON, 17), "Pat Q.'s work shift", offsite=True),)
    )
    (conflict,) = rules.check(proposal(), ctx)
    assert conflict.message == "Overlaps Pat Q.'s work shift Mon 12:00–17:00."
    assert conflict.field == "starts_at"


def test_travel_buffer_applies_to_offsite_items_in_person_only():
    work = Busy(at(MON, 14, 10), at(MON, 17), "Pat Q.'s work shift", offsite=True)
    group = Busy(at(MON, 14, 10), at(MON, 17), "Pat Q.'s group", offsite=False)
    assert codes(proposal(), context(patient_busy=(work,))) == ["travel_buffer"]
    assert codes(proposal(), context(patient_busy=(group,))) == []  # same building
    video = proposal(telehealth=True, room_id=None)
    assert codes(video, context(patient_busy=(work,), telehealth_ok=True)) == []


def test_back_to_back_is_not_an_overlap():
    before = Busy(at(MON, 12), at(MON, 13), "individual counseling with Lee O.")
    assert codes(proposal(), context(staff_busy=(before,))) == []


def test_staff_hours_time_off_and_overlap():
    assert codes(proposal(hour=16, minutes=90), context()) == ["staff_hours"]
    off = Busy(at(MON, 0), at(MON, 23), "time off (training)")
    assert codes(proposal(), context(staff_busy=(off,))) == ["staff_time_off"]
    assert "no hours here that day" in rules.check(proposal(), context(staff_hours=()))[0].message
    assert codes(proposal(), context(staff_active=False)) == ["staff_inactive"]


def test_room_rules():
    taken = RoomFacts(
        5, "Office 1", 2, 1, busy=(Busy(at(MON, 13), at(MON, 14), "group 'Evening'"),)
    )
    assert codes(proposal(), context(room=taken)) == ["room_overlap"]
    tiny = RoomFacts(5, "Booth", 1, 1)
    assert codes(proposal(), context(room=tiny)) == ["room_capacity"]
    elsewhere = RoomFacts(5, "Office 9", 2, 2)
    assert codes(proposal(), context(room=elsewhere)) == ["room_location"]
    virtual = RoomFacts(5, "Video room", 16, 1, virtual=True)
    assert codes(proposal(), context(room=virtual)) == ["room_virtual"]


def test_telehealth_needs_consent_and_a_kind_that_allows_it():
    video = proposal(telehealth=True, room_id=None)
    assert codes(video, context(room=None)) == ["telehealth"]
    screen = proposal(kind="drug_screen", minutes=10, telehealth=True, room_id=None)
    ctx = context(room=None, telehealth_ok=True, staff_credentials=("RN",))
    assert codes(screen, ctx) == ["telehealth"]


def test_closures_and_qualification():
    assert codes(proposal(), context(closures=((MON, "Holiday"),))) == ["closure"]
    assert codes(proposal(kind="physician", minutes=20), context()) == ["qualification"]
    assert codes(proposal(kind="physician", minutes=20), context(staff_credentials=("MD",))) == []


def test_shape_problems_come_alone():
    backwards = proposal(end=at(MON, 12))
    assert codes(backwards, context(closures=((MON, "Holiday"),))) == ["shape"]
    assert codes(proposal(room_id=None), context()) == ["shape"]


def test_local_span_keeps_wall_clock_time_across_dst():
    before = rules.local_span(date(2026, 10, 30), time(9), time(12), ZONE)
    after = rules.local_span(date(2026, 11, 2), time(9), time(12), ZONE)
    assert before[0] == datetime(2026, 10, 30, 16, tzinfo=UTC)
    assert after[0] == datetime(2026, 11, 2, 17, tzinfo=UTC)
    assert rules.describe(*after, ZONE) == "Mon 09:00–12:00"


def test_week_span_is_169_hours_when_the_clocks_go_back():
    start, end = Week(date(2026, 10, 26)).span(ZONE)
    assert end - start == timedelta(hours=169)
    assert Week.containing(date(2026, 12, 10)).monday == MON


# ---- generation -----------------------------------------------------------------------


TRACK = generation.TrackFacts(1, "Morning", "135", time(9), time(12), 7, (10, 11))
TOPICS = [generation.Topic(1, "A"), generation.Topic(2, "B"), generation.Topic(3, "C")]


def plan(days, **kw):
    values = {"zone": ZONE, "topics": TOPICS, "closed": {}, "existing": set(), "away": {}}
    return generation.plan_track(TRACK, days, **{**values, **kw})


def test_only_the_tracks_weekdays_get_sessions():
    planned, skipped = plan(generation.dates_between(MON, MON + timedelta(6)))
    assert [p.session_date.isoweekday() for p in planned] == [1, 3, 5]
    assert skipped == []


@given(st.dates(min_value=date(2000, 1, 3), max_value=date(2090, 1, 1)), st.integers(1, 40))
def test_rotation_is_the_same_whatever_the_range(start, length):
    days = generation.dates_between(start, start + timedelta(days=length))
    whole, _ = plan(days)
    halves = plan(days[: len(days) // 2])[0] + plan(days[len(days) // 2 :])[0]
    assert [(p.session_date, p.topic, p.facilitator_id) for p in whole] == [
        (p.session_date, p.topic, p.facilitator_id) for p in halves
    ]
    for a, b in zip(whole, whole[1:], strict=False):
        assert (
            TOPICS.index(next(t for t in TOPICS if t.title == b.topic))
            == (TOPICS.index(next(t for t in TOPICS if t.title == a.topic)) + 1) % 3
        )


def test_existing_and_closed_days_are_skipped_with_reasons():
    days = [MON, MON + timedelta(2)]
    planned, skipped = plan(days, existing={MON}, closed={MON + timedelta(2): "Holiday"})
    assert planned == []
    assert [s.reason for s in skipped] == ["exists", "closed: Holiday"]


def test_no_curriculum_and_everyone_away():
    span = rules.local_span(MON, time(0), time(23), ZONE)
    planned, _ = plan([MON], topics=[], away={10: [span], 11: [span]})
    assert planned[0].topic == generation.NO_CURRICULUM and planned[0].facilitator_id is None


def test_range_problems():
    assert generation.range_problems(MON, MON - timedelta(1)) == {
        "last": "The end date must not be before the start date."
    }
    assert "last" in generation.range_problems(MON, MON + timedelta(200))
    assert generation.range_problems(MON, MON) == {}


# ---- requirements ---------------------------------------------------------------------


POLICY = ProgramPolicy(group_days_per_week=3, group_hours_per_day=Decimal("3"))


def test_requirements_planned_done_and_short():
    sessions = [
        requirements.SessionFact(MON + timedelta(d), s, attended)
        for d, s, attended in (
            (0, "held", True),
            (1, "held", False),  # held, but the patient was absent
            (2, "scheduled", False),
            (4, "cancelled", False),
        )
    ]
    appointments = [
        requirements.AppointmentFact(
            "individual", "completed", 50, 45
        ),  # too short to count as done
        requirements.AppointmentFact("individual", "scheduled", 50),
        requirements.AppointmentFact("physician", "late_cancelled", 20),
    ]
    rows = {r.code: r for r in requirements.weekly_requirements(POLICY, sessions, appointments)}
    assert (rows["group_days"].planned, rows["group_days"].done, rows["group_days"].state) == (
        3,
        1,
        "planned",
    )
    assert (rows["individual"].planned, rows["individual"].done, rows["individual"].state) == (
        2,
        0,
        "planned",
    )
    assert rows["physician"].state == "short" and rows["physician"].state_label == "Not yet planned"
    done = requirements.weekly_requirements(
        POLICY, sessions, [requirements.AppointmentFact("physician", "completed", 20, 20)]
    )
    assert {r.code: r.state for r in done}["physician"] == "met"


@pytest.mark.parametrize("minutes,counted", [(49, 0), (50, 1)])
def test_a_booked_individual_session_counts_only_at_the_policy_length(minutes, counted):
    rows = requirements.weekly_requirements(
        POLICY, [], [requirements.AppointmentFact("individual", "scheduled", minutes)]
    )
    assert rows[1].planned == counted
