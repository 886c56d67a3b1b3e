"""`openiop demo-data --years N`: the synthetic history, built small (a few weeks through the
hidden --history-weeks option) on SQLite and PostgreSQL, once per backend; the checks read it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from openiop.attendance import ledger_service
from openiop.config import get_settings
from openiop.demo import history_plan as hp
from openiop.kit import clock
from openiop.models import (
    Appointment,
    AuditEvent,
    ClinicalNote,
    DailyMinutes,
    DrugScreen,
    Enrollment,
    GroupAttendance,
    GroupNote,
    GroupSession,
    MeasureAdministration,
    Patient,
)
from openiop.notes import rules as note_rules
from openiop.notes import views as note_views
from openiop.security import audit
from tests.db.test_cli import (  # noqa: F401 - fixtures used by name
    BACKENDS,
    fresh_database,
    postgres_template,
    run,
    session_on,
)

FROZEN = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday 09:00 in California
MONDAY = date(2026, 11, 30)
WEEKS = 4
ARGS = ("--patients", "40", "--seed", "5", "--history-weeks", str(WEEKS))


@dataclass(frozen=True)
class Built:
    url: str
    output: str


def demo_data(url: str, *args: str):  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPENIOP_DATABASE_URL", url)
        get_settings.cache_clear()
        clock.freeze(FROZEN)
        try:
            return run("demo-data", *args)
        finally:
            clock.freeze(None)
            get_settings.cache_clear()


@pytest.fixture(scope="module", params=BACKENDS)
def built(request, tmp_path_factory) -> Iterator[Built]:  # type: ignore[no-untyped-def]
    with fresh_database(request, tmp_path_factory.mktemp("history")) as url:
        result = demo_data(url, *ARGS)
        assert result.exit_code == 0, result.output
        yield Built(url, result.output)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_history_covers_the_weeks_before_this_one_and_reports_its_rows(built):
    assert "Wrote demo history from 2026-11-02 to 2026-11-29" in built.output
    assert "group_attendance:" in built.output
    with session_on(built.url) as session:
        days = session.execute(
            select(func.min(GroupSession.session_date), func.max(GroupSession.session_date)).where(
                GroupSession.status != "scheduled"
            )
        ).one()
        assert days == (date(2026, 11, 2), date(2026, 11, 27))  # Mon of week 1 .. last Friday
        # Six tracks, five weekdays, four weeks; Nov 11 is a holiday: one cancelled per track.
        assert count(session, GroupSession) - 6 * 10 == 6 * 5 * WEEKS  # + the demo's 2 weeks
        cancelled = session.scalars(
            select(GroupSession.session_date).where(GroupSession.status == "cancelled")
        ).all()
        assert set(cancelled) == {date(2026, 11, 11)}


def test_every_ledger_row_is_what_the_attendance_area_would_rebuild(built):
    with session_on(built.url) as session:
        rows = session.scalars(select(DailyMinutes).where(DailyMinutes.service_date < MONDAY))
        stored = {
            (r.enrollment_id, r.service_date): {f: getattr(r, f) for f in _LEDGER} for r in rows
        }
        assert len(stored) > 300
        for (enrollment_id, day), figures in stored.items():
            rebuilt = ledger_service.recompute_day(session, enrollment_id=enrollment_id, day=day)
            assert rebuilt is not None
            assert {f: getattr(rebuilt, f) for f in _LEDGER} == figures, (enrollment_id, day)
        session.rollback()


_LEDGER = (
    "group_minutes", "group_sessions_attended", "group_scheduled_minutes", "individual_minutes",
    "individual_sessions", "individual_longest_minutes", "individual_session_minutes",
    "physician_minutes", "physician_visits",
)  # fmt: skip


def test_every_attendance_day_and_completed_visit_has_its_ledger_row(built):
    with session_on(built.url) as session:
        ledger = set(session.execute(select(DailyMinutes.enrollment_id, DailyMinutes.service_date)))
        attended = set(
            session.execute(
                select(GroupAttendance.enrollment_id, GroupSession.session_date).join(
                    GroupSession, GroupSession.id == GroupAttendance.group_session_id
                )
            )
        )
        assert attended and attended <= ledger
        minutes = session.scalar(
            select(func.sum(DailyMinutes.group_minutes)).where(DailyMinutes.service_date < MONDAY)
        )
        assert minutes == session.scalar(select(func.sum(GroupAttendance.minutes)))


def test_the_audit_chain_verifies_and_holds_the_history(built):
    with session_on(built.url) as session:
        report = audit.verify(session)
        assert report.ok, report.problem
        actions = Counter(session.scalars(select(AuditEvent.action)))
        assert actions["attendance.record"] == count(session, GroupAttendance)
        assert actions["note.group.sign"] == count(session, ClinicalNote) - session.scalar(
            select(func.count()).where(ClinicalNote.kind != "group")
        )
        assert actions["measure.give"] == count(session, MeasureAdministration)
        assert actions["drug_screen.collect"] == count(session, DrugScreen)
    result = run_verify(built.url)
    assert "intact" in result.output


def run_verify(url: str):  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPENIOP_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            return run("audit", "verify")
        finally:
            get_settings.cache_clear()


def test_group_note_parts_belong_to_attendees_and_their_hashes_hold(built):
    with session_on(built.url) as session:
        notes = session.scalars(
            select(GroupNote).options(selectinload(GroupNote.parts)).order_by(GroupNote.id)
        ).all()
        assert notes and all(n.status == note_rules.SIGNED for n in notes)
        for note in notes[:40]:
            attended = set(
                session.scalars(
                    select(GroupAttendance.patient_id).where(
                        GroupAttendance.group_session_id == note.group_session_id,
                        GroupAttendance.minutes > 0,
                    )
                )
            )
            assert {p.patient_id for p in note.parts} == attended
            for part in note.parts:
                payload = note_views.hash_payload(part, [], shared=note)
                assert note_rules.content_hash(payload) == part.content_hash


def test_history_keeps_todays_census_and_never_double_books(built):
    with session_on(built.url) as session:
        history = select(Patient.id).where(Patient.mrn.like(f"{hp.MRN_PREFIX}%"))
        active = session.scalar(
            select(func.count()).where(
                Enrollment.status == "active", Enrollment.patient_id.in_(history)
            )
        )
        assert active == 0  # the demo's own patients are today's census
        last = session.scalar(select(func.max(Enrollment.discharge_date)).where(
            Enrollment.patient_id.in_(history)))  # fmt: skip
        assert last is not None and last < MONDAY
        for column in (Appointment.staff_member_id, Appointment.patient_id):
            clash = session.execute(
                select(column, Appointment.starts_at)
                .group_by(column, Appointment.starts_at)
                .having(func.count() > 1)
            ).first()
            assert clash is None


def test_a_second_run_writes_no_more_history(built):
    with session_on(built.url) as session:
        before = count(session, AuditEvent)
    again = demo_data(built.url, *ARGS)
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    with session_on(built.url) as session:
        assert count(session, AuditEvent) == before


def fingerprint(url: str) -> list[tuple]:
    """Who attended what, with which minutes, and who saw them weekly: by MRN and date."""
    with session_on(url) as session:
        rows = session.execute(
            select(Patient.mrn, GroupSession.session_date, GroupAttendance.status,
                   GroupAttendance.minutes)
            .join(GroupAttendance, GroupAttendance.patient_id == Patient.id)
            .join(GroupSession, GroupSession.id == GroupAttendance.group_session_id)
            .order_by(Patient.mrn, GroupSession.session_date)
        ).all()  # fmt: skip
        visits = session.execute(
            select(Patient.mrn, Appointment.kind, Appointment.starts_at, Appointment.status)
            .join(Appointment, Appointment.patient_id == Patient.id)
            .order_by(Patient.mrn, Appointment.starts_at)
        ).all()
    return [tuple(r) for r in rows] + [tuple(v) for v in visits]


@pytest.fixture(params=["sqlite"])
def second_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with fresh_database(request, tmp_path) as url:
        yield url


def test_the_same_seed_writes_the_same_history_on_a_fresh_database(built, second_url):
    result = demo_data(second_url, *ARGS)
    assert result.exit_code == 0, result.output
    first = fingerprint(built.url)
    assert len(first) > 500
    assert fingerprint(second_url) == first


# ---- the pure plan ----------------------------------------------------------------------------


def _flow(seed: int) -> hp.FlowPlan:
    site = hp.SiteInfo(1, "America/Los_Angeles", (10, 11), (20,), (30, 31), 32)
    track = hp.TrackInfo(1, 1, "12345", time(9), time(12), 40, (10, 11))
    return hp.plan_flow(
        random.Random(seed), tracks=[track], sites={1: site}, existing=[],
        targets={1: 12}, first=date(2025, 1, 6), last=date(2025, 12, 28),
    )  # fmt: skip


def test_the_flow_is_deterministic_and_keeps_the_census_near_target():
    assert [(e.admit, e.discharge) for e in _flow(1).episodes] == [
        (e.admit, e.discharge) for e in _flow(1).episodes
    ]
    assert _flow(1).episodes != _flow(2).episodes
    flow = _flow(1)
    for day in (date(2025, 3, 5), date(2025, 7, 9), date(2025, 11, 12)):
        census = sum(e.covers(day) for e in flow.episodes)
        assert 8 <= census <= 15, (day, census)
    lengths = [(e.discharge - e.admit).days for e in flow.episodes if e.discharge]
    assert min(lengths) >= hp.MIN_EPISODE_DAYS and max(lengths) <= 84


def test_the_booker_never_gives_one_slot_twice():
    booker = hp.Booker()
    days, starts = [date(2025, 1, 6)], [time(13), time(14)]
    first = booker.place(days=days, starts=starts, patient_id=1, staff_id=9, room_ids=(5,))
    second = booker.place(days=days, starts=starts, patient_id=2, staff_id=9, room_ids=(5,))
    third = booker.place(days=days, starts=starts, patient_id=3, staff_id=9, room_ids=(5,))
    assert first == (days[0], time(13), 5) and second == (days[0], time(14), 5)
    assert third is None  # the clinician is booked in both slots
