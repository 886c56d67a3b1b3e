"""Each completed individual session's minutes on the ledger, in start order: rebuilt with
every change, read by compliance (enrollment and site dashboard) to count the sessions that
meet the policy minimum exactly, and backfilled by migration 0012 from appointments."""

from __future__ import annotations

import importlib.util
from datetime import time
from pathlib import Path

from sqlalchemy import update

import openiop
from openiop.attendance import appointment_service, compliance_service
from openiop.models import DailyMinutes
from tests.db.support_attendance import WEDNESDAY, actor_for, appointment, freeze, ledger, scene


def _visit(db, s, start: time, *, enrollment_id: int | None = None, minutes: int = 60):
    pat = s.enrollments[0]
    return appointment(
        db,
        world=s.world,
        patient_id=pat.patient_id,
        enrollment_id=enrollment_id,
        staff_member_id=s.staff_id("care_counselor"),
        day=WEDNESDAY,
        start=start,
        minutes=minutes,
    )


def _complete(db, s, visit, status: str = "completed", minutes: int | None = None) -> None:
    appointment_service.complete_appointment(
        db,
        actor=actor_for(db, s.user("care_counselor")),
        appointment_id=visit.id,
        status=status,
        actual_minutes=minutes,
    )


def _three_sessions(db, *, per_week: int = 2):
    """Pat on Wednesday: 50 at 13:00 (no enrollment named), 50 at 14:00, 30 at 15:00,
    booked and completed out of order. The program wants `per_week` sessions of 50 minutes."""
    freeze(WEDNESDAY, time(18))
    s = scene(db, extra=0)
    s.world.program.individual_sessions_per_week = per_week
    s.world.program.individual_min_minutes = 50
    pat = s.enrollments[0]
    # Booked out of start order, so the ledger's order cannot come from the ids.
    third = _visit(db, s, time(15), enrollment_id=pat.id)
    first = _visit(db, s, time(13))
    second = _visit(db, s, time(14), enrollment_id=pat.id)
    _complete(db, s, third, minutes=30)
    _complete(db, s, first, minutes=50)
    _complete(db, s, second, minutes=50)
    return s, pat, (first, second, third)


def test_each_session_is_kept_in_start_order_and_rebuilt_with_every_change(db) -> None:
    s, pat, (first, second, third) = _three_sessions(db)
    day = ledger(db, pat.id, WEDNESDAY)
    assert day is not None
    assert day.individual_session_minutes == [50, 50, 30]
    assert (day.individual_minutes, day.individual_sessions) == (130, 3)
    _complete(db, s, second, status="no_show")
    day = ledger(db, pat.id, WEDNESDAY)
    assert day is not None and day.individual_session_minutes == [50, 30]
    _complete(db, s, first, status="cancelled")
    _complete(db, s, third, status="no_show")
    day = ledger(db, pat.id, WEDNESDAY)
    assert day is not None and day.individual_session_minutes == []
    assert day.individual_minutes == 0


def test_compliance_counts_each_session_that_meets_the_minimum(db) -> None:
    s, pat, (_, second, _) = _three_sessions(db)
    actor = actor_for(db, s.user("care_counselor"))
    week = compliance_service.enrollment_compliance(
        db, actor=actor, enrollment_id=pat.id, week="2026-W49"
    )
    # 130 minutes in three sessions: an average or a "longest plus shares" would say one.
    assert (week.individual_minutes, week.individual_sessions) == (130, 2)
    assert not any("individual" in gap for gap in week.gaps)
    _complete(db, s, second, status="no_show")
    week = compliance_service.enrollment_compliance(
        db, actor=actor, enrollment_id=pat.id, week="2026-W49"
    )
    assert (week.individual_minutes, week.individual_sessions) == (80, 1)
    assert "1 of 2 individual sessions of at least 50 minutes" in " ".join(week.gaps)


def test_the_site_dashboard_counts_the_same_sessions(db) -> None:
    s, pat, _ = _three_sessions(db)
    board = compliance_service.dashboard(
        db, actor=actor_for(db, s.user("director")), location_id=s.world.site_a.id
    )
    row = next(r for r in board.rows if r.enrollment_id == pat.id)
    assert (row.compliance.individual_minutes, row.compliance.individual_sessions) == (130, 2)


def test_two_sessions_just_short_of_the_minimum_count_for_nothing(db) -> None:
    freeze(WEDNESDAY, time(18))
    s = scene(db, extra=0)
    pat = s.enrollments[0]
    for start in (time(13), time(15)):
        _complete(db, s, _visit(db, s, start, enrollment_id=pat.id), minutes=49)
    week = compliance_service.enrollment_compliance(
        db, actor=actor_for(db, s.user("care_counselor")), enrollment_id=pat.id, week="2026-W49"
    )
    assert (week.individual_minutes, week.individual_sessions) == (98, 0)
    assert "no individual session of at least 50 minutes" in week.gaps


def _migration_0012():
    versions = Path(openiop.__file__).parent / "migrations" / "versions"
    spec = importlib.util.spec_from_file_location(
        "migration_0012", versions / "0012_ledger_individual_sessions.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_0012_backfills_the_sessions_from_appointments(db) -> None:
    s, pat, _ = _three_sessions(db)
    # 16:30 in Los Angeles is already Thursday in UTC: it belongs to Wednesday's row.
    evening = _visit(db, s, time(16, 30), enrollment_id=pat.id, minutes=45)
    _complete(db, s, evening, minutes=45)
    # A ledger row as it stood before the migration: figures but no list.
    db.execute(update(DailyMinutes).values(individual_session_minutes=[]))
    db.flush()
    db.expire_all()
    _migration_0012()._backfill(db.connection())
    day = ledger(db, pat.id, WEDNESDAY)
    assert day is not None
    assert day.individual_session_minutes == [50, 50, 30, 45]
    assert day.individual_sessions == 4
