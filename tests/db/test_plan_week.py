"""Plan next week over the database: reading the week, the job's lifecycle, who may plan,
and accepting a proposal that has gone stale. Time is frozen (support_calendar.NOW)."""

from __future__ import annotations

import time as wallclock
from datetime import timedelta

import pytest
from sqlalchemy import select

from openiop.calendar import planning_repository as repo
from openiop.calendar import planning_service as service
from openiop.calendar.planning_problem import NO_COUNSELOR, build_problem
from openiop.kit import clock
from openiop.kit.errors import Conflict, Forbidden, ValidationFailed
from openiop.models import (
    Appointment,
    LocationClosure,
    PatientBlock,
    PlanRun,
    SchedulingPreference,
    StaffTimeOff,
)
from openiop.scheduling.problem import DAY, Block
from tests.db.support_calendar import MONDAY, NOW, events, la
from tests.db.support_planning import planning_scene, queue, quick_solve, run_now


@pytest.fixture
def scene(db):
    return planning_scene(db)


def _week(db, scene):
    return build_problem(repo.week_data(db, scene.world.site_a, MONDAY))


# ---- reading the week ------------------------------------------------------------------------


def test_week_reads_patients_staff_rooms_groups_and_policy(db, scene):
    problem = _week(db, scene).problem
    names = sorted(p.name for p in problem.patients)
    assert names == ["Jo Brightwater", "Pat Quillfeather"]  # site B's patient is not here
    pat = problem.patient_by_id[f"p{scene.world.patient.id}"]
    assert pat.primary_counselor == f"s{scene.staff_id('care_counselor')}"
    assert Block(DAY + 13 * 60, DAY + 17 * 60, "work shift") in pat.commitments
    assert pat.needs == ("individual", "physician")
    track = problem.track_by_id[f"t{scene.world.track_a.id}"]
    assert [b.start for b in track.sessions] == [d * DAY + 540 for d in range(5)]
    assert track.room == f"r{scene.group_room.id}"
    assert {r.name for r in problem.rooms} == {"Office 1", "Phone booth", "Group room"}
    counselor = problem.staff_by_id[f"s{scene.staff_id('care_counselor')}"]
    assert counselor.role == "counselor" and counselor.hours[0] == Block(480, 1020)
    physician = problem.staff_by_id[f"s{scene.staff_id('care_physician')}"]
    assert physician.role == "physician"
    assert problem.settings.minutes_for("individual") == 50


def test_week_reads_blocks_preferences_closures_time_off_and_appointments(db, scene):
    w, counselor = scene.world, scene.staff_id("care_counselor")
    db.add(PatientBlock(patient_id=w.patient.id, starts_at=la(MONDAY, 14), ends_at=la(MONDAY, 15),
                        label="court date"))  # fmt: skip
    db.add(SchedulingPreference(patient_id=w.patient.id, preferred_weekdays="3",
                                part_of_day="afternoon", telehealth_ok=True))  # fmt: skip
    db.add(LocationClosure(location_id=w.site_a.id, closed_on=MONDAY + timedelta(4),
                           reason="Staff training"))  # fmt: skip
    db.add(StaffTimeOff(staff_member_id=counselor, starts_at=la(MONDAY, 8),
                        ends_at=la(MONDAY, 12), reason="dentist"))  # fmt: skip
    last_week = MONDAY - timedelta(7)
    _book(db, w.patient.id, counselor, w.site_a.id, "individual", la(last_week, 12), 50, scene)
    _book(db, w.patient.id, scene.staff_id("care_physician"), w.site_a.id, "physician",
          la(MONDAY + timedelta(2), 12), 20, scene)  # fmt: skip
    prepared = _week(db, scene)
    pat = prepared.problem.patient_by_id[f"p{w.patient.id}"]
    assert Block(14 * 60, 15 * 60, "court date") in pat.commitments
    assert pat.preferences.days == frozenset({2}) and pat.telehealth_ok
    assert [(x.kind, x.start) for x in pat.last_week] == [("individual", 12 * 60)]
    assert pat.needs == ("individual",)  # this week's physician visit is already booked
    assert Block(4 * DAY, 5 * DAY, "closed: Staff training") in prepared.problem.closures
    hours = prepared.problem.staff_by_id[f"s{counselor}"].hours
    assert Block(480, 720) not in hours and hours[0] == Block(720, 1020)
    assert [b.kind for b in prepared.booked] == ["physician"]


def _book(db, patient_id, staff_id, location_id, kind, start, minutes, scene, room=None):  # type: ignore[no-untyped-def]
    row = Appointment(
        patient_id=patient_id, staff_member_id=staff_id, location_id=location_id, kind=kind,
        starts_at=start, ends_at=start + timedelta(minutes=minutes),
        room_id=room.id if room else scene.office.id,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


# ---- the job -------------------------------------------------------------------------------


def test_run_goes_queued_running_done_with_a_proposal(db, scene, session_factory):
    run = queue(db, scene)
    assert (run.status, run.progress, run.active_key) == (
        "queued",
        0,
        f"{run.location_id}:{MONDAY}",
    )
    db.commit()
    assert run_now(session_factory, run.id) == "done"
    db.expire_all()
    run = db.get(PlanRun, run.id)
    assert (run.status, run.progress, run.active_key) == ("done", 100, None)
    assert run.started_at == clock.now() and run.finished_at == clock.now()
    items = run.proposal["items"]
    assert {(i["patient_name"], i["kind"]) for i in items} == {
        ("Jo Brightwater", "individual"), ("Jo Brightwater", "physician"),
        ("Pat Quillfeather", "individual"), ("Pat Quillfeather", "physician"),
    }  # fmt: skip
    assert run.summary["proposed"] == 4 and run.summary["unplaced"] == 0
    assert run.summary["new"] == 4
    assert [e.object_id for e in events(db, "schedule.plan.start")] == [str(run.id)]
    read = events(db, "schedule.plan.read_week")
    assert {e.patient_id for e in read} == {scene.world.patient.id, scene.jo.id}
    assert {(e.channel, e.object_id) for e in read} == {("job", str(run.id))}


def test_progress_is_saved_while_the_solver_runs(db, scene, session_factory):
    seen = []

    def slow(problem, options):  # type: ignore[no-untyped-def]
        wallclock.sleep(0.35)
        with session_factory() as look:
            seen.append(look.get(PlanRun, run.id).progress)
        return quick_solve(problem, options)

    run = queue(db, scene)
    db.commit()
    assert run_now(session_factory, run.id, solver=slow, tick=0.1) == "done"
    assert seen and seen[-1] > 10  # past "read the week" (5) and into solving


def test_a_failed_run_keeps_its_error_and_frees_the_week(db, scene, session_factory):
    def broken(problem, options):  # type: ignore[no-untyped-def]
        raise RuntimeError("solver crashed: out of memory")

    run = queue(db, scene)
    db.commit()
    assert run_now(session_factory, run.id, solver=broken) == "failed"
    db.expire_all()
    failed = db.get(PlanRun, run.id)
    assert failed.status == "failed" and failed.active_key is None
    assert failed.error == "RuntimeError: solver crashed: out of memory"
    assert queue(db, scene).status == "queued"  # the week may be planned again


def test_second_run_for_the_same_week_is_refused_while_one_is_active(db, scene, session_factory):
    first = queue(db, scene)
    with pytest.raises(Conflict, match=f"already queued \\(run {first.id}\\)"):
        queue(db, scene, "admissions")
    other_week = service.start_plan(
        db, actor=scene.actor(db, "director"), location_id=scene.world.site_a.id,
        week_start=MONDAY + timedelta(7), time_limit=5,
    )  # fmt: skip
    assert other_week.status == "queued"
    db.commit()
    run_now(session_factory, first.id)
    assert queue(db, scene).id != first.id  # once done, a new run may start


def test_a_run_left_running_by_a_stopped_process_expires(db, scene):
    run = queue(db, scene)
    run.status = "running"
    db.flush()
    clock.freeze(clock.now() + timedelta(seconds=5) + service.STALE_AFTER + timedelta(seconds=1))
    again = queue(db, scene)
    assert again.id != run.id
    assert run.status == "failed" and "start it again" in run.error


def test_job_skips_a_run_that_is_not_queued(db, scene, session_factory):
    run = queue(db, scene)
    run.status, run.active_key = "failed", None
    db.commit()
    assert run_now(session_factory, run.id) == "skipped"


@pytest.mark.parametrize("week", ["2026-49", "next week", "2026-W54", ""])
def test_bad_week_names_the_field(week):
    with pytest.raises(ValidationFailed) as caught:
        service.parse_week(week)
    assert "week" in caught.value.field_errors


def test_week_text_round_trips():
    assert service.parse_week("2026-W50") == MONDAY
    assert service.week_text(MONDAY) == "2026-W50"
    clock.freeze(NOW)  # Tue 1 Dec 2026
    assert service.next_week("America/Los_Angeles") == MONDAY
    clock.freeze(la(MONDAY - timedelta(days=1), 23, 30))  # Sunday night, local: still "next"
    assert service.next_week("America/Los_Angeles") == MONDAY


# ---- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["director", "admissions", "admin"])
def test_directors_coordinators_and_admins_may_plan(db, scene, persona):
    assert queue(db, scene, persona).status == "queued"


@pytest.mark.parametrize(
    "persona",
    ["care_counselor", "care_physician", "site_counselor", "front_desk", "billing", "auditor",
     "patient"],
)  # fmt: skip
def test_other_roles_are_refused(db, scene, persona):
    with pytest.raises(Forbidden):
        queue(db, scene, persona)


def test_a_director_may_not_plan_or_read_another_site(db, scene, session_factory):
    director = scene.actor(db, "director")  # works at site A only
    with pytest.raises(Forbidden, match="outside your sites"):
        service.start_plan(db, actor=director, location_id=scene.world.site_b.id,
                           week_start=MONDAY, time_limit=5)  # fmt: skip
    elsewhere = service.start_plan(
        db, actor=scene.actor(db, "admin"), location_id=scene.world.site_b.id,
        week_start=MONDAY, time_limit=5,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        service.get_run(db, actor=director, run_id=elsewhere.id)
    with pytest.raises(Forbidden):
        service.accept(db, actor=director, run_id=elsewhere.id)


# ---- accepting -------------------------------------------------------------------------------


def _done_run(db, scene, session_factory) -> PlanRun:  # type: ignore[no-untyped-def]
    run = queue(db, scene)
    db.commit()
    assert run_now(session_factory, run.id) == "done"
    db.expire_all()
    return db.get(PlanRun, run.id)


def test_accept_selected_creates_appointments_from_the_run(db, scene, session_factory):
    run = _done_run(db, scene, session_factory)
    director = scene.actor(db, "director")
    first = run.proposal["items"][0]
    result = service.accept(db, actor=director, run_id=run.id, item_ids=[first["id"]])
    assert [i["id"] for i, _ in result.created] == [first["id"]] and result.refused == []
    [made] = db.scalars(select(Appointment).where(Appointment.plan_run_id == run.id))
    assert (made.patient_id, made.kind, made.staff_member_id) == (
        first["patient_id"], first["kind"], first["staff_id"],
    )  # fmt: skip
    assert made.starts_at.isoformat() == first["starts_at"]
    assert made.covering is first["covering"]
    assert run.accepted == {first["id"]: made.id}
    # Accepting all now creates only the rest: an accepted item is never booked twice.
    rest = service.accept(db, actor=director, run_id=run.id)
    assert len(rest.created) == len(run.proposal["items"]) - 1
    assert [e.patient_id for e in events(db, "appointment.create")].count(first["patient_id"]) >= 1
    assert len(events(db, "schedule.plan.accept")) == 2


def test_stale_accept_refuses_the_clashing_item_by_name_and_books_the_rest(
    db, scene, session_factory
):
    run = _done_run(db, scene, session_factory)
    pat_individual = next(
        i for i in run.proposal["items"]
        if i["patient_id"] == scene.world.patient.id and i["kind"] == "individual"
    )  # fmt: skip
    # Since the run, someone booked Pat's counselor at exactly that hour by hand.
    start = service.parse_instant(pat_individual["starts_at"])
    _book(db, scene.jo.id, pat_individual["staff_id"], scene.world.site_a.id, "family_session",
          start, 50, scene, scene.small)  # fmt: skip
    result = service.accept(db, actor=scene.actor(db, "admissions"), run_id=run.id)
    assert len(result.created) == 3
    [(item, why)] = result.refused
    assert item["id"] == pat_individual["id"]
    assert why.startswith("Pat Quillfeather: individual counseling")
    assert "overlaps family session with Jo B." in why
    assert run.accepted[item["id"]] == why
    assert db.scalar(
        select(Appointment.id).where(Appointment.plan_run_id == run.id,
                                     Appointment.patient_id == scene.world.patient.id,
                                     Appointment.kind == "individual")
    ) is None  # fmt: skip


def test_accept_checks_the_run_and_the_items(db, scene, session_factory):
    director = scene.actor(db, "director")
    queued = queue(db, scene)
    with pytest.raises(Conflict, match="only a finished plan"):
        service.accept(db, actor=director, run_id=queued.id)
    db.commit()
    run_now(session_factory, queued.id)
    db.expire_all()
    with pytest.raises(ValidationFailed) as unknown:
        service.accept(db, actor=director, run_id=queued.id, item_ids=["i99"])
    assert "i99" in unknown.value.field_errors["items"]
    with pytest.raises(ValidationFailed):
        service.accept(db, actor=director, run_id=queued.id, item_ids=[])


def test_viewing_a_proposal_audits_each_patient_shown(db, scene, session_factory):
    run = _done_run(db, scene, session_factory)
    service.get_run(db, actor=scene.actor(db, "director"), run_id=run.id)
    shown = {e.patient_id for e in events(db, "schedule.plan.view")}
    assert shown == {scene.world.patient.id, scene.jo.id}


def test_an_unplaceable_patient_is_reported_with_reasons(db, scene, session_factory):
    # Jo works 14:00-22:00; a court date on every weekday morning leaves no time at all.
    for d in range(5):
        day = MONDAY + timedelta(d)
        db.add(PatientBlock(patient_id=scene.jo.id, starts_at=la(day, 6), ends_at=la(day, 14),
                            label="court"))  # fmt: skip
    db.flush()
    run = _done_run(db, scene, session_factory)
    jo = [u for u in run.proposal["unplaced"] if u["patient_id"] == scene.jo.id]
    assert {u["kind"] for u in jo} == {"individual", "physician"}
    assert all(u["reasons"] for u in jo)
    assert run.summary["unplaced"] == 2


def test_the_database_refuses_two_active_runs_even_past_the_check(db, scene):
    """Two requests racing past the status check: the unique active key still refuses one."""
    racing = PlanRun(location_id=scene.world.site_a.id, week_start=MONDAY, status="failed",
                     active_key=f"{scene.world.site_a.id}:{MONDAY}", accepted={})  # fmt: skip
    db.add(racing)  # "failed" so the check does not see it; its key is still held
    db.flush()
    with pytest.raises(Conflict, match="just started by someone else"):
        queue(db, scene)
    assert db.scalar(select(PlanRun.id).where(PlanRun.id != racing.id)) is None


def test_a_site_without_counselor_hours_or_physician_still_finishes(db, scene, session_factory):
    """Site B: Robin has no primary counselor and nobody there can see a physician visit."""
    run = service.start_plan(
        db, actor=scene.actor(db, "admin"), location_id=scene.world.site_b.id,
        week_start=MONDAY, time_limit=5,
    )  # fmt: skip
    db.commit()
    assert run_now(session_factory, run.id) == "done"
    db.expire_all()
    run = db.get(PlanRun, run.id)
    assert run.proposal["items"] == []
    reasons = {u["kind"]: u["reasons"] for u in run.proposal["unplaced"]}
    assert reasons["individual"] == [NO_COUNSELOR]
    assert reasons["physician"] and all(reasons["physician"])


def test_a_run_expired_while_solving_stays_failed(db, scene, session_factory):
    def expired_meanwhile(problem, options):  # type: ignore[no-untyped-def]
        with session_factory() as other:  # another process gave up on it as stale
            stale = other.get(PlanRun, run.id)
            stale.status, stale.active_key, stale.error = "failed", None, "expired"
            other.commit()
        return quick_solve(problem, options)

    run = queue(db, scene)
    db.commit()
    run_now(session_factory, run.id, solver=expired_meanwhile)
    db.expire_all()
    kept = db.get(PlanRun, run.id)
    assert (kept.status, kept.error, kept.proposal) == ("failed", "expired", None)
