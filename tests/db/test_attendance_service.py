"""Recording group attendance through the service: all present with exceptions, minutes and
the ledger in the same transaction, bad input changing nothing, corrections after the day,
and who may record."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, update

from openiop.attendance import day_service, service
from openiop.kit.errors import Conflict, ValidationFailed
from openiop.models import AttendanceCorrection, DailyMinutes, GroupAttendance, GroupSession
from openiop.security.service import Refused
from tests.db.support_attendance import (
    WEDNESDAY,
    actor_for,
    enroll,
    enrollment_of,
    freeze,
    group_session,
    ledger,
    scene,
)
from tests.db.test_patients_support import events


def _record(db, s, persona="facilitator", **kw):
    kw.setdefault("rows", [])
    return service.record_attendance(
        db, actor=actor_for(db, s.user(persona)), session_id=s.session.id, **kw
    )


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_all_present_with_exceptions_in_one_step(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=3)
    pat, late, absent, _ = s.enrollments
    view = _record(
        db,
        s,
        rows=[
            {"enrollment_id": late.id, "status": "late", "check_in": "09:20"},
            {"enrollment_id": absent.id, "status": "absent_unexcused"},
        ],
        others="present",
    )
    minutes = {row.enrollment_id: (row.status, row.minutes) for row in view.rows}
    assert minutes == {
        pat.id: ("present", 180),
        late.id: ("late", 160),
        absent.id: ("absent_unexcused", 0),
        s.enrollments[3].id: ("present", 180),
    }
    assert s.session.status == "held"
    # The ledger is written in the same transaction, one row per patient for the day.
    late_day = ledger(db, late.id, WEDNESDAY)
    assert late_day is not None
    assert (late_day.group_minutes, late_day.group_sessions_attended) == (160, 1)
    assert late_day.group_scheduled_minutes == 180
    absent_day = ledger(db, absent.id, WEDNESDAY)
    assert absent_day is not None
    assert (absent_day.group_minutes, absent_day.group_sessions_attended) == (0, 0)
    assert absent_day.group_scheduled_minutes == 180
    recorded = events(db, action="attendance.record")
    assert sorted(e.patient_id for e in recorded) == sorted(e.patient_id for e in s.enrollments)


def test_all_present_never_overwrites_an_earlier_exception(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=1)
    pat, other = s.enrollments
    _record(db, s, rows=[{"enrollment_id": pat.id, "status": "left_early", "check_out": "11:00"}])
    view = _record(db, s, others="present")
    statuses = {row.enrollment_id: (row.status, row.minutes) for row in view.rows}
    assert statuses == {pat.id: ("left_early", 120), other.id: ("present", 180)}


def test_check_out_before_check_in_changes_nothing(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=1)
    pat, other = s.enrollments
    with pytest.raises(ValidationFailed) as error:
        _record(
            db,
            s,
            rows=[
                {
                    "enrollment_id": pat.id,
                    "status": "present",
                    "check_in": "10:00",
                    "check_out": "09:30",
                },
                {"enrollment_id": other.id, "status": "late", "check_in": "half nine"},
            ],
            others="present",
        )
    assert error.value.field_errors == {
        f"check_out-{pat.id}": "The check-out time must be after the check-in time.",
        f"check_in-{other.id}": "Enter a time like 09:20 (got 'half nine').",
    }
    assert _count(db, GroupAttendance) == 0
    assert _count(db, DailyMinutes) == 0
    assert s.session.status == "scheduled"


def test_a_patient_not_on_the_roster_is_refused(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    robin = enrollment_of(db, s.world.other_patient)  # enrolled at site B
    for enrollment_id in (robin.id, 999999, "x"):
        with pytest.raises(ValidationFailed) as error:
            _record(db, s, rows=[{"enrollment_id": enrollment_id, "status": "present"}])
        assert list(error.value.field_errors) == ["enrollment_id"]
    assert _count(db, GroupAttendance) == 0


def test_roster_is_the_tracks_active_enrollments(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=2)
    discharged = enroll(db, s.world, "Harper", "Ironwood")
    discharged.status, discharged.discharge_date = "discharged", date(2026, 11, 20)
    since = enroll(db, s.world, "Dana", "Elderberry")  # still in care that day; left later
    since.status, since.discharge_date = "discharged", WEDNESDAY + timedelta(days=1)
    later = enroll(db, s.world, "Indy", "Juniper")
    later.admit_date = date(2026, 12, 7)
    db.flush()
    view = service.roster(db, actor=actor_for(db, s.user("facilitator")), session_id=s.session.id)
    assert [row.patient_name for row in view.rows] == [
        "Avery Brookstone",
        "Blake Cinderhall",
        "Dana Elderberry",
        "Pat Quillfeather",
    ]
    assert all(row.status is None and row.minutes == 0 for row in view.rows)
    shown = events(db, action="attendance.roster")
    assert {e.patient_id for e in shown} == {e.patient_id for e in [*s.enrollments, since]}


def test_a_save_racing_another_is_a_conflict(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    _record(db, s, others="present")
    # Another facilitator's save lands between this one's read and its write.
    db.execute(
        update(GroupSession)
        .where(GroupSession.id == s.session.id)
        .values(version=GroupSession.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict):
        _record(db, s, rows=[{"enrollment_id": s.enrollments[0].id, "status": "absent_excused"}])


def test_future_and_cancelled_sessions_are_refused(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    tomorrow = group_session(db, world=s.world, day=date(2026, 12, 3))
    with pytest.raises(ValidationFailed) as error:
        service.record_attendance(
            db,
            actor=actor_for(db, s.user("facilitator")),
            session_id=tomorrow.id,
            rows=[],
            others="present",
        )
    assert "session" in error.value.field_errors
    s.session.status, s.session.cancel_reason = "cancelled", "Power cut"
    db.flush()
    with pytest.raises(ValidationFailed, match="cancelled"):
        _record(db, s, others="present")
    assert _count(db, GroupAttendance) == 0


def test_stale_version_is_a_conflict(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    read = s.session.version
    _record(db, s, others="present", version=read)
    with pytest.raises(Conflict):
        _record(
            db,
            s,
            rows=[{"enrollment_id": s.enrollments[0].id, "status": "absent_excused"}],
            version=read,
        )


def test_changes_after_the_day_need_a_reason_and_keep_before_and_after(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    pat = s.enrollments[0]
    _record(db, s, others="present")
    freeze(date(2026, 12, 3), time(10))
    change = [{"enrollment_id": pat.id, "status": "late", "check_in": "09:45"}]
    with pytest.raises(ValidationFailed) as error:
        _record(db, s, rows=change)
    assert list(error.value.field_errors) == ["reason"]
    assert ledger(db, pat.id, WEDNESDAY).group_minutes == 180  # type: ignore[union-attr]
    _record(db, s, rows=change, reason="Sign-in sheet shows 9:45 arrival")
    assert ledger(db, pat.id, WEDNESDAY).group_minutes == 135  # type: ignore[union-attr]
    correction = db.execute(select(AttendanceCorrection)).scalar_one()
    assert correction.reason == "Sign-in sheet shows 9:45 arrival"
    assert correction.service_date == WEDNESDAY
    assert json.loads(correction.before)["status"] == "present"
    assert json.loads(correction.after) == {
        "status": "late",
        "check_in": "2026-12-02T17:45:00+00:00",
        "check_out": "2026-12-02T20:00:00+00:00",
        "minutes": 135,
    }
    audited = events(db, action="attendance.correct")
    assert [(e.patient_id, e.outcome) for e in audited] == [(pat.patient_id, "allowed")]
    assert "Sign-in sheet" in (audited[0].detail or "")


def test_saving_the_same_roster_twice_changes_nothing(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=1)
    _record(db, s, others="present")
    before = len(events(db, action="attendance.record"))
    freeze(date(2026, 12, 4))
    view = service.roster(db, actor=actor_for(db, s.user("facilitator")), session_id=s.session.id)
    rows = [
        {
            "enrollment_id": r.enrollment_id,
            "status": r.status,
            "check_in": r.check_in,
            "check_out": r.check_out,
        }
        for r in view.rows
    ]
    _record(db, s, rows=rows)  # no reason needed: nothing changed
    assert _count(db, AttendanceCorrection) == 0
    assert len(events(db, action="attendance.record")) == before + 1  # one "none changed" event


@pytest.mark.parametrize("persona", ["facilitator", "director", "admin"])
def test_facilitators_and_directors_record(db, persona) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    view = _record(db, s, persona, others="present")
    assert view.rows[0].minutes == 180


def test_a_stand_in_facilitator_records_their_session(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    s.session.facilitator_id = s.staff_id("site_counselor")
    db.flush()
    assert _record(db, s, "site_counselor", others="present").rows[0].status == "present"


@pytest.mark.parametrize(
    ("persona", "words"),
    [
        ("site_counselor", "facilitators"),  # same site, not leading this group
        ("care_counselor", "facilitators"),  # on Pat's care team, but not the group's
        ("other_site_counselor", "facilitators"),
        ("billing", "role"),
        ("front_desk", "role"),
        ("admissions", "role"),
        ("auditor", "role"),
        ("patient", "role"),
    ],
)
def test_others_may_not_record(db, persona, words) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    with pytest.raises(Refused) as refused:
        _record(db, s, persona, others="present")
    assert words in refused.value.message
    assert refused.value.audit_entry.outcome == "refused"
    with pytest.raises(Refused):
        service.roster(db, actor=actor_for(db, s.user(persona)), session_id=s.session.id)
    assert _count(db, GroupAttendance) == 0


def test_todays_sessions_are_the_ones_you_lead(db) -> None:
    freeze(WEDNESDAY)
    s = scene(db, extra=0)
    from tests import factories as f

    evening = f.track(
        db, program_id=s.world.program.id, location_id=s.world.site_a.id, name="Evening"
    )
    other = group_session(
        db, world=s.world, day=WEDNESDAY, track_id=evening.id, start=time(18), end=time(21)
    )
    mine = day_service.todays_sessions(db, actor=actor_for(db, s.user("facilitator")))
    assert [g.id for g in mine.sessions] == [s.session.id]
    assert mine.day == WEDNESDAY
    everyone = day_service.todays_sessions(db, actor=actor_for(db, s.user("director")))
    assert [g.id for g in everyone.sessions] == [s.session.id, other.id]
    assert (
        day_service.todays_sessions(db, actor=actor_for(db, s.user("site_counselor"))).sessions
        == []
    )
    with pytest.raises(Refused):
        day_service.todays_sessions(db, actor=actor_for(db, s.user("billing")))
