"""Building the engine's Problem from the database's records, and the proposal from a plan:
pure mappings, tested without a database. Time is given explicitly (no clock involved)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openiop.calendar.planning_problem import (
    NO_COUNSELOR,
    Booked,
    PatientRecord,
    Policy,
    RoomRecord,
    Span,
    StaffRecord,
    TrackRecord,
    WeekData,
    WeeklyBlock,
    build_problem,
    role_of,
    row_id,
)
from openiop.calendar.planning_proposal import build_proposal, by_patient, summary_of
from openiop.scheduling import SolveOptions, check_plan, solve
from openiop.scheduling.problem import DAY, Block

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 12, 7)


def local(day: int, hour: int, minute: int = 0, monday: date = MONDAY) -> datetime:
    """An instant at a local wall-clock time on day `day` (0 = Monday) of the week."""
    moment = datetime.combine(monday + timedelta(days=day), time(hour, minute), tzinfo=LA)
    return moment.astimezone(UTC)


def weekdays(start: int, end: int, days: str = "12345") -> tuple[WeeklyBlock, ...]:
    return tuple(WeeklyBlock(int(d), time(start), time(end)) for d in days)


def week(**kw) -> WeekData:  # type: ignore[no-untyped-def]
    base = {
        "location_id": 1,
        "location_name": "Harbor",
        "zone": "America/Los_Angeles",
        "week_start": MONDAY,
        "policy": Policy(1, 50, 1, 20),
        "staff": (
            StaffRecord(10, "Casey Counselor", ("LCSW",), 0, weekdays(8, 17)),
            StaffRecord(11, "Dev Doctor", ("MD",), 0, weekdays(8, 17)),
            StaffRecord(12, "Facil Itator", ("CADC",), 0, weekdays(8, 17)),
        ),
        "rooms": (RoomRecord(5, "Office 1", 2), RoomRecord(6, "Group room", 14)),
        "tracks": (TrackRecord(3, "Mornings", 6, (12,), "12345", time(9), time(12)),),
        "patients": (
            PatientRecord(100, "Pat Quill", 3, 10, commitments=weekdays(13, 17, "12345")),
        ),
    }
    return WeekData(**{**base, **kw})


# ---- mapping ---------------------------------------------------------------------------


def test_roles_follow_credentials_prescribers_first() -> None:
    assert role_of(("MD", "LCSW")) == "physician"
    assert role_of(("NP",)) == "nurse_practitioner"
    assert role_of(("PA",)) == "nurse_practitioner"
    assert role_of(("CADC",)) == "counselor"
    assert role_of(("RN",)) == "nurse"
    assert role_of(()) is None


def test_ids_are_prefixed_and_map_back() -> None:
    problem = build_problem(week()).problem
    assert [s.id for s in problem.staff] == ["s10", "s11", "s12"]
    assert problem.patients[0].id == "p100"
    assert problem.patients[0].primary_counselor == "s10"
    assert problem.patients[0].track == "t3"
    assert row_id("s10") == 10 and row_id(None) is None and row_id("booked4") is None


def test_track_sessions_from_weekdays_skip_closures() -> None:
    data = week(closures=((MONDAY + timedelta(days=2), "Staff training"),))
    problem = build_problem(data).problem
    sessions = problem.track_by_id["t3"].sessions
    assert [b.start // DAY for b in sessions] == [0, 1, 3, 4]
    assert sessions[0] == Block(9 * 60, 12 * 60, "Mornings")
    assert problem.closures == (Block(2 * DAY, 3 * DAY, "closed: Staff training"),)


def test_generated_group_sessions_win_over_the_track_pattern() -> None:
    moved = TrackRecord(
        3, "Mornings", 6, (12,), "12345", time(9), time(12),
        sessions=(Span(local(1, 10), local(1, 13), "Coping skills"),),
    )  # fmt: skip
    problem = build_problem(week(tracks=(moved,))).problem
    assert problem.track_by_id["t3"].sessions == (Block(DAY + 600, DAY + 780, "Coping skills"),)


def test_staff_hours_lose_time_off_and_booked_appointments() -> None:
    staff = StaffRecord(
        10, "Casey Counselor", ("LCSW",), 0, weekdays(8, 17, "12"),
        time_off=(Span(local(0, 8), local(1, 0), "time off"),),
    )  # fmt: skip
    booked = (Booked(1, 999, 10, "individual", local(1, 10), local(1, 11), 5),)
    problem = build_problem(week(staff=(staff,), booked=booked)).problem
    hours = [(b.start, b.end) for b in problem.staff_by_id["s10"].hours]
    assert hours == [(DAY + 480, DAY + 600), (DAY + 660, DAY + 1020)]


def test_time_is_local_wall_clock_across_daylight_saving() -> None:
    """Week of 2026-11-02 (the Sunday before, clocks went back): 09:00 local is still 540."""
    monday = date(2026, 11, 2)
    block = (Span(local(0, 9, monday=monday), local(0, 10, monday=monday), "court"),)
    patient = PatientRecord(100, "Pat Quill", 3, 10, blocks=block)
    problem = build_problem(week(week_start=monday, patients=(patient,))).problem
    assert problem.patients[0].commitments == (Block(540, 600, "court"),)


def test_patient_commitments_blocks_preferences_and_last_week() -> None:
    patient = PatientRecord(
        100, "Pat Quill", 3, 10,
        commitments=(WeeklyBlock(2, time(13), time(17), "work"),),
        blocks=(Span(local(3, 14), local(3, 15), "court date"),),
        preferred_weekdays="24", part_of_day="afternoon", telehealth_ok=True,
        last_week=(Booked(7, 100, 10, "individual", local(1, 12, monday=MONDAY - timedelta(7)),
                          local(1, 13, monday=MONDAY - timedelta(7))),),
    )  # fmt: skip
    p = build_problem(week(patients=(patient,))).problem.patients[0]
    assert Block(DAY + 780, DAY + 1020, "work") in p.commitments
    assert Block(3 * DAY + 840, 3 * DAY + 900, "court date") in p.commitments
    assert p.preferences.days == frozenset({1, 3})
    assert p.preferences.windows == ((720, 1020),)
    assert p.telehealth_ok
    assert [(w.kind, w.start, w.staff) for w in p.last_week] == [("individual", DAY + 720, "s10")]


def test_existing_appointments_are_kept_fixed() -> None:
    """A booked individual session: not asked for again, busy for the patient, its room held."""
    booked = (Booked(9, 100, 10, "individual", local(1, 13), local(1, 14), 5),)
    prepared = build_problem(week(booked=booked))
    p = prepared.problem.patients[0]
    assert p.needs == ("physician",)
    assert Block(DAY + 780, DAY + 840, "booked individual counseling") in p.commitments
    held = prepared.problem.track_by_id["booked9"]
    assert held.room == "r5" and held.facilitators == () and held.sessions[0].start == DAY + 780


def test_policy_sets_minutes_and_counts() -> None:
    problem = build_problem(week(policy=Policy(2, 55, 1, 30))).problem
    assert problem.settings.minutes_for("individual") == 55
    assert problem.settings.minutes_for("physician") == 30
    assert problem.patients[0].needs == ("individual", "individual", "physician")


def test_patient_without_a_counselor_here_is_reported_not_dropped() -> None:
    lost = PatientRecord(101, "Robin Lone", 3, None)
    prepared = build_problem(week(patients=(lost,)))
    assert prepared.problem.patients[0].needs == ("physician",)
    assert prepared.not_requested == ((101, "individual", NO_COUNSELOR),)


# ---- solving and the proposal -------------------------------------------------------------


def _solved(data: WeekData):  # type: ignore[no-untyped-def]
    prepared = build_problem(data)
    plan = solve(prepared.problem, SolveOptions(time_limit=5, num_workers=1, deterministic=True))
    assert check_plan(prepared.problem, plan) == []
    return prepared, plan


def test_solved_week_respects_groups_and_work_and_maps_to_instants() -> None:
    prepared, plan = _solved(week())
    proposal = build_proposal(prepared.problem, plan)
    assert {i["kind"] for i in proposal["items"]} == {"individual", "physician"}
    for item in proposal["items"]:
        start = datetime.fromisoformat(item["starts_at"]).astimezone(LA)
        end = datetime.fromisoformat(item["ends_at"]).astimezone(LA)
        assert start.weekday() < 5
        assert end.time() <= time(12, 30) or start.time() >= time(12)  # not in group 9-12
        assert end.time() <= time(12, 30)  # work from 13:00 needs a 30-minute trip
        assert item["patient_id"] == 100 and item["change"] == "new"
    assert proposal["items"][0]["id"] == "i1"


def test_last_week_slot_kept_is_unchanged_and_other_times_are_moved() -> None:
    last_monday = MONDAY - timedelta(days=7)
    same = Booked(7, 100, 10, "individual", local(0, 12, monday=last_monday),
                  local(0, 12, 50, monday=last_monday))  # fmt: skip
    # Last week's physician visit was Monday 15:00; this week work starts at 14:00.
    clash = Booked(8, 100, 11, "physician", local(0, 15, monday=last_monday),
                   local(0, 15, 20, monday=last_monday))  # fmt: skip
    patient = PatientRecord(
        100, "Pat Quill", 3, 10, commitments=weekdays(14, 17), last_week=(same, clash)
    )
    prepared, plan = _solved(week(patients=(patient,)))
    items = build_proposal(prepared.problem, plan)["items"]
    individual = next(i for i in items if i["kind"] == "individual")
    # Same weekday and time with the same counselor is the cheapest choice there is.
    assert individual["change"] == "unchanged", individual
    physician = next(i for i in items if i["kind"] == "physician")
    assert physician["change"] == "moved"
    assert physician["previous"] == "last week Mon 15:00–15:20 with Dev Doctor"


def test_unplaceable_patient_is_listed_with_reasons_and_grouped() -> None:
    busy_all_week = tuple(WeeklyBlock(d, time(0), time(0), "night shift") for d in range(1, 8))
    stuck = PatientRecord(102, "Sam Busy", 3, 10, commitments=busy_all_week)
    prepared, plan = _solved(week(patients=(stuck,)))
    proposal = build_proposal(
        prepared.problem, plan, not_requested=((102, "family_session", "example"),)
    )
    assert proposal["items"] == []
    kinds = [u["kind"] for u in proposal["unplaced"]]
    assert kinds == ["family_session", "individual", "physician"]
    assert all(u["reasons"] for u in proposal["unplaced"])
    summary = summary_of(proposal, plan)
    assert summary["unplaced"] == 3 and summary["proposed"] == 0
    [person] = by_patient(proposal)
    assert person["name"] == "Sam Busy" and len(person["unplaced"]) == 3
